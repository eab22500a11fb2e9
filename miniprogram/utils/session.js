// The shopper's session: WeChat login → mall token, the stored user, invite codes to bind and shares to count.
// Pages wait for `ready()` before calling anything that needs the shopper.
const config = require('../config')
const api = require('./api')
const { paths } = api

const SANDBOX_NAME_KEY = 'sandbox_login_name'

let loginPromise = null
let reloginPromise = null
let pendingInvite = ''
const submittedInvites = {} // invite codes already handled in this run: binding is refused after the first
const visitedShares = {} // share ids whose visit was sent in this run (onLaunch, onShow and the page all see it)

function sandboxLoginName() {
  if (config.sandboxLoginName) return config.sandboxLoginName
  let name = wx.getStorageSync(SANDBOX_NAME_KEY)
  if (!name) {
    name = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`
    wx.setStorageSync(SANDBOX_NAME_KEY, name)
  }
  return name
}

function setSandboxLoginName(name) {
  wx.setStorageSync(SANDBOX_NAME_KEY, name)
}

function wechatCode() {
  return new Promise((resolve, reject) => {
    wx.login({ success: (res) => resolve(res.code), fail: reject })
  })
}

async function login() {
  let code = ''
  try {
    code = await wechatCode()
  } catch (err) {
    // The sandbox does not need WeChat's code (DevTools without an AppID cannot always get one).
    if (!config.sandbox) throw new api.ApiError('wx_login_failed', '微信登录失败，请稍后重试', 0)
  }
  if (config.sandbox) code = `sandbox-${sandboxLoginName()}`
  const body = { code }
  const invite = pendingInvite
  if (invite) body.invite_code = invite
  const res = await api.post(paths.login, body, { auth: false })
  if (pendingInvite === invite) pendingInvite = ''
  wx.setStorageSync('token', res.token)
  wx.setStorageSync('user', res.user)
  return res.user
}

// The logged-in user; logs in on first call. A failed login is retried by the next call.
function ready() {
  if (!loginPromise) {
    loginPromise = login().catch((err) => {
      loginPromise = null
      throw err
    })
  }
  return loginPromise
}

// Drops the token and logs in again; concurrent callers share one login.
function relogin() {
  if (!reloginPromise) {
    wx.removeStorageSync('token')
    loginPromise = null
    const done = () => {
      reloginPromise = null
    }
    reloginPromise = ready().then((user) => {
      done()
      return user
    }, (err) => {
      done()
      throw err
    })
  }
  return reloginPromise
}

// Forget the session (switching the sandbox user, tests).
function reset() {
  loginPromise = null
  reloginPromise = null
  pendingInvite = ''
  Object.keys(submittedInvites).forEach((k) => delete submittedInvites[k])
  Object.keys(visitedShares).forEach((k) => delete visitedShares[k])
  wx.removeStorageSync('token')
  wx.removeStorageSync('user')
}

// An invite code from a share link or QR code: sent with the login when that is still to come, else bound
// through the binding API. Refusals (already bound, own code, unknown code) are silent: the shopper did
// nothing wrong by opening a link.
function acceptInvite(code) {
  if (!code || submittedInvites[code]) return Promise.resolve() // onLaunch and onShow both see a cold start's
  submittedInvites[code] = true
  if (!loginPromise) {
    pendingInvite = code // kept until a login succeeds, so a failed login retries with it
    return ready().then(() => undefined, () => undefined)
  }
  return loginPromise
    .then(() => api.post(paths.distributionBind, { invite_code: code }, { toast: false }))
    .then(refreshUser, () => undefined)
}

// Opened from a share (`?s=ID` or a poster's scene): the visit is recorded for the merchant's funnel once the
// shopper is logged in — after the login that carries the share's invite code, so the binding comes first. A visit
// earns nothing for anyone; refusals (an unknown share) are silent.
function acceptShare(shareId) {
  if (!shareId || visitedShares[shareId]) return Promise.resolve()
  visitedShares[shareId] = true
  return ready()
    .then(() => api.post(paths.shareVisits(shareId), null, { toast: false }))
    .then(() => undefined, () => undefined)
}

function currentUser() {
  return wx.getStorageSync('user') || null
}

// The stored user, brought up to date from GET /me's answer (or any answer of that shape: a new avatar, a nickname).
function rememberAccount(me) {
  const user = Object.assign({}, currentUser(), {
    id: me.id, nickname: me.nickname, avatar_url: me.avatar_url, invite_code: me.invite_code,
    inviter_id: me.inviter_id,
  })
  wx.setStorageSync('user', user)
  return me
}

function refreshUser() {
  return api.get(paths.me, null, { toast: false }).then(rememberAccount, () => undefined)
}

api.onUnauthorized(relogin)

module.exports = {
  ready, relogin, reset, acceptInvite, acceptShare, currentUser, refreshUser, rememberAccount, sandboxLoginName,
  setSandboxLoginName,
}
