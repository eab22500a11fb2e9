// Login on launch through the WeChat sandbox, invite binding, and the API client's error handling.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const api = require(mp.path('utils/api'))

let seq = 0
function newShopper() {
  const name = `mp_${process.pid}_${Date.now()}_${++seq}`
  getApp().session.setSandboxLoginName(name)
  return name
}

// A cold start: WeChat calls onLaunch and then onShow with the same options.
async function launch(query) {
  const options = { path: 'pages/index/index', query, scene: 1001 }
  getApp().onLaunch(options)
  getApp().onShow(options)
  const user = await getApp().ready()
  await fakeWx.idle()
  return user
}

test('launching from a share link logs in through the sandbox and binds the inviter', async () => {
  const inviter = await mp.loginAs('demo_a')
  const name = newShopper()

  const user = await launch({ invite: inviter.user.invite_code })
  // One login carries the invite; nothing else was needed.
  expect(fakeWx.requests.map((r) => `${r.method} ${r.url.replace(mp.harness().apiBase, '')}`)).toEqual(['POST /api/v1/auth/login'])

  const me = await api.get('/api/v1/me')
  expect(me.inviter_id).toBe(inviter.user.id)
  expect(user.inviter_id).toBe(inviter.user.id)
  // The code was sandbox-<name>: logging in as that name directly is the same shopper.
  expect((await mp.loginAs(name)).user.id).toBe(me.id)
  expect(wx.getStorageSync('token')).toMatch(/.{20,}/)
  expect(wx.getStorageSync('user').invite_code).toBe(me.invite_code)
})

test('launching from a mini-program QR code binds the inviter from its scene i=CODE', async () => {
  const inviter = await mp.loginAs('demo_b')
  newShopper()
  await launch({ scene: encodeURIComponent(`i=${inviter.user.invite_code}`) })
  expect((await api.get('/api/v1/me')).inviter_id).toBe(inviter.user.id)
})

test('a shopper already in the app who opens a share link is bound then', async () => {
  const inviter = await mp.loginAs('demo_a')
  newShopper()
  await launch({})
  expect((await api.get('/api/v1/me')).inviter_id).toBeNull()

  getApp().onShow({ path: 'pages/index/index', query: { invite: inviter.user.invite_code }, scene: 1007 })
  await fakeWx.idle()
  expect((await api.get('/api/v1/me')).inviter_id).toBe(inviter.user.id)
  expect(getApp().session.currentUser().inviter_id).toBe(inviter.user.id)
})

test('a bound shopper keeps the first inviter, silently, when opening someone else’s link', async () => {
  const first = await mp.loginAs('demo_b')
  const other = await mp.loginAs('demo_a')
  getApp().session.setSandboxLoginName('demo_c') // seeded: demo_b invited demo_c
  await launch({ invite: other.user.invite_code })
  expect((await api.get('/api/v1/me')).inviter_id).toBe(first.user.id)
  expect(fakeWx.toasts).toEqual([])
})

test('each device is one shopper: the random sandbox name is kept in storage', async () => {
  const first = await getApp().ready()
  getApp().session.reset() // the app starts again on the same device
  expect((await getApp().ready()).id).toBe(first.id)

  fakeWx.reset() // another device
  getApp().session.reset()
  expect((await getApp().ready()).id).not.toBe(first.id)
})

test('a rejected token is replaced by logging in again, and the request goes through', async () => {
  const user = await getApp().ready()
  wx.setStorageSync('token', 'expired-token')
  const me = await api.get('/api/v1/me')
  expect(me.id).toBe(user.id)
  expect(wx.getStorageSync('token')).not.toBe('expired-token')
  expect(fakeWx.toasts).toEqual([])
})

test('API errors carry the code and message, shown as a toast unless the caller opts out', async () => {
  const err = await api.get('/api/v1/products/999999').catch((e) => e)
  expect(err).toBeInstanceOf(api.ApiError)
  expect(err.statusCode).toBe(404)
  expect(err.code).toMatch(/^[a-z_]+$/)
  expect(err.message).toBeTruthy()
  expect(fakeWx.toasts.map((t) => t.title)).toEqual([err.message])

  const quiet = await api.get('/api/v1/products/999999', null, { toast: false }).catch((e) => e)
  expect(quiet.code).toBe(err.code)
  expect(fakeWx.toasts).toHaveLength(1)
})

test('a request that never reaches the server fails as network_error', async () => {
  const config = require(mp.path('config'))
  const base = config.apiBase
  config.apiBase = 'http://127.0.0.1:9' // discard port: nothing listens
  try {
    const err = await api.get('/api/v1/categories', null, { toast: false }).catch((e) => e)
    expect(err.code).toBe('network_error')
    expect(err.statusCode).toBe(0)
  } finally {
    config.apiBase = base
  }
})

test('a failed login is retried with the same invite on the next ready()', async () => {
  const inviter = await mp.loginAs('demo_a')
  newShopper()
  const config = require(mp.path('config'))
  const base = config.apiBase
  config.apiBase = 'http://127.0.0.1:9' // the network is down at launch
  getApp().onLaunch({ path: 'pages/index/index', query: { invite: inviter.user.invite_code }, scene: 1001 })
  await expect(getApp().ready()).rejects.toMatchObject({ code: 'network_error' })
  config.apiBase = base

  await getApp().ready()
  expect((await api.get('/api/v1/me')).inviter_id).toBe(inviter.user.id)
})

test('like WeChat, the test wx.request refuses PATCH (the API’s PATCH routes need another method)', async () => {
  await getApp().ready()
  const err = await api.request('PATCH', '/api/v1/me', { data: { nickname: 'x' }, toast: false }).catch((e) => e)
  expect(err.code).toBe('network_error')
})
