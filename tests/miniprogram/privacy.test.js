// WeChat's privacy authorization ("__usePrivacyCheck__": true): for a shopper who has not agreed to the 用户隐私保护指引
// yet, every page that asks for personal data first shows its privacy popup, and nothing personal is asked for
// before its agree button has resolved WeChat's pending authorization — the address editor, the distributor
// application, a bank withdrawal, and the phone number on 我的. Declining leaves the form closed, with a way to ask
// again. The harness's wx (harness/wx.js) plays WeChat: it calls the page's onNeedPrivacyAuthorization listener and
// lets the API through only after an agreement that names the agreePrivacyAuthorization button.
const fs = require('fs')
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

const app = JSON.parse(fs.readFileSync(mp.path('app.json'), 'utf8'))

// A shopper on a new device who has not agreed yet.
beforeEach(() => {
  fakeWx.privacy.needAuthorization = true
})

function as(name) {
  getApp().session.setSandboxLoginName(name)
}

// Starts loading a page without waiting for it: it may be waiting for the shopper's answer in the popup.
async function start(route, query = {}) {
  const page = mp.loadPage(route)
  const loaded = page.instance.onLoad(query)
  await fakeWx.idle()
  return { page, loaded }
}

function popupOf(page) {
  return page.querySelector('.privacy-popup')
}

function popupShown(page) {
  return !!popupOf(page).querySelector('.privacy__sheet')
}

async function agree(page) {
  // The button is WeChat's open-type="agreePrivacyAuthorization": its event fires when the shopper taps it.
  popupOf(page).querySelector('.privacy__btn--agree').dispatchEvent('agreeprivacyauthorization')
  await fakeWx.idle()
}

async function decline(page) {
  await mp.tap(popupOf(page).querySelector('.privacy__btn--ghost'))
  await fakeWx.idle()
}

function fill(page, field, value) {
  page.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } })
}

function personalRequests(pattern) {
  return fakeWx.requests.filter((r) => r.method !== 'GET' && pattern.test(r.url))
}

test('app.json turns WeChat’s privacy check on', () => {
  expect(app.__usePrivacyCheck__).toBe(true)
  expect(app.pages).toContain('pages/privacy/index')
})

// What reaches personal data: WeChat's privacy APIs and buttons, the form gate, and the order pages' copy helper.
const PRIVACY_USES = /setClipboardData|saveImageToPhotosAlbum|chooseMedia|chooseImage|chooseAddress|getPhoneNumber|chooseAvatar|type="nickname"|privacy-gate|\bcopy\(|\{ copy \}/

test('every page that reaches personal data has the privacy popup to ask with', () => {
  const routes = app.pages.concat(app.subpackages.flatMap((p) => p.pages.map((page) => `${p.root}/${page}`)))
  const needing = routes.filter((route) => ['js', 'wxml'].some((ext) => PRIVACY_USES.test(fs.readFileSync(mp.path(`${route}.${ext}`), 'utf8'))))
  expect(needing).toEqual(expect.arrayContaining(['pages/me/me', 'pages/address/edit', 'pages/distribution/index',
    'pages/distribution/withdraw', 'pages/distribution/poster', 'pages/order/detail', 'pages/order/logistics']))
  for (const route of needing) {
    const page = JSON.parse(fs.readFileSync(mp.path(`${route}.json`), 'utf8'))
    expect({ route, popup: /<privacy-popup\b/.test(fs.readFileSync(mp.path(`${route}.wxml`), 'utf8')),
      declared: !!page.usingComponents['privacy-popup'] }).toEqual({ route, popup: true, declared: true })
  }
})

test('copying the invite code waits for the agreement: WeChat holds the clipboard until then', async () => {
  const { page } = await start('pages/distribution/index')
  await decline(page) // the application form's request
  page.instance.setData({ info: Object.assign({}, page.data.info, { invite_code: 'ABCD1234' }) })
  page.instance.onCopyCode()
  await fakeWx.idle()
  expect(fakeWx.clipboard).toEqual([])
  expect(popupShown(page)).toBe(true)
  await agree(page)
  expect(fakeWx.clipboard).toEqual(['ABCD1234'])
  expect(fakeWx.privacy.events.slice(-3)).toEqual(['asked', 'agreed', 'setClipboardData'])
})

test('the address editor shows no field until the agree button resolves WeChat’s pending authorization', async () => {
  const { page, loaded } = await start('pages/address/edit')

  expect(fakeWx.privacy.events).toEqual(['asked'])
  expect(popupShown(page)).toBe(true)
  expect(mp.text(popupOf(page), '.privacy__link')).toBe('《好物分享商城小程序隐私保护指引》') // the name WeChat gives
  expect(page.querySelector('.field__input')).toBeUndefined()

  await agree(page)
  expect(await loaded).toBeTruthy()
  expect(fakeWx.privacy.events).toEqual(['asked', 'agreed', 'requirePrivacyAuthorize'])
  expect(popupShown(page)).toBe(false)
  expect(mp.all(page, '.field__input').length).toBeGreaterThan(0)

  fill(page, 'name', '赵六')
  fill(page, 'phone', '13800138001')
  fill(page, 'detail', '中山北路 3663 号')
  page.instance.onRegionChange({ detail: { value: ['上海市', '上海市', '普陀区'] } })
  const saved = await page.instance.onSave()
  expect(saved).toMatchObject({ name: '赵六', phone: '13800138001' })
})

test('declining keeps the address form closed and sends nothing; 查看并同意 asks again', async () => {
  const { page } = await start('pages/address/edit')
  await decline(page)

  expect(fakeWx.privacy.events).toEqual(['asked', 'declined'])
  expect(page.querySelector('.field__input')).toBeUndefined()
  expect(mp.text(page, '.privacy-needed')).toContain('请先阅读并同意用户隐私保护指引')
  const saving = page.instance.onSave() // 保存 asks again…
  await fakeWx.idle()
  expect(popupShown(page)).toBe(true)
  await decline(page) // …and declining again sends nothing
  expect(await saving).toBeNull()
  expect(personalRequests(/\/addresses/)).toEqual([])

  await mp.tap(page.querySelector('.privacy-needed__btn'))
  await fakeWx.idle()
  expect(popupShown(page)).toBe(true)
  await agree(page)
  expect(page.querySelector('.privacy-needed')).toBeUndefined()
  expect(mp.all(page, '.field__input').length).toBeGreaterThan(0)
})

test('the distributor application asks for a real name and phone only after the agreement', async () => {
  const { page, loaded } = await start('pages/distribution/index')
  expect(mp.text(page, '.intro__title')).toBe('成为分销员，分享赚佣金') // the programme itself is shown
  expect(popupShown(page)).toBe(true)
  expect(page.querySelector('.form')).toBeUndefined()

  await agree(page)
  await loaded
  expect(page.querySelector('.form')).toBeTruthy()
  expect(personalRequests(/\/distribution\/apply/)).toEqual([])
  fill(page, 'realName', '李雷')
  fill(page, 'phone', '13800138000')
  const application = await page.instance.onApply()
  expect(application.status).toBe('pending')
  expect(fakeWx.privacy.events).toEqual(['asked', 'agreed', 'requirePrivacyAuthorize'])
})

test('a withdrawal to WeChat needs nothing; choosing a bank card asks first', async () => {
  as('demo_a') // an approved distributor
  const page = mp.loadPage('pages/distribution/withdraw')
  await page.instance.onLoad({})
  await fakeWx.idle()
  expect(popupShown(page)).toBe(false) // WeChat balance: no personal data to type
  expect(fakeWx.privacy.events).toEqual([])

  const choosing = page.instance.onMethod({ currentTarget: { dataset: { method: 'bank' } } })
  await fakeWx.idle()
  expect(popupShown(page)).toBe(true)
  expect(page.data.method).toBe('wechat')
  expect(page.querySelector('.bank')).toBeUndefined()

  await agree(page)
  await choosing
  expect(page.data.method).toBe('bank')
  expect(mp.all(page, '.bank .field__input')).toHaveLength(3)
})

test('declining the bank card keeps the WeChat balance', async () => {
  as('demo_a')
  const page = mp.loadPage('pages/distribution/withdraw')
  await page.instance.onLoad({})
  const choosing = page.instance.onMethod({ currentTarget: { dataset: { method: 'bank' } } })
  await fakeWx.idle()
  await decline(page)
  await choosing
  expect(page.data.method).toBe('wechat')
  expect(page.querySelector('.bank')).toBeUndefined()
})

test('the phone number on 我的: WeChat holds the button until the popup’s agreement, then binds it', async () => {
  const page = mp.loadPage('pages/me/me')
  await page.instance.onLoad({})
  await fakeWx.idle()
  const bind = page.querySelector('.profile__bind')
  expect(mp.textOf(bind)).toBe('绑定')

  // The shopper taps the getPhoneNumber button: WeChat asks the page first and gives no code yet.
  const gate = fakeWx.privacyGate('getPhoneNumber')
  await fakeWx.idle()
  expect(popupShown(page)).toBe(true)
  expect(personalRequests(/\/me\/phone/)).toEqual([])

  await agree(page)
  expect(await gate).toBe(true)
  bind.dispatchEvent('getphonenumber', { detail: { code: 'sandbox-phone-13912345678', errMsg: 'getPhoneNumber:ok' } })
  await fakeWx.idle()
  expect(fakeWx.privacy.events).toEqual(['asked', 'agreed', 'getPhoneNumber'])
  expect(mp.text(page, '.profile__phone')).toBe('139****5678')
  expect(page.querySelector('.profile__bind')).toBeUndefined()
})

test('declining in the popup gives WeChat’s API a refusal, and nothing is sent', async () => {
  const page = mp.loadPage('pages/me/me')
  await page.instance.onLoad({})
  await fakeWx.idle()
  const gate = fakeWx.privacyGate('getPhoneNumber')
  await fakeWx.idle()
  await decline(page)
  expect(await gate).toBe(false)
  expect(fakeWx.privacy.events).toEqual(['asked', 'declined'])
  expect(personalRequests(/\/me\/phone/)).toEqual([])
})

test('the popup’s link opens the guide registered with WeChat, and 我的 links to the shop’s own page', async () => {
  const { page } = await start('pages/address/edit')
  await mp.tap(popupOf(page).querySelector('.privacy__link'))
  expect(fakeWx.privacy.contracts).toBe(1)

  const me = mp.loadPage('pages/me/me')
  await me.instance.onLoad({})
  await fakeWx.idle()
  await mp.tap(me.querySelector('.me__privacy'))
  expect(fakeWx.navigations.pop()).toEqual({ type: 'navigateTo', url: '/pages/privacy/index' })
})

test('the guide page lists each kind of personal data with its purpose, and the shop’s contact', async () => {
  const home = await mp.api('GET', '/api/v1/home')
  const page = mp.loadPage('pages/privacy/index')
  await page.instance.onLoad({})
  await fakeWx.idle()

  expect(mp.text(page, '.guide__title')).toBe(`${home.shop_name}小程序隐私保护指引`)
  const collected = mp.texts(page, '.item__what')
  for (const item of ['手机号', '收货人姓名、手机号、收货地址', '真实姓名、手机号', '开户银行、开户人姓名、银行卡号',
    '选中的照片', '相册（仅写入）权限', '剪切板']) {
    expect(collected).toContain(item)
  }
  expect(mp.all(page, '.item__why')).toHaveLength(collected.length)
  expect(mp.texts(page, '.section .guide__heading')).toEqual(['你的权益', '信息的存储', '信息的使用和对外提供'])
  expect(mp.text(page, '.guide__phone')).toBe(home.service_phone)
})
