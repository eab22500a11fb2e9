// 我的: the shopper's profile and level from GET /api/v1/me, and the entry rows.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

async function openMe(loginName) {
  if (loginName) getApp().session.setSandboxLoginName(loginName)
  const page = mp.loadPage('pages/me/me')
  await page.instance.onLoad({})
  await fakeWx.idle()
  return page
}

async function meOf(name) {
  const { token } = await mp.loginAs(name)
  return mp.api('GET', '/api/v1/me', { token })
}

test('the me page shows the nickname, member level and growth', async () => {
  const me = await meOf('demo_c')
  const page = await openMe('demo_c')

  expect(mp.text(page, '.profile__name')).toBe(me.nickname)
  expect(mp.text(page, '.profile__avatar--text')).toBe(me.nickname.slice(0, 1))
  expect(mp.text(page, '.growth__level')).toBe(me.member.name)
  expect(mp.text(page, '.growth__head .muted')).toBe(`成长值 ${me.member.growth} / ${me.member.next_level_growth}`)
  expect(mp.text(page, '.growth__invite')).toBe(`我的邀请码 ${me.invite_code}`)
  expect(mp.text(page, '.profile__phone')).toBe(me.phone_masked || '未绑定手机号')
  expect(mp.texts(page, '.profile__tag')).toEqual([me.member.name]) // not a distributor
})

test('an approved distributor is labelled 分销员', async () => {
  const page = await openMe('demo_a')
  expect(mp.texts(page, '.profile__tag')).toEqual(['普通会员', '分销员'])
})

test('the entries open the orders, addresses and distribution pages', async () => {
  const page = await openMe()
  expect(mp.texts(page, '.menu__title')).toEqual(['收货地址', '分销中心', '我的优惠券', '领券中心', '沙箱用户'])
  for (const row of mp.all(page, '.menu__row').slice(0, 2)) await mp.tap(row)
  await mp.tap(page.querySelector('.orders__head'))
  await mp.tap(mp.all(page, '.shortcut')[2])
  expect(fakeWx.navigations.map((n) => n.url)).toEqual([
    '/pages/address/list', '/pages/distribution/index', '/pages/order/list', '/pages/order/list?status=shipped',
  ])
  expect(fakeWx.toasts).toEqual([])
})

test('the order shortcuts carry the count of orders in each state as a badge', async () => {
  const { token } = await mp.loginAs('demo_c')
  const counts = await mp.api('GET', '/api/v1/orders/counts', { token })
  const page = await openMe('demo_c')
  expect(mp.texts(page, '.shortcut__title')).toEqual(['待付款', '待发货', '待收货', '已完成', '退款/售后'])
  const badges = mp.rows(page, '.shortcut').map((s) => mp.text(s, '.shortcut__badge'))
  const expected = ['pending_payment', 'paid', 'shipped'].map((k) => (counts[k] ? String(counts[k]) : null))
  expect(badges).toEqual([...expected, null, null])
  expect(badges.some(Boolean)).toBe(true) // the demo shopper has orders on the way
})

test('switching the sandbox user logs in as that shopper', async () => {
  const demoB = await meOf('demo_b')
  const page = await openMe()
  fakeWx.modalAnswers.push({ confirm: true, content: 'demo_b' })
  page.instance.onSwitchSandboxUser()
  await fakeWx.idle()
  expect(mp.text(page, '.profile__name')).toBe(demoB.nickname)
  expect(getApp().session.currentUser().id).toBe(demoB.id)
})
