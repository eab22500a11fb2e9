// Where an invite code and a share arrive: a shared page path `?invite=CODE&s=SHARE`, or a mini-program QR code
// whose scene is `i=CODE` (the distributor's code) or `p=PRODUCT&i=CODE&s=SHARE` (a product poster), URI-encoded by
// WeChat, at most 32 characters.

// The scene's fields: 'p%3D12%26i%3DABCD' → { p: '12', i: 'ABCD' }.
function sceneFields(scene) {
  const fields = {}
  if (!scene) return fields
  let decoded = String(scene)
  try {
    decoded = decodeURIComponent(decoded)
  } catch (e) {
    // a malformed scene is used as it is
  }
  for (const pair of decoded.split('&')) {
    const eq = pair.indexOf('=')
    if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1).trim()
  }
  return fields
}

function fromScene(scene) {
  return sceneFields(scene).i || ''
}

// The invite code in a launch or page query, or ''.
function inviteFromQuery(query) {
  if (!query) return ''
  if (query.invite) return String(query.invite).trim()
  return fromScene(query.scene)
}

// The share a link or poster came from (its id, a positive integer), or 0.
function shareFromQuery(query) {
  if (!query) return 0
  const id = Number(query.s || sceneFields(query.scene).s)
  return Number.isInteger(id) && id > 0 ? id : 0
}

// The product a product page was opened for: `?id=P`, or a poster's scene `p=P`.
function productFromQuery(query) {
  if (!query) return 0
  return Number(query.id || sceneFields(query.scene).p) || 0
}

module.exports = { inviteFromQuery, fromScene, sceneFields, shareFromQuery, productFromQuery }
