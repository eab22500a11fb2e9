// Limited-time prices, 满减 tags and the coupons of a product against the running backend: a product card and the
// product page show the promo price with the regular one struck through, a countdown to its end and the units left
// at it, and go back to the regular price when it ends; the page shows the 满减 tags and the coupons that can be
// claimed for that product, claimed on the spot from its 领券 sheet.
const simulate = require('miniprogram-simulate')
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))
const countdown = require(mp.path('utils/countdown'))

const MUG = '陶瓷马克杯 350ml' // the demo's 限时特惠 on its first SKU
const BUDS = '降噪蓝牙耳机' // the demo's 限时特惠 on its first SKU (白色) only
const ORANGES = '赣南脐橙 新鲜当季' // 美食生鲜: the category of the demo's 生鲜满50减8
const BOXES = '收纳箱 三件套'

async function card(title) {
  const found = (await mp.allProducts()).find((p) => p.title === title)
  if (!found) throw new Error(`no product ${title}`)
  return found
}

let cardId = null
function renderCard(product) {
  if (!cardId) cardId = simulate.load(mp.path('components/product-card/product-card'), { compiler: 'simulate', rootPath: mp.path('') })
  const shown = simulate.render(cardId, { product })
  shown.attach(document.createElement('parent-wrapper'))
  return shown
}

async function openDetail(id) {
  const page = mp.loadPage('pages/product/detail')
  await page.instance.onLoad({ id: String(id) })
  await fakeWx.idle()
  return page
}

function chip(page, name, value) {
  const found = mp.all(page, '.chip').find((c) => c.dom.getAttribute('data-name') === name && mp.textOf(c) === value)
  if (!found) throw new Error(`no chip ${name}=${value}`)
  return found
}

// The countdown as it may read now (a second may pass between the page's tick and this).
function clocksNear(endsAt) {
  const left = countdown.secondsUntil(endsAt)
  return [countdown.promoClock(left), countdown.promoClock(left - 1), countdown.promoClock(left + 1)]
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function timeLimited(skuId, { endsInMs, promoPriceFen, stock = 20 }) {
  return mp.admin('POST', '/api/v1/admin/promotions', {
    kind: 'time_limited', name: '整点秒杀', starts_at: new Date(Date.now() - 60000).toISOString(),
    ends_at: new Date(Date.now() + endsInMs).toISOString(),
    items: [{ sku_id: skuId, promo_price_fen: promoPriceFen, activity_stock: stock }],
  })
}

describe('product cards', () => {
  test('a card under a limited-time price: that price, the regular one struck through, the countdown and the units left', async () => {
    const mug = await card(MUG)
    expect(mug.promo).toMatchObject({ name: '限时特惠', promo_price_fen: 3900 })
    const shown = renderCard(mug)

    expect(mp.text(shown, '.pcard__price')).toBe(format.price(mug.promo.promo_price_fen))
    expect(mp.text(shown, '.pcard__was')).toBe(format.price(mug.price_fen))
    expect(shown.querySelector('.pcard__was').dom.innerHTML).toContain('price--strike')
    expect(mp.text(shown, '.pcard__promo-name')).toBe('限时特惠')
    expect(clocksNear(mug.promo.ends_at)).toContain(mp.text(shown, '.pcard__clock'))
    expect(mp.text(shown, '.pcard__clock')).toMatch(/^\d+天 \d{2}:\d{2}:\d{2}$/) // the demo's runs for days
    expect(mp.texts(shown, '.pcard__tag')).toEqual([`仅剩${mug.promo.remaining}件`, mug.tags[0]])
    expect(mug.tags).toEqual(['满199减20', '满299减50'])

    const before = mp.text(shown, '.pcard__clock')
    await sleep(1100)
    expect(mp.text(shown, '.pcard__clock')).not.toBe(before) // it ticks
  })

  test('a card without one shows its price and the 满减 tags, and no countdown', async () => {
    const boxes = await card(BOXES)
    expect(boxes.promo).toBeNull()
    const shown = renderCard(boxes)
    expect(mp.text(shown, '.pcard__price')).toBe(format.price(boxes.price_fen))
    expect(shown.querySelector('.pcard__promo')).toBeUndefined()
    expect(mp.texts(shown, '.pcard__tag')).toEqual(boxes.tags.slice(0, 2))
  })

  test('when the activity ends the card and the product page go back to the regular price', async () => {
    const product = await mp.productTitled(BOXES)
    const sku = product.skus[0]
    const promotion = await timeLimited(sku.id, { endsInMs: 2500, promoPriceFen: sku.price_fen - 1000 })
    try {
      const during = await card(BOXES)
      expect(during.promo).toMatchObject({ promotion_id: promotion.id, promo_price_fen: sku.price_fen - 1000, remaining: 20 })
      const shown = renderCard(during)
      const page = await openDetail(product.id)
      await mp.tap(chip(page, product.spec_names[0], sku.specs[product.spec_names[0]]))
      expect(mp.text(shown, '.pcard__price')).toBe(format.price(sku.price_fen - 1000))
      expect(mp.text(shown, '.pcard__promo-name')).toBe('整点秒杀')
      expect(mp.text(page, '.promo__name')).toBe('整点秒杀')
      expect(mp.text(page, '.promo__left')).toBe('限时价仅剩 20 件')
      expect(mp.text(page, '.promo__clock')).toMatch(/^00:00:0[0-3]$/)

      await sleep(3200)
      await fakeWx.idle()
      expect((await card(BOXES)).promo).toBeNull()
      expect(mp.text(shown, '.pcard__price')).toBe(format.price(during.price_fen))
      expect(shown.querySelector('.pcard__promo')).toBeUndefined()
      expect(mp.texts(shown, '.pcard__tag')).toEqual(during.tags.slice(0, 2))
      // The page asked for the product again at the end, and the API no longer gives the price
      expect(fakeWx.requests.filter((r) => r.url.endsWith(`/api/v1/products/${product.id}`))).toHaveLength(2)
      expect(page.querySelector('.promo')).toBeUndefined()
      expect(page.data.product.skus[0].promo).toBeNull()
    } finally {
      await mp.admin('POST', `/api/v1/admin/promotions/${promotion.id}/stop`).catch(() => null)
    }
  })
})

describe('the product page', () => {
  test('before a choice: the lowest price, a limited-time one, with its regular price struck and 部分规格', async () => {
    const buds = await mp.productTitled(BUDS)
    const [white, black] = buds.skus
    expect(white.promo).toBeTruthy()
    expect(black.promo).toBeNull()
    const page = await openDetail(buds.id)

    expect(mp.text(page, '.summary__now')).toBe(`${format.price(white.promo_price_fen)}起`)
    expect(mp.text(page, '.summary__was')).toBe(format.price(white.price_fen))
    expect(mp.text(page, '.promo__name')).toBe(`${white.promo.name}部分规格`)
    expect(mp.text(page, '.promo__partial')).toBe('部分规格')
    expect(mp.text(page, '.promo__left')).toBe(`限时价仅剩 ${white.promo.remaining} 件`)
    expect(clocksNear(white.promo.ends_at)).toContain(mp.text(page, '.promo__clock'))
    expect(mp.text(page, '.promo__ends-label')).toBe('距结束')
  })

  test('the SKU under the activity shows its promo price and countdown; the other SKU its own price and none', async () => {
    const buds = await mp.productTitled(BUDS)
    const [white, black] = buds.skus
    const name = buds.spec_names[0]
    const page = await openDetail(buds.id)

    await mp.tap(chip(page, name, white.specs[name]))
    expect(mp.text(page, '.summary__now')).toBe(format.price(white.promo_price_fen))
    expect(mp.text(page, '.summary__was')).toBe(format.price(white.price_fen))
    expect(page.querySelector('.promo__partial')).toBeUndefined()
    expect(mp.text(page, '.promo__left')).toBe(`限时价仅剩 ${white.promo.remaining} 件`)

    await mp.tap(chip(page, name, black.specs[name]))
    expect(mp.text(page, '.summary__now')).toBe(format.price(black.price_fen))
    expect(page.querySelector('.summary__was')).toBeUndefined()
    expect(page.querySelector('.promo')).toBeUndefined()
  })

  test('the 满减 tags and the coupons for this product: a category coupon where it applies only', async () => {
    const buds = await mp.productTitled(BUDS)
    const oranges = await mp.productTitled(ORANGES)
    const forBuds = (await mp.api('GET', `/api/v1/coupons/claimable?product_id=${buds.id}`)).items
    const forOranges = (await mp.api('GET', `/api/v1/coupons/claimable?product_id=${oranges.id}`)).items
    expect(forOranges.map((c) => c.name)).toContain('生鲜满50减8')
    expect(forBuds.map((c) => c.name)).not.toContain('生鲜满50减8')

    for (const [product, coupons] of [[buds, forBuds], [oranges, forOranges]]) {
      const page = await openDetail(product.id)
      const rows = mp.rows(page, '.offers__row')
      expect(rows.map((r) => mp.text(r, '.offers__label'))).toEqual(['满减', '领券'])
      expect(mp.texts(rows[0], '.offers__tag')).toEqual(product.tags)
      expect(mp.texts(rows[1], '.offers__coupon')).toEqual(coupons.slice(0, 3).map((c) => c.summary))
      const requests = fakeWx.requests.filter((r) => r.url.includes('/coupons/claimable'))
      expect(requests.pop().url).toContain(`product_id=${product.id}`)
    }
  })

  test('the 领券 sheet lists them as tickets, claims one on the spot, and leads to the 领券中心', async () => {
    await getApp().ready()
    const token = wx.getStorageSync('token')
    const oranges = await mp.productTitled(ORANGES)
    const page = await openDetail(oranges.id)
    await mp.tap(page.querySelector('.offers__row--coupons'))
    const api = (await mp.api('GET', `/api/v1/coupons/claimable?product_id=${oranges.id}`, { token })).items
    const tickets = mp.all(page, '.sheet__ticket')
    expect(tickets.map((t) => mp.text(t, '.ticket__name'))).toEqual(api.map((c) => c.name))
    expect(tickets.map((t) => mp.text(t, '.ticket__btn'))).toEqual(api.map(() => '立即领取'))

    const fresh = api.find((c) => c.name === '生鲜满50减8')
    const ticket = tickets.find((t) => t.data.ticket.id === fresh.id)
    await mp.tap(ticket.querySelector('.ticket__btn'))
    await fakeWx.idle()
    expect(fakeWx.toasts.map((t) => t.title)).toEqual(['领取成功'])
    const held = await mp.api('GET', '/api/v1/me/coupons?status=unused', { token })
    expect(held.items.map((c) => c.template_id)).toEqual([fresh.id])
    const after = mp.all(page, '.sheet__ticket').find((t) => t.data.ticket.id === fresh.id)
    expect(mp.text(after, '.ticket__btn')).toBe('去使用')
    expect(mp.text(after, '.ticket__stamp')).toBe('已领取')

    // 去使用 here is buying this product: the sheet closes
    await mp.tap(after.querySelector('.ticket__btn'))
    expect(page.data.couponSheetOpen).toBe(false)
    await mp.tap(page.querySelector('.offers__row--coupons'))
    await mp.tap(page.querySelector('.sheet__link'))
    expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: '/pages/marketing/coupons' }])
    expect(page.data.couponSheetOpen).toBe(false)
  })

  test('bought at the limited-time price, the units left go down by what was bought', async () => {
    await getApp().ready()
    const token = wx.getStorageSync('token')
    const buds = await mp.productTitled(BUDS) // two per shopper at the promo price
    const promoSku = buds.skus.find((s) => s.promo)
    const name = buds.spec_names[0]
    const page = await openDetail(buds.id)
    await mp.tap(chip(page, name, promoSku.specs[name]))
    expect(mp.text(page, '.promo__left')).toBe(`限时价仅剩 ${promoSku.promo.remaining} 件`)

    const order = await mp.placeOrder(token, [{ sku_id: promoSku.id, quantity: 2 }])
    expect(order.lines[0].paid_fen).toBe(2 * promoSku.promo_price_fen)
    await page.instance.load()
    await mp.tap(chip(page, name, promoSku.specs[name]))
    expect(mp.text(page, '.promo__left')).toBe(`限时价仅剩 ${promoSku.promo.remaining - 2} 件`)
    await mp.api('POST', `/api/v1/orders/${order.id}/cancel`, { token, body: {} })
  })
})

test('the countdown reads days and a clock, and reaches 0 only once the end has passed', () => {
  expect(countdown.promoClock(3 * 86400 + 4 * 3600 + 5 * 60 + 6)).toBe('3天 04:05:06')
  expect(countdown.promoClock(59)).toBe('00:00:59')
  const end = '2026-12-08T10:00:00Z'
  const at = Date.parse(end)
  expect([at - 1500, at - 1, at, at + 1000].map((now) => countdown.secondsUntil(end, now))).toEqual([2, 1, 0, 0])
  expect(countdown.secondsUntil(null)).toBe(-1)
  // to the millisecond, as the API gives it: not a second early
  expect(countdown.secondsUntil('2026-12-08T10:00:00.282610Z', at + 100)).toBe(1)
  expect(countdown.secondsUntil('2026-12-08T10:00:00.282610Z', at + 283)).toBe(0)
})
