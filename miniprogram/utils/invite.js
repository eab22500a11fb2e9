// Where an invite code arrives: a shared page path `?invite=CODE`, or a mini-program QR code whose
// scene is `i=CODE` (URI-encoded by WeChat, at most 32 characters).

function fromScene(scene) {
  if (!scene) return ''
  let decoded = String(scene)
  try {
    decoded = decodeURIComponent(decoded)
  } catch (e) {
    // a malformed scene is used as it is
  }
  for (const pair of decoded.split('&')) {
    const eq = pair.indexOf('=')
    if (eq > 0 && pair.slice(0, eq) === 'i') return pair.slice(eq + 1).trim()
  }
  return ''
}

// The invite code in a launch or page query, or ''.
function inviteFromQuery(query) {
  if (!query) return ''
  if (query.invite) return String(query.invite).trim()
  return fromScene(query.scene)
}

module.exports = { inviteFromQuery, fromScene }
