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

test('entries whose pages are not built yet say 敬请期待', async () => {
  const page = await openMe()
  expect(mp.texts(page, '.menu__title')).toEqual(['我的订单', '收货地址', '分销中心', '沙箱用户'])
  for (const row of mp.all(page, '.menu__row').slice(0, 3)) await mp.tap(row)
  expect(fakeWx.toasts.map((t) => t.title)).toEqual(['敬请期待', '敬请期待', '敬请期待'])
  expect(fakeWx.navigations).toEqual([])
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
