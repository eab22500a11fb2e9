// 确认订单's coupons against the running backend: the coupon row, the picker (usable coupons best first with what
// each takes off, 不使用优惠券, unusable ones with the API's reason), the breakdown priced again by the preview after
// each choice with 满减 and the coupon apart, and the chosen user coupon sent with the order.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

const BAG = '真皮通勤双肩包' // ¥459: 满299减50 and every coupon of the demo apply
const CABLE = '编织数据线 1.5m 两条装' // ¥39: under every threshold

async function shopperWith(couponNames) {
  await getApp().ready()
  const token = wx.getStorageSync('token')
  await mp.ensureAddress(token)
  const centre = await mp.api('GET', '/api/v1/coupons/claimable', { token })
  const held = []
  for (const name of couponNames) {
    const template = centre.items.find((c) => c.name === name)
    held.push(await mp.api('POST', `/api/v1/coupons/${template.id}/claim`, { token, body: {} }))
  }
  return { token, held }
}

function preview(token, items, couponId) {
  return mp.api('POST', '/api/v1/orders/preview', { token, body: Object.assign({ items }, couponId ? { coupon_id: couponId } : {}) })
}

async function openCheckout(query) {
  const page = mp.loadPage('pages/order/checkout')
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

function buyNow(sku, quantity = 1) {
  return openCheckout({ sku_id: String(sku.id), quantity: String(quantity) })
}

function shownSummary(page) {
  return mp.rows(page, '.sum__row').filter((r) => r.dom.getAttribute('data-key')).map((r) => [
    r.dom.getAttribute('data-key'), mp.text(r, '.sum__label'), mp.textOf(r.querySelector('.sum__value')),
  ])
}

function expectedSummary(p) {
  const rows = [['goods', '商品金额', format.price(p.goods_fen)]]
  if (p.member_discount_fen) rows.push(['member', '会员优惠', format.price(-p.member_discount_fen)])
  if (p.full_reduction_fen) rows.push(['full_reduction', '满减', format.price(-p.full_reduction_fen)])
  if (p.coupon_discount_fen) rows.push(['coupon', '优惠券', format.price(-p.coupon_discount_fen)])
  rows.push(['shipping', '运费', p.shipping_fen ? format.price(p.shipping_fen) : '免运费'])
  return rows
}

function usableShown(page) {
  return mp.rows(page, '.pick').filter((r) => r.dom.getAttribute('data-id') && !r.dom.className.includes('pick--unusable')).map((r) => ({
    id: Number(r.dom.getAttribute('data-id')),
    name: mp.text(r, '.pick__name'),
    summary: mp.text(r, '.pick__summary'),
    off: mp.textOf(r.querySelector('.pick__discount')),
    selected: r.dom.className.includes('pick--selected'),
  }))
}

function unusableShown(page) {
  return mp.rows(page, '.pick--unusable').map((r) => ({
    id: Number(r.dom.getAttribute('data-id')), name: mp.text(r, '.pick__name'), reason: mp.text(r, '.pick__reason'),
  }))
}

function pickNode(page, id) {
  const found = mp.all(page, '.pick').find((r) => Number(r.dom.getAttribute('data-id')) === id)
  if (!found) throw new Error(`no coupon ${id} in the picker`)
  return found
}

function couponRow(page) {
  return mp.textOf(page.querySelector('.offer__value'))
}

test('the picker lists the usable coupons best first with what each takes off, and 不使用优惠券 is chosen', async () => {
  const { token } = await shopperWith(['满199减20', '满100享9折'])
  const bag = await mp.skuOf(BAG, 1)
  const items = [{ sku_id: bag.id, quantity: 1 }]
  const p = await preview(token, items)
  expect(p.usable_coupons.map((c) => [c.name, c.discount_fen])).toEqual([['满100享9折', 3000], ['满199减20', 2000]])

  const page = await buyNow(bag)
  expect(couponRow(page)).toBe('2张可用')
  expect(shownSummary(page)).toEqual(expectedSummary(p)) // nothing chosen for the shopper: the API picks none
  expect(p.coupon_discount_fen).toBe(0)
  await mp.tap(page.querySelector('.offer'))
  // The summary under the name, unless the name says it already (满199减20)
  expect(usableShown(page)).toEqual(p.usable_coupons.map((c) => ({
    id: c.id, name: c.name, summary: c.summary === c.name ? null : c.summary, off: format.price(c.discount_fen), selected: false,
  })))
  expect(usableShown(page)[0].summary).toBe('满100享9折 最高减30')
  expect(mp.text(page, '.pick__group')).toBe('可用优惠券（2）')
  expect(page.querySelector('.pick--none').dom.className).toContain('pick--selected')
  expect(unusableShown(page)).toEqual([])
})

test('choosing a coupon prices the order again: 满减 and the coupon apart, the payable the API’s; 不使用 takes it off', async () => {
  const { token, held } = await shopperWith(['满199减20', '满100享9折'])
  const percent = held[1]
  const bag = await mp.skuOf(BAG, 1)
  const items = [{ sku_id: bag.id, quantity: 1 }]
  const page = await buyNow(bag)
  await page.instance.onOpenCoupons()

  await mp.tap(pickNode(page, percent.id))
  await fakeWx.idle()
  const priced = await preview(token, items, percent.id)
  expect(priced).toMatchObject({ coupon_id: percent.id, full_reduction_fen: 5000, coupon_discount_fen: 3000 })
  expect(shownSummary(page)).toEqual(expectedSummary(priced))
  expect(shownSummary(page).map((r) => r[1])).toEqual(['商品金额', '满减', '优惠券', '运费'])
  expect(mp.text(page, '.sum__note')).toBe(priced.full_reduction.name)
  expect(mp.textOf(page.querySelector('.bar__payable'))).toBe(format.price(priced.payable_fen))
  expect(priced.payable_fen).toBe(bag.price_fen - 5000 - 3000)
  expect(couponRow(page)).toBe(format.price(-3000))
  expect(page.data.pickerOpen).toBe(false)
  const previews = fakeWx.requests.filter((r) => /\/orders\/preview$/.test(r.url))
  expect(previews.map((r) => r.data.coupon_id)).toEqual([undefined, percent.id])

  await page.instance.onOpenCoupons()
  expect(usableShown(page).map((c) => [c.id, c.selected])).toEqual([[percent.id, true], [held[0].id, false]])
  await mp.tap(page.querySelector('.pick--none'))
  await fakeWx.idle()
  expect(shownSummary(page)).toEqual(expectedSummary(await preview(token, items)))
  expect(couponRow(page)).toBe('2张可用')
})

test('coupons that do not apply are listed with the API’s reason and cannot be chosen', async () => {
  const { token, held } = await shopperWith(['满199减20', '生鲜满50减8'])
  const cable = await mp.skuOf(CABLE, 1)
  const p = await preview(token, [{ sku_id: cable.id, quantity: 1 }])
  expect(p.usable_coupons).toEqual([])
  expect(p.unusable_coupons.map((c) => c.reason_code).sort()).toEqual(['out_of_scope', 'threshold_not_met'])

  const page = await buyNow(cable)
  expect(couponRow(page)).toBe('暂无可用')
  await page.instance.onOpenCoupons()
  expect(unusableShown(page)).toEqual(p.unusable_coupons.map((c) => ({ id: c.id, name: c.name, reason: c.reason })))
  const threshold = p.unusable_coupons.find((c) => c.reason_code === 'threshold_not_met')
  expect(threshold.id).toBe(held[0].id)
  expect(threshold.reason).toContain('还差') // e.g. 满¥199.00可用，还差¥160.00
  expect(mp.text(page, '.pick__group')).toBe('不可用优惠券（2）')

  await mp.tap(pickNode(page, held[0].id)) // an unusable one: nothing happens
  await fakeWx.idle()
  expect(fakeWx.requests.filter((r) => /\/orders\/preview$/.test(r.url))).toHaveLength(1)
})

test('a shopper with no coupons reads 暂无优惠券, and the picker leads to the 领券中心', async () => {
  await shopperWith([])
  const cable = await mp.skuOf(CABLE, 1)
  const page = await buyNow(cable)
  expect(couponRow(page)).toBe('暂无优惠券')
  await page.instance.onOpenCoupons()
  expect(mp.text(page, '.pick__empty')).toBe('还没有优惠券，去领券中心看看吧')
  await mp.tap(page.querySelector('.sheet__link'))
  expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: '/pages/marketing/coupons' }])
})

test('the chosen coupon goes with the order: locked until paid, then used, and the order costs what was shown', async () => {
  const { token, held } = await shopperWith(['满199减20'])
  const fixed = held[0]
  const bag = await mp.skuOf(BAG, 1)
  const page = await buyNow(bag)
  await page.instance.onOpenCoupons()
  await mp.tap(pickNode(page, fixed.id))
  await fakeWx.idle()
  const shownPayable = mp.textOf(page.querySelector('.bar__payable'))

  fakeWx.modalAnswers.push({ confirm: false }) // the sandbox's 沙箱支付 dialog: not paid yet
  const outcome = await page.instance.onSubmit()
  expect(outcome.status).toBe('cancelled')
  await fakeWx.idle()
  const posts = fakeWx.requests.filter((r) => r.method === 'POST' && /\/api\/v1\/orders$/.test(r.url))
  expect(posts.map((r) => r.data.coupon_id)).toEqual([fixed.id])
  const order = await mp.api('GET', `/api/v1/orders/${outcome.orderId}`, { token })
  expect(order.status).toBe('pending_payment')
  expect(format.price(order.payable_fen)).toBe(shownPayable)
  expect(order.payable_fen).toBe(bag.price_fen - 5000 - 2000)
  const locked = await mp.api('GET', '/api/v1/me/coupons?status=locked', { token })
  expect(locked.items.map((c) => [c.id, c.order_id])).toEqual([[fixed.id, order.id]])

  await mp.payOrder(token, order.id)
  const used = await mp.api('GET', '/api/v1/me/coupons?status=used', { token })
  expect(used.items.map((c) => [c.id, c.order_id])).toEqual([[fixed.id, order.id]])
})

test('a coupon another order took meanwhile: the refusal is shown, the order is priced without it, and goes through', async () => {
  const { token, held } = await shopperWith(['满199减20'])
  const fixed = held[0]
  const bag = await mp.skuOf(BAG, 2)
  const page = await buyNow(bag)
  await page.instance.onOpenCoupons()
  await mp.tap(pickNode(page, fixed.id))
  await fakeWx.idle()
  expect(couponRow(page)).toBe(format.price(-2000))
  const other = await mp.placeOrder(token, [{ sku_id: bag.id, quantity: 1 }], { coupon_id: fixed.id }) // on another phone

  const refused = await page.instance.onSubmit()
  await fakeWx.idle()
  expect(refused.status).toBe('refused')
  expect(refused.code).toBe('coupon_not_applicable')
  expect(fakeWx.modals.pop()).toMatchObject({ title: '无法提交订单', content: refused.message })
  const without = await preview(token, [{ sku_id: bag.id, quantity: 1 }])
  expect(shownSummary(page)).toEqual(expectedSummary(without))
  expect(without.coupon_discount_fen).toBe(0)
  expect(couponRow(page)).toBe('暂无可用')
  await page.instance.onOpenCoupons()
  expect(unusableShown(page)).toEqual([{ id: fixed.id, name: fixed.name, reason: without.unusable_coupons[0].reason }])
  expect(without.unusable_coupons[0].reason_code).toBe('locked')
  await page.instance.onCloseCoupons()

  const placed = await page.instance.onSubmit()
  await fakeWx.idle()
  expect(placed.status).toBe('paid')
  const order = await mp.api('GET', `/api/v1/orders/${placed.orderId}`, { token })
  expect(order.payable_fen).toBe(without.payable_fen)
  const lastPost = fakeWx.requests.filter((r) => r.method === 'POST' && /\/api\/v1\/orders$/.test(r.url)).pop()
  expect(lastPost.data.coupon_id).toBeUndefined()
  await mp.api('POST', `/api/v1/orders/${other.id}/cancel`, { token, body: {} })
})

test('a chosen coupon that no longer fits when the order is priced again is dropped with its reason', async () => {
  const { token, held } = await shopperWith(['满100享9折'])
  const bag = await mp.skuOf(BAG, 1)
  const page = await buyNow(bag)
  await page.instance.onOpenCoupons()
  await mp.tap(pickNode(page, held[0].id))
  await fakeWx.idle()
  expect(couponRow(page)).toBe(format.price(-3000))
  await mp.placeOrder(token, [{ sku_id: bag.id, quantity: 1 }], { coupon_id: held[0].id }) // taken meanwhile

  await page.instance.preview()
  const p = await preview(token, [{ sku_id: bag.id, quantity: 1 }], held[0].id)
  expect(p.coupon_refusal).toMatchObject({ code: 'locked' })
  expect(fakeWx.toasts.map((t) => t.title)).toEqual([p.coupon_refusal.reason])
  expect(shownSummary(page)).toEqual(expectedSummary(p))
  expect(p.coupon_discount_fen).toBe(0)
  const previews = fakeWx.requests.filter((r) => /\/orders\/preview$/.test(r.url))
  await page.instance.preview()
  expect(fakeWx.requests.filter((r) => /\/orders\/preview$/.test(r.url)).slice(previews.length).map((r) => r.data.coupon_id))
    .toEqual([undefined])
})
