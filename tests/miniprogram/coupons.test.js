// 领券中心 and 我的优惠券 against the running backend: each ticket is the API's coupon in the shopper's words,
// claiming says how it went (领取成功, 已抢光, 已领取) and leaves the list as the API then answers, and the tabs of
// 我的优惠券 hold the coupons the API counts in them, a coupon held by an unpaid order first as 使用中.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))
const status = require(mp.path('utils/status'))

const BAG = '真皮通勤双肩包' // ¥459: over every demo threshold

async function shopper() {
  await getApp().ready()
  return wx.getStorageSync('token')
}

async function open(route, query = {}) {
  const page = mp.loadPage(route)
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

function claimable(token) {
  return mp.api('GET', '/api/v1/coupons/claimable', { token })
}

function claim(token, templateId) {
  return mp.api('POST', `/api/v1/coupons/${templateId}/claim`, { token, body: {} })
}

function mine(token, statusKey) {
  return mp.api('GET', `/api/v1/me/coupons?status=${statusKey}&page_size=100`, { token })
}

// A coupon template of the test's own (stopped again by the test that makes it, so the centre is left as it was).
async function template(overrides) {
  return mp.admin('POST', '/api/v1/admin/coupons', Object.assign({
    name: '测试券', kind: 'fixed', value_fen: 500, percent_off_bp: 0, threshold_fen: 0, valid_days: 7, per_user_limit: 1,
    claimable: true,
  }, overrides))
}

function stop(templateId) {
  return mp.admin('POST', `/api/v1/admin/coupons/${templateId}/stop`)
}

// Each ticket on a page as the shopper reads it.
function tickets(page, selector) {
  return mp.all(page, selector).map((t) => ({
    id: t.data.ticket.id,
    amount: mp.text(t, '.ticket__amount'),
    condition: mp.text(t, '.ticket__condition'),
    name: mp.text(t, '.ticket__name'),
    scope: mp.text(t, '.ticket__scope'),
    cap: mp.text(t, '.ticket__cap'),
    badge: mp.text(t, '.ticket__badge'),
    validity: mp.text(t, '.ticket__validity'),
    button: mp.text(t, '.ticket__btn'),
    stamp: mp.text(t, '.ticket__stamp'),
    muted: t.dom.innerHTML.includes('ticket--muted'),
  }))
}

function ticketOf(page, selector, id) {
  const found = mp.all(page, selector).find((t) => t.data.ticket.id === id)
  if (!found) throw new Error(`no ticket ${id}`)
  return found
}

function claimPosts() {
  return fakeWx.requests.filter((r) => r.method === 'POST' && /\/api\/v1\/coupons\/\d+\/claim$/.test(r.url))
}

describe('领券中心', () => {
  test('every claimable coupon is a ticket with what it gives, its threshold, scope, validity and 立即领取', async () => {
    const token = await shopper()
    const api = await claimable(token)
    const page = await open('pages/marketing/coupons')

    expect(tickets(page, '.list__ticket').map((t) => t.id)).toEqual(api.items.map((c) => c.id))
    const shown = Object.fromEntries(tickets(page, '.list__ticket').map((t) => [t.name, t]))
    expect(shown['满199减20']).toMatchObject({
      amount: '¥20', condition: '满199可用', scope: '全场通用', cap: null, validity: '领取后 30 天内有效', button: '立即领取',
      stamp: null, badge: null, muted: false,
    })
    expect(shown['满100享9折']).toMatchObject({
      amount: '9折', condition: '满100可用', scope: '全场通用', cap: '最高减30', validity: '领取后 15 天内有效', button: '立即领取',
    })
    expect(shown['生鲜满50减8']).toMatchObject({ amount: '¥8', condition: '满50可用', scope: '指定商品可用', button: '立即领取' })
    // How much of each is gone, from the API's claimed and total
    const fixed = api.items.find((c) => c.name === '满199减20')
    const bar = ticketOf(page, '.list__ticket', fixed.id)
    expect(mp.text(bar, '.ticket__progress-text')).toBe(`已抢 ${Math.floor((fixed.claimed * 100) / fixed.total_quantity)}%`)
    expect(mp.text(page, '.list__footer')).toBe('没有更多了')
  })

  test('claiming says 领取成功, and the ticket then shows what the API says: 已领取 and 去使用, or 再领一张', async () => {
    const token = await shopper()
    const api = await claimable(token)
    const fixed = api.items.find((c) => c.name === '满199减20') // one per shopper
    const percent = api.items.find((c) => c.name === '满100享9折') // two per shopper
    const page = await open('pages/marketing/coupons')

    const result = await page.instance.onTicketAction({ detail: { id: fixed.id } })
    expect(result.ok).toBe(true)
    expect(fakeWx.toasts.map((t) => t.title)).toEqual(['领取成功'])
    expect((await mine(token, 'unused')).items.map((c) => c.template_id)).toEqual([fixed.id])
    expect(tickets(page, '.list__ticket').find((t) => t.id === fixed.id)).toMatchObject({
      button: '去使用', stamp: '已领取', badge: null, muted: false,
    })
    const after = (await claimable(token)).items.find((c) => c.id === fixed.id)
    expect(after).toMatchObject({ claimed_by_me: 1, can_claim: false, refusal: 'coupon_limit_reached' })
    expect(page.data.items.find((t) => t.id === fixed.id).progressText).toBe(`已抢 ${Math.floor((after.claimed * 100) / after.total_quantity)}%`)

    // Tapped through the button itself: 再领一张 while under the limit, then 去使用
    await mp.tap(ticketOf(page, '.list__ticket', percent.id).querySelector('.ticket__btn'))
    await fakeWx.idle()
    expect(tickets(page, '.list__ticket').find((t) => t.id === percent.id)).toMatchObject({ button: '再领一张', badge: '已领 1 张' })
    await mp.tap(ticketOf(page, '.list__ticket', percent.id).querySelector('.ticket__btn'))
    await fakeWx.idle()
    expect(tickets(page, '.list__ticket').find((t) => t.id === percent.id)).toMatchObject({ button: '去使用', stamp: '已领取', badge: null })
    expect((await mine(token, 'unused')).items.filter((c) => c.template_id === percent.id)).toHaveLength(2)

    // 去使用 goes shopping and claims nothing
    const posts = claimPosts().length
    await mp.tap(ticketOf(page, '.list__ticket', fixed.id).querySelector('.ticket__btn'))
    expect(claimPosts()).toHaveLength(posts)
    expect(fakeWx.navigations).toEqual([{ type: 'switchTab', url: '/pages/index/index' }])
  })

  test('a coupon claimed elsewhere up to its limit is refused with 已领过, and the list is brought up to date', async () => {
    const token = await shopper()
    const fixed = (await claimable(token)).items.find((c) => c.name === '满199减20')
    const page = await open('pages/marketing/coupons')
    expect(tickets(page, '.list__ticket').find((t) => t.id === fixed.id).button).toBe('立即领取')
    await claim(token, fixed.id) // on another phone, meanwhile

    const result = await page.instance.onTicketAction({ detail: { id: fixed.id } })
    expect(result).toEqual({ ok: false, code: 'coupon_limit_reached', message: status.COUPON_CLAIM_REFUSAL.coupon_limit_reached.toast })
    expect(fakeWx.toasts.map((t) => t.title)).toEqual(['你已领过这张券，不能再领了'])
    expect(tickets(page, '.list__ticket').find((t) => t.id === fixed.id)).toMatchObject({ button: '去使用', stamp: '已领取' })
    expect((await mine(token, 'unused')).items.filter((c) => c.template_id === fixed.id)).toHaveLength(1)
  })

  test('the last coupon taken by someone else: 来晚了, then 已抢光 greyed; tapping it again asks nothing', async () => {
    const last = await template({ name: '限量1张 无门槛减5', total_quantity: 1 })
    try {
      const token = await shopper()
      const page = await open('pages/marketing/coupons')
      expect(tickets(page, '.list__ticket').find((t) => t.id === last.id)).toMatchObject({ amount: '¥5', condition: '无门槛', button: '立即领取' })
      const other = await mp.loginAs(mp.uniqueName('rival'))
      await claim(other.token, last.id)

      const result = await page.instance.onTicketAction({ detail: { id: last.id } })
      expect(result.code).toBe('coupon_sold_out')
      expect(fakeWx.toasts.map((t) => t.title)).toEqual(['来晚了，这张券已被抢光'])
      expect(tickets(page, '.list__ticket').find((t) => t.id === last.id)).toMatchObject({ button: '已抢光', stamp: '已抢光', muted: true })
      expect(mp.text(ticketOf(page, '.list__ticket', last.id), '.ticket__progress-text')).toBe('已抢 100%')
      expect((await mine(token, 'unused')).items).toEqual([])

      const posts = claimPosts().length
      await mp.tap(ticketOf(page, '.list__ticket', last.id).querySelector('.ticket__btn'))
      expect(claimPosts()).toHaveLength(posts)
      expect(fakeWx.toasts.map((t) => t.title).slice(-1)).toEqual(['来晚了，这张券已被抢光'])

      // A fresh visit shows it sold out from the start
      const again = await open('pages/marketing/coupons')
      expect(tickets(again, '.list__ticket').find((t) => t.id === last.id)).toMatchObject({ button: '已抢光', muted: true })
    } finally {
      await stop(last.id)
    }
  })

  test('a double tap on 立即领取 claims once', async () => {
    const token = await shopper()
    const percent = (await claimable(token)).items.find((c) => c.name === '满100享9折')
    const page = await open('pages/marketing/coupons')
    const [first, second] = await Promise.all([
      page.instance.onTicketAction({ detail: { id: percent.id } }), page.instance.onTicketAction({ detail: { id: percent.id } }),
    ])
    expect(first).toBe(second)
    expect(claimPosts()).toHaveLength(1)
    expect((await mine(token, 'unused')).items).toHaveLength(1)
  })

  test('我的优惠券 is one tap away', async () => {
    await shopper()
    const page = await open('pages/marketing/coupons')
    await mp.tap(page.querySelector('.hero__mine'))
    expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: '/pages/marketing/mine' }])
  })
})

describe('我的优惠券', () => {
  test('未使用 lists the coupons soonest to expire first, with their dates and 去使用; the tabs carry the counts', async () => {
    const token = await shopper()
    const api = await claimable(token)
    for (const name of ['满199减20', '满100享9折', '生鲜满50减8']) await claim(token, api.items.find((c) => c.name === name).id)
    const unused = await mine(token, 'unused')
    const page = await open('pages/marketing/mine')

    expect(mp.texts(page, '.tab')).toEqual(['未使用(3)', '已使用', '已过期'])
    expect(tickets(page, '.mine__ticket').map((t) => t.id)).toEqual(unused.items.map((c) => c.id))
    expect(unused.items.map((c) => c.name)).toEqual(['生鲜满50减8', '满100享9折', '满199减20']) // 7, 15 and 30 days
    const fresh = unused.items[0]
    expect(tickets(page, '.mine__ticket')[0]).toMatchObject({
      amount: '¥8', condition: '满50可用', name: '生鲜满50减8', scope: '指定商品可用', button: '去使用', stamp: null,
      validity: `${format.date(fresh.valid_from)} 至 ${format.date(fresh.valid_to)}`, muted: false,
    })
    await mp.tap(mp.all(page, '.mine__ticket')[0].querySelector('.ticket__btn'))
    expect(fakeWx.navigations).toEqual([{ type: 'switchTab', url: '/pages/index/index' }])
  })

  test('a coupon an unpaid order holds is shown first as 使用中 with 去支付; once paid it is under 已使用', async () => {
    const token = await shopper()
    const api = await claimable(token)
    await claim(token, api.items.find((c) => c.name === '满100享9折').id)
    const fixed = await claim(token, api.items.find((c) => c.name === '满199减20').id)
    const bag = await mp.skuOf(BAG, 1)
    const order = await mp.placeOrder(token, [{ sku_id: bag.id, quantity: 1 }], { coupon_id: fixed.id })
    expect((await mine(token, 'locked')).items.map((c) => c.id)).toEqual([fixed.id])

    const page = await open('pages/marketing/mine')
    expect(mp.texts(page, '.tab')).toEqual(['未使用(2)', '已使用', '已过期'])
    const shown = tickets(page, '.mine__ticket')
    expect(shown.map((t) => t.id)[0]).toBe(fixed.id)
    expect(shown[0]).toMatchObject({ badge: `${status.COUPON_STATUS.locked} · 订单待支付`, button: '去支付' })
    expect(shown[1]).toMatchObject({ name: '满100享9折', button: '去使用' })
    await mp.tap(mp.all(page, '.mine__ticket')[0].querySelector('.ticket__btn'))
    expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: `/pages/order/detail?id=${order.id}` }])

    await mp.payOrder(token, order.id)
    await page.instance.reload()
    expect(mp.texts(page, '.tab')).toEqual(['未使用(1)', '已使用(1)', '已过期'])
    expect(tickets(page, '.mine__ticket').map((t) => t.name)).toEqual(['满100享9折'])
    await page.instance.onTab({ currentTarget: { dataset: { key: 'used' } } })
    await fakeWx.idle()
    expect(tickets(page, '.mine__ticket')).toEqual([expect.objectContaining({ id: fixed.id, stamp: '已使用', button: null, muted: true })])
  })

  test('a coupon past its end is under 已过期, stamped; an empty tab says so and 未使用 offers 去领券', async () => {
    const soon = await template({ name: '闪电券 减5', valid_days: null, valid_to: new Date(Date.now() + 2500).toISOString() })
    const token = await shopper()
    await claim(token, soon.id)
    await new Promise((r) => setTimeout(r, 2600))
    expect((await mine(token, 'expired')).items.map((c) => c.id)).toHaveLength(1)

    const page = await open('pages/marketing/mine', { status: 'expired' })
    expect(mp.texts(page, '.tab')).toEqual(['未使用', '已使用', '已过期(1)'])
    expect(tickets(page, '.mine__ticket')).toEqual([expect.objectContaining({ name: '闪电券 减5', stamp: '已过期', button: null, muted: true })])

    await page.instance.onTab({ currentTarget: { dataset: { key: 'unused' } } })
    await fakeWx.idle()
    expect(mp.text(page, '.mine__footer')).toBe('还没有可用的优惠券')
    await mp.tap(page.querySelector('.mine__go'))
    expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: '/pages/marketing/coupons' }])
  })

  test('未使用 pages on reaching the bottom, the held coupons counted once', async () => {
    const many = await template({ name: '满减叠叠乐 减1', value_fen: 100, per_user_limit: 15 })
    try {
      const token = await shopper()
      for (let i = 0; i < 12; i++) await claim(token, many.id)
      const page = await open('pages/marketing/mine')
      expect(mp.all(page, '.mine__ticket')).toHaveLength(10)
      expect(page.data.status).toBe('more')
      await page.instance.onReachBottom()
      expect(mp.all(page, '.mine__ticket')).toHaveLength(12)
      expect(page.data.status).toBe('end')
      const ids = page.data.items.map((t) => t.id)
      expect(new Set(ids).size).toBe(12)
      expect(ids).toEqual((await mine(token, 'unused')).items.map((c) => c.id))
    } finally {
      await stop(many.id)
    }
  })
})

test('我的 shows how many coupons can be used, and leads to 我的优惠券 and the 领券中心', async () => {
  const token = await shopper()
  const fixed = (await claimable(token)).items.find((c) => c.name === '满199减20')
  await claim(token, fixed.id)
  const page = await open('pages/me/me')
  const rows = mp.rows(page, '.menu__row')
  const coupons = rows.find((r) => mp.text(r, '.menu__title') === '我的优惠券')
  expect(mp.text(coupons, '.menu__hint')).toBe('1张可用')
  await mp.tap(coupons.node)
  await mp.tap(rows.find((r) => mp.text(r, '.menu__title') === '领券中心').node)
  expect(fakeWx.navigations.map((n) => n.url)).toEqual(['/pages/marketing/mine', '/pages/marketing/coupons'])
})

test('a ticket’s figure: yuan without the zeros a shop leaves off, and basis points off as 折, by integer arithmetic', () => {
  const coupons = require(mp.path('utils/coupons'))
  expect([2000, 1050, 999, 5, 0].map(coupons.shortYuan)).toEqual(['20', '10.5', '9.99', '0.05', '0'])
  expect([1000, 1500, 1250, 125, 0, 9999].map(coupons.discountRate)).toEqual(['9', '8.5', '8.75', '9.875', '10', '0.001'])
  expect(coupons.faceOf({ kind: 'percent', percent_off_bp: 1500, cap_fen: 5000, threshold_fen: 0 }))
    .toEqual({ amount: '8.5', unit: '折', condition: '无门槛', cap: '最高减50' })
})
