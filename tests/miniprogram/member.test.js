// 会员中心: the level card with the progress to the next level, each level's discount and benefits, and the growth
// history a page at a time — all as the API tells them, with a level that goes up and back down with the growth.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

async function openCentre(loginName) {
  if (loginName) getApp().session.setSandboxLoginName(loginName)
  const page = mp.loadPage('pages/member/center')
  await page.instance.onLoad({})
  await fakeWx.idle()
  return page
}

// A new shopper, logged in through the mini-program: { id, token }.
async function newShopper() {
  getApp().session.setSandboxLoginName(mp.uniqueName('member'))
  const user = await getApp().ready()
  return { id: user.id, token: wx.getStorageSync('token') }
}

function adjust(userId, points, reason = '会员中心测试') {
  return mp.admin('POST', `/api/v1/admin/members/${userId}/growth`, { points, reason })
}

test('the level card shows the growth and the progress from this level to the next', async () => {
  const { token } = await mp.loginAs('demo_c')
  const me = await mp.api('GET', '/api/v1/me', { token })
  const levels = await mp.api('GET', '/api/v1/members/levels')
  const from = levels.find((l) => l.level === me.member.level).growth_threshold
  const to = me.member.next_level_growth
  expect(me.member.growth).toBeGreaterThan(0) // demo_c's completed orders

  const page = await openCentre('demo_c')

  expect(mp.text(page, '.level-card__name')).toBe(me.member.name)
  expect(mp.text(page, '.level-card__value')).toBe(String(me.member.growth))
  expect(mp.text(page, '.level-card__next')).toBe(`再得 ${to - me.member.growth} 成长值升级为${me.member.next_level_name}`)
  expect(page.data.progress.percent).toBe(Math.floor(((me.member.growth - from) * 100) / (to - from)))
  expect(mp.texts(page, '.level__name')).toEqual(levels.map((l) => l.name))
  expect(mp.text(page, '.level--current .level__name')).toBe(me.member.name)
  expect(mp.text(page, '.level--current .level__tag')).toBe('当前等级')
})

test('each level shows its threshold, its discount and its benefits', async () => {
  const levels = await mp.api('GET', '/api/v1/members/levels')
  const page = await openCentre()
  const rows = mp.rows(page, '.level')
  expect(rows.map((r) => [mp.text(r, '.level__name'), mp.text(r, '.level__threshold'), mp.text(r, '.level__discount'),
    mp.text(r, '.level__benefits')])).toEqual(levels.map((l) => [
    l.name, l.growth_threshold ? `成长值 ${l.growth_threshold}` : '注册即享',
    l.discount_bp < 10000 ? format.discount(l.discount_bp) : '无折扣', l.benefits || null,
  ]))
  // The default levels: 银卡 9.8折, 金卡 9.5折.
  expect(rows.slice(1, 3).map((r) => mp.text(r, '.level__discount'))).toEqual(['9.8折', '9.5折'])
})

test('the level goes up with growth and back down when it is taken away, and the history says why', async () => {
  const shopper = await newShopper()
  await mp.api('POST', '/api/v1/me/check-in', { token: shopper.token })
  await adjust(shopper.id, 1200, '线下活动补录')

  let page = await openCentre()
  expect(mp.text(page, '.level-card__name')).toBe('银卡会员')
  expect(mp.text(page, '.level-card__value')).toBe(String(1200 + page.data.items.find((e) => e.kind === 'check_in').points))
  expect(mp.text(page, '.level-card__discount')).toBe('会员价 9.8折')

  await adjust(shopper.id, -600, '补录有误，扣回')
  page = await openCentre()
  const growth = (await mp.api('GET', '/api/v1/me', { token: shopper.token })).member.growth
  expect(mp.text(page, '.level-card__name')).toBe('普通会员')
  expect(mp.text(page, '.level-card__value')).toBe(String(growth))
  expect(mp.text(page, '.level-card__next')).toBe(`再得 ${1000 - growth} 成长值升级为银卡会员`)
  expect(page.querySelector('.level-card__discount')).toBeUndefined() // 普通会员 pays the shop's price

  // Newest first: the take-back, the adjustment, the check-in.
  const entries = mp.rows(page, '.entry')
  expect(entries.map((e) => [mp.text(e, '.entry__title'), mp.text(e, '.entry__points')])).toEqual([
    ['商家调整', '-600'], ['商家调整', '+1200'], ['每日签到', `+${growth - 600}`],
  ])
  expect(entries[0].querySelector('.entry__points--minus')).toBeTruthy()
  expect(page.data.status).toBe('end')
})

test('the growth history loads twenty at a time, the next page on reaching the bottom', async () => {
  const shopper = await newShopper()
  for (let i = 1; i <= 23; i++) await adjust(shopper.id, i, `第${i}次`)
  const page = await openCentre()
  expect(page.data.items).toHaveLength(20)
  expect(page.data.items[0].pointsText).toBe('+23')
  await page.instance.onReachBottom()
  await fakeWx.idle()
  expect(page.data.items.map((e) => e.points)).toEqual(Array.from({ length: 23 }, (_, i) => 23 - i))
  expect(page.data.status).toBe('end')
})

test('an order that completed shows its number in the history', async () => {
  const { token } = await mp.loginAs('demo_c')
  const history = await mp.api('GET', '/api/v1/me/growth?page=1&page_size=20', { token })
  const completed = history.items.find((e) => e.kind === 'order_completed')
  const page = await openCentre('demo_c')
  const row = mp.rows(page, '.entry')[history.items.indexOf(completed)]
  expect(mp.text(row, '.entry__title')).toBe('订单完成')
  expect(mp.text(row, '.entry__ref')).toBe(`· ${completed.ref}`)
  expect(mp.text(row, '.entry__points')).toBe(`+${completed.points}`)
})

test('the check-in link opens 签到', async () => {
  const page = await openCentre()
  await mp.tap(page.querySelector('.checkin-link'))
  expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: '/pages/member/checkin' }])
})
