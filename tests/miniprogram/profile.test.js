// The profile and the fuller 我的: the avatar from WeChat's chooseAvatar (uploaded), the nickname input of type
// "nickname" (a name WeChat's review refuses is not saved), the phone through getPhoneNumber → POST /me/phone, each
// behind WeChat's privacy authorization; and 我的's entries into 会员中心, 签到, 分享有礼 and 客服, with the sandbox row
// only in sandbox mode.
const fs = require('fs')
const os = require('os')
const path = require('path')
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const config = require(mp.path('config'))

async function open(route, query = {}) {
  const page = mp.loadPage(route)
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

function newShopper() {
  getApp().session.setSandboxLoginName(mp.uniqueName('profile'))
}

async function me() {
  return mp.api('GET', '/api/v1/me', { token: wx.getStorageSync('token') })
}

// What chooseAvatar hands over: a temporary picture on the phone (here, a product photo of the demo shop).
async function temporaryPicture() {
  const { images } = await mp.productTitled('陶瓷马克杯 350ml')
  const res = await fetch(images[0])
  const file = path.join(os.tmpdir(), `wx-avatar-${process.pid}-${Date.now()}.jpg`)
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  return file
}

test('the avatar chosen in WeChat is uploaded and shown, here and on 我的', async () => {
  newShopper()
  const page = await open('pages/member/profile')
  expect(mp.text(page, '.avatar--text')).toBe(page.data.me.nickname.slice(0, 1))
  const file = await temporaryPicture()

  page.querySelector('.avatar-btn').dispatchEvent('chooseavatar', { detail: { avatarUrl: file } })
  await fakeWx.idle()

  const [upload] = fakeWx.uploads
  expect(upload).toMatchObject({ filePath: file, name: 'file', statusCode: 200 })
  expect(upload.url).toBe(`${mp.harness().apiBase}/api/v1/me/avatar`)
  expect(upload.header.Authorization).toBe(`Bearer ${wx.getStorageSync('token')}`)
  const saved = (await me()).avatar_url
  expect(saved).toMatch(/\/media\/avatars\/\w+\.jpg$/)
  expect(page.data.me.avatar_url).toBe(saved)
  expect(page.querySelector('.avatar--text')).toBeUndefined()
  expect(getApp().session.currentUser().avatar_url).toBe(saved)
  expect(fakeWx.toasts.pop().title).toBe('头像已更新')

  const mine = await open('pages/me/me')
  expect(mine.data.me.avatar_url).toBe(saved)
  expect(mine.querySelector('.profile__avatar--text')).toBeUndefined()
})

test('a nickname typed or picked in WeChat is saved; one its review refuses is not', async () => {
  newShopper()
  const page = await open('pages/member/profile')
  // WeChat's own nickname input, which offers the shopper's WeChat nickname and reviews what is typed.
  expect(fs.readFileSync(mp.path('pages/member/profile.wxml'), 'utf8')).toMatch(
    /<input class="row__input nickname" type="nickname"[^>]*bindnicknamereview="onNicknameReview"/)
  expect(page.querySelector('.row__save')).toBeUndefined() // nothing changed yet

  page.instance.onNicknameInput({ detail: { value: '不合适的昵称' } })
  page.instance.onNicknameReview({ detail: { pass: false, timeout: false } })
  await page.instance.onSaveNickname()
  expect(fakeWx.requests.filter((r) => r.method === 'PUT')).toEqual([])
  expect(mp.text(page, '.row__error')).toBe('这个昵称未通过微信的检查，请换一个')

  page.instance.onNicknameInput({ detail: { value: '  小林同学 ' } })
  page.instance.onNicknameReview({ detail: { pass: true, timeout: false } })
  expect(page.querySelector('.row__error')).toBeUndefined()
  await mp.tap(page.querySelector('.row__save'))
  await fakeWx.idle()
  expect(fakeWx.requests.filter((r) => r.method === 'PUT').map((r) => r.data)).toEqual([{ nickname: '小林同学' }])
  expect((await me()).nickname).toBe('小林同学')
  expect(page.querySelector('.row__save')).toBeUndefined()
  expect(getApp().session.currentUser().nickname).toBe('小林同学')
})

test('the phone number binds through getPhoneNumber, after the privacy guide is agreed to', async () => {
  newShopper()
  fakeWx.privacy.needAuthorization = true
  const page = await open('pages/member/profile')
  expect(mp.text(page, '.phone')).toBe('未绑定')

  const gate = fakeWx.privacyGate('getPhoneNumber')
  await fakeWx.idle()
  expect(page.querySelector('.privacy-popup').querySelector('.privacy__sheet')).toBeTruthy()
  expect(fakeWx.requests.filter((r) => /\/me\/phone/.test(r.url))).toEqual([])
  page.querySelector('.privacy-popup').querySelector('.privacy__btn--agree').dispatchEvent('agreeprivacyauthorization')
  await fakeWx.idle()
  expect(await gate).toBe(true)

  const detail = { code: 'sandbox-phone-13712345678', errMsg: 'getPhoneNumber:ok' }
  page.querySelector('.row__bind').dispatchEvent('getphonenumber', { detail })
  await fakeWx.idle()
  expect(mp.text(page, '.phone')).toBe('137****5678')
  expect(page.querySelector('.row__bind')).toBeUndefined()
  expect((await me()).phone_masked).toBe('137****5678')
})

test('the avatar waits for the privacy guide too: declined, nothing is uploaded', async () => {
  newShopper()
  fakeWx.privacy.needAuthorization = true
  const page = await open('pages/member/profile')
  const gate = fakeWx.privacyGate('chooseAvatar')
  await fakeWx.idle()
  await mp.tap(page.querySelector('.privacy-popup').querySelector('.privacy__btn--ghost'))
  expect(await gate).toBe(false)
  expect(fakeWx.uploads).toEqual([])
  expect((await me()).avatar_url).toBe('')
})

test('我的 opens 个人资料, 会员中心, 签到 and 分享有礼, and has WeChat’s 客服 button', async () => {
  newShopper()
  const page = await open('pages/me/me')
  expect(mp.texts(page, '.service__title')).toEqual(['会员中心', '每日签到', '邀请奖励', '联系客服'])
  const contact = page.querySelector('.service--contact')
  expect(contact.dom.tagName.toLowerCase()).toBe('wx-button')
  const wxml = fs.readFileSync(mp.path('pages/me/me.wxml'), 'utf8')
  expect(wxml).toMatch(/<button class="service service--contact" open-type="contact">/)

  await mp.tap(page.querySelector('.profile__edit'))
  for (const row of mp.all(page, '.service').slice(0, 3)) await mp.tap(row)
  await mp.tap(page.querySelector('.growth'))
  expect(fakeWx.navigations.map((n) => n.url)).toEqual([
    '/pages/member/profile', '/pages/member/center', '/pages/member/checkin', '/pages/member/invite',
    '/pages/member/center',
  ])
})

test('我的 says whether today’s check-in is done', async () => {
  newShopper()
  let page = await open('pages/me/me')
  const state = await mp.api('GET', '/api/v1/me/check-in', { token: wx.getStorageSync('token') })
  expect(mp.rows(page, '.service').map((s) => mp.text(s, '.service__hint'))[1]).toBe(`签到+${state.points_today}`)
  await mp.api('POST', '/api/v1/me/check-in', { token: wx.getStorageSync('token') })
  page = await open('pages/me/me')
  expect(mp.rows(page, '.service').map((s) => mp.text(s, '.service__hint'))[1]).toBe('已连续1天')
})

test('the sandbox row is shown only in sandbox mode', async () => {
  newShopper()
  expect(mp.text(await open('pages/me/me'), '.sandbox .menu__title')).toBe('沙箱用户')
  config.sandbox = false // live: the shopper is already logged in (the harness's backend is the sandbox's)
  try {
    const live = await open('pages/me/me')
    expect(live.data.me.id).toBe(getApp().session.currentUser().id)
    expect(live.querySelector('.sandbox')).toBeUndefined()
    expect(mp.texts(live, '.menu__title')).not.toContain('沙箱用户')
  } finally {
    config.sandbox = true
  }
})
