// WeChat's privacy authorization (用户隐私保护指引). With "__usePrivacyCheck__": true in app.json, WeChat holds back
// every API that touches personal data — the phone number, avatar and nickname, album, clipboard — until the
// shopper has agreed to the guide. It then calls the wx.onNeedPrivacyAuthorization listener, and the page must show
// its own popup whose agree button (open-type="agreePrivacyAuthorization") resolves WeChat's pending request.
// Forms where the shopper types personal data (real name, phone, bank account, address) ask the same way, first,
// through ensure(): nothing personal is collected before the shopper has agreed.

let popup = null // the components/privacy-popup of the page on screen
let pending = null // WeChat's resolve() for the request waiting on the shopper

function onNeed(resolve, eventInfo) {
  if (pending) pending({ event: 'disagree' }) // an older request nobody answered: a new one replaces it
  pending = resolve
  if (popup) popup.open(eventInfo || {})
  else answer({ event: 'disagree' }) // a page without the popup cannot ask (a bug: add it); WeChat refuses the API
}

// The popup of the page now on screen takes WeChat's requests (called on attach and whenever its page shows).
function listen(component) {
  popup = component
  if (wx.onNeedPrivacyAuthorization) wx.onNeedPrivacyAuthorization(onNeed)
}

function release(component) {
  if (popup === component) popup = null
}

function answer(result) {
  const resolve = pending
  pending = null
  if (resolve) resolve(result)
}

// buttonId: the id of the open-type="agreePrivacyAuthorization" button the shopper tapped.
function agree(buttonId) {
  answer({ buttonId, event: 'agree' })
}

function disagree() {
  answer({ event: 'disagree' })
}

// → { needed: bool, contractName }: whether the shopper still has to agree (false on base libraries without the check).
function setting() {
  return new Promise((resolve) => {
    if (!wx.getPrivacySetting) {
      resolve({ needed: false, contractName: '' })
      return
    }
    wx.getPrivacySetting({
      success: (res) => resolve({ needed: !!res.needAuthorization, contractName: res.privacyContractName || '' }),
      fail: () => resolve({ needed: true, contractName: '' }),
    })
  })
}

// Resolves true once the shopper has agreed (at once if they already had), false when they decline.
function ensure() {
  return setting().then(({ needed }) => {
    if (!needed) return true
    if (!wx.requirePrivacyAuthorize) return false
    return new Promise((resolve) => {
      wx.requirePrivacyAuthorize({ success: () => resolve(true), fail: () => resolve(false) })
    })
  })
}

module.exports = { listen, release, agree, disagree, setting, ensure }
