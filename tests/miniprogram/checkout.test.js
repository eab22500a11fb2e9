// 确认订单 against the running backend: the price breakdown is the API's preview, a double tap or a retry
// after a lost answer places one order, and the sandbox payment ends with the order paid.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

const TSHIRT = '纯棉圆领短袖T恤'
const MUG = '陶瓷马克杯 350ml'
const CABLE = '编织数据线 1.5m 两条装' // cheap: under the free-shipping threshold

async function shopper({ address = true } = {}) {
  await getApp().ready()
  const token = wx.getStorageSync('token')
  if (address) await mp.ensureAddress(token)
  return token
}

async function openCheckout(query) {
  const page = mp.loadPage('pages/order/checkout')
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
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

async function orderTotal(token) {
  return (await mp.api('GET', '/api/v1/orders?page_size=1', { token })).total
}

test('from the cart: the lines and every number of the breakdown are the API’s preview', async () => {
  const token = await shopper()
  const [tee, mug] = [await mp.skuOf(TSHIRT), await mp.skuOf(MUG)]
  await mp.api('POST', '/api/v1/cart/items', { token, body: { sku_id: tee.id, quantity: 1 } })
  await mp.api('POST', '/api/v1/cart/items', { token, body: { sku_id: mug.id, quantity: 2 } })
  const cart = await mp.api('GET', '/api/v1/cart', { token })
  const items = cart.items.map((l) => ({ sku_id: l.sku_id, quantity: l.quantity }))
  const preview = await mp.api('POST', '/api/v1/orders/preview', { token, body: { items } })

  const page = await openCheckout({ from_cart: '1' })

  expect(shownSummary(page)).toEqual(expectedSummary(preview))
  expect(mp.textOf(page.querySelector('.sum__payable'))).toBe(format.price(preview.payable_fen))
  expect(mp.textOf(page.querySelector('.bar__payable'))).toBe(format.price(preview.payable_fen))
  const lines = mp.all(page, '.checkout__line')
  expect(lines.map((l) => mp.text(l, '.gline__title'))).toEqual(preview.lines.map((l) => l.title))
  expect(lines.map((l) => mp.text(l, '.gline__qty'))).toEqual(preview.lines.map((l) => `×${l.quantity}`))
  expect(lines.map((l) => mp.text(l, '.gline__specs'))).toEqual(preview.lines.map((l) => Object.values(l.specs).join(' ')))
  expect(lines.map((l) => mp.textOf(l.querySelector('.gline__price')))).toEqual(preview.lines.map((l) => format.price(l.unit_price_fen)))
  expect(preview.shipping_fen).toBe(0) // over the free-shipping threshold
  expect(shownSummary(page).find((r) => r[0] === 'shipping')[2]).toBe('免运费')
  expect(mp.text(page, '.address__name')).toBe('张三')
})

test('立即购买 of a cheap item: one line, with the shipping fee the preview charges', async () => {
  const token = await shopper()
  const cable = await mp.skuOf(CABLE)
  const preview = await mp.api('POST', '/api/v1/orders/preview', { token, body: { items: [{ sku_id: cable.id, quantity: 1 }] } })
  expect(preview.shipping_fen).toBeGreaterThan(0)

  const page = await openCheckout({ sku_id: String(cable.id), quantity: '1' })
  expect(shownSummary(page)).toEqual(expectedSummary(preview))
  expect(shownSummary(page).find((r) => r[0] === 'shipping')[2]).toBe(format.price(preview.shipping_fen))
  expect(mp.textOf(page.querySelector('.bar__payable'))).toBe(format.price(preview.payable_fen))
})

test('a double tap on 提交订单 places one order, and the sandbox payment leaves it paid', async () => {
  const token = await shopper()
  const mug = await mp.skuOf(MUG)
  await mp.api('POST', '/api/v1/cart/items', { token, body: { sku_id: mug.id, quantity: 1 } })
  const before = await orderTotal(token)
  const page = await openCheckout({ from_cart: '1' })
  page.instance.onRemarkInput({ detail: { value: '请周末送货' } })

  const [first, second] = await Promise.all([page.instance.onSubmit(), page.instance.onSubmit()])
  await fakeWx.idle()

  expect(await orderTotal(token)).toBe(before + 1)
  expect(first).toEqual(second)
  expect(first.status).toBe('paid')
  const posts = fakeWx.requests.filter((r) => r.method === 'POST' && /\/api\/v1\/orders$/.test(r.url))
  expect(posts).toHaveLength(1)
  expect(posts[0].header['Idempotency-Key']).toMatch(/^co-/)

  const order = await mp.api('GET', `/api/v1/orders/${first.orderId}`, { token })
  expect(order.status).toBe('paid')
  expect(order.remark).toBe('请周末送货')
  expect(order.paid_at).toBeTruthy()
  // The sandbox was asked to confirm, as WeChat would after the shopper paid
  expect(fakeWx.requests.some((r) => r.url === `${mp.harness().sandboxBase}/pay/confirm`)).toBe(true)
  expect(fakeWx.modals.map((m) => m.title)).toEqual(['沙箱支付'])
  expect(fakeWx.navigations).toEqual([{ type: 'redirectTo', url: `/pages/order/result?id=${order.id}` }])
  // Bought from the cart: the line has left it
  expect((await mp.api('GET', '/api/v1/cart', { token })).items).toEqual([])

  const result = mp.loadPage('pages/order/result')
  await result.instance.onLoad({ id: String(order.id) })
  await fakeWx.idle()
  expect(mp.text(result, '.result__title')).toBe('支付成功')
  expect(mp.textOf(result.querySelector('.result__amount'))).toBe(format.price(order.payable_fen))
})

test('when the answer to 提交订单 is lost, tapping again sends the same key and gets the same order', async () => {
  const token = await shopper()
  const tee = await mp.skuOf(TSHIRT)
  const before = await orderTotal(token)
  const page = await openCheckout({ sku_id: String(tee.id), quantity: '1' })

  fakeWx.loseNextAnswer('POST', /\/api\/v1\/orders$/)
  const lost = await page.instance.onSubmit()
  expect(lost).toMatchObject({ status: 'refused', code: 'network_error' })
  expect(fakeWx.modals.pop()).toMatchObject({ title: '无法提交订单' })
  expect(await orderTotal(token)).toBe(before + 1) // the server did place it

  const retried = await page.instance.onSubmit()
  await fakeWx.idle()
  expect(retried.status).toBe('paid')
  expect(await orderTotal(token)).toBe(before + 1)
  const keys = fakeWx.requests.filter((r) => r.method === 'POST' && /\/api\/v1\/orders$/.test(r.url)).map((r) => r.header['Idempotency-Key'])
  expect(keys).toHaveLength(2)
  expect(keys[0]).toBe(keys[1])
  expect((await mp.api('GET', `/api/v1/orders/${retried.orderId}`, { token })).status).toBe('paid')
})

test('cancelling the payment leaves the order 待付款 and opens its detail page', async () => {
  const token = await shopper()
  const mug = await mp.skuOf(MUG)
  const page = await openCheckout({ sku_id: String(mug.id), quantity: '1' })
  fakeWx.modalAnswers.push({ confirm: false })
  const outcome = await page.instance.onSubmit()
  expect(outcome.status).toBe('cancelled')
  expect((await mp.api('GET', `/api/v1/orders/${outcome.orderId}`, { token })).status).toBe('pending_payment')
  expect(fakeWx.navigations).toEqual([{ type: 'redirectTo', url: `/pages/order/detail?id=${outcome.orderId}` }])
  expect(fakeWx.toasts.pop().title).toBe('已取消支付')
})

test('outside the sandbox the order is paid with wx.requestPayment and its pay_params', async () => {
  const config = require(mp.path('config'))
  const token = await shopper()
  const mug = await mp.skuOf(MUG)
  const page = await openCheckout({ sku_id: String(mug.id), quantity: '1' })
  // The backend in live mode answers sandbox: false; WeChat's payment sheet is then cancelled by the shopper.
  fakeWx.alterNextAnswer('POST', /\/pay$/, (data) => Object.assign({}, data, { sandbox: false }))
  fakeWx.paymentAnswers.push({ errMsg: 'requestPayment:fail cancel' })
  const outcome = await page.instance.onSubmit()
  expect(outcome.status).toBe('cancelled')
  expect(fakeWx.payments).toHaveLength(1)
  expect(Object.keys(fakeWx.payments[0])).toEqual(expect.arrayContaining(['timeStamp', 'nonceStr', 'package', 'signType', 'paySign']))
  expect(fakeWx.requests.some((r) => r.url.startsWith(config.sandboxUrl))).toBe(false)
  expect((await mp.api('GET', `/api/v1/orders/${outcome.orderId}`, { token })).status).toBe('pending_payment')
  expect(fakeWx.navigations).toEqual([{ type: 'redirectTo', url: `/pages/order/detail?id=${outcome.orderId}` }])
})

test('a refusal of the preview (out of stock) is shown with the API’s message', async () => {
  await shopper()
  const product = await mp.productTitled(TSHIRT)
  const sku = product.skus[0]
  const err = await mp.apiRaw('POST', '/api/v1/orders/preview', {
    token: wx.getStorageSync('token'), body: { items: [{ sku_id: sku.id, quantity: sku.stock + 1 }] },
  })
  expect(err.status).toBe(409)
  expect(err.data.error.code).toBe('out_of_stock')

  const page = await openCheckout({ sku_id: String(sku.id), quantity: String(sku.stock + 1) })
  expect(mp.text(page, '.state__text')).toBe(err.data.error.message)
})

test('stock taken by someone else between preview and submit: the refusal’s message, and no order', async () => {
  const token = await shopper()
  const product = await mp.productTitled(MUG)
  const sku = product.skus.reduce((a, b) => (b.stock < a.stock ? b : a))
  const page = await openCheckout({ sku_id: String(sku.id), quantity: String(sku.stock) })
  expect(page.data.lines).toHaveLength(1)

  const other = await mp.loginAs(mp.uniqueName('rival'))
  const rival = await mp.placeOrder(other.token, [{ sku_id: sku.id, quantity: 1 }])
  try {
    const before = await orderTotal(token)
    const outcome = await page.instance.onSubmit()
    expect(outcome).toMatchObject({ status: 'refused', code: 'out_of_stock' })
    expect(fakeWx.modals.pop()).toMatchObject({ title: '无法提交订单', content: outcome.message })
    expect(outcome.message).toContain('库存不足')
    expect(await orderTotal(token)).toBe(before)
  } finally {
    await mp.api('POST', `/api/v1/orders/${rival.id}/cancel`, { token: other.token, body: {} })
  }
})

test('without an address: 添加收货地址, the picker hands one back, then the order can be placed', async () => {
  const token = await shopper({ address: false })
  const mug = await mp.skuOf(MUG)
  const page = await openCheckout({ sku_id: String(mug.id), quantity: '1' })
  expect(mp.text(page, '.address__empty')).toContain('添加收货地址')
  expect(await page.instance.onSubmit()).toEqual({ status: 'no_address' })
  expect(fakeWx.toasts.pop().title).toBe('请先选择收货地址')

  await mp.tap(page.querySelector('.address'))
  expect(fakeWx.navigations.pop()).toEqual({ type: 'navigateTo', url: '/pages/address/list?select=1' })

  // In the picker: add two addresses (the edit page), then pick the second
  const home = await mp.api('POST', '/api/v1/addresses', { token, body: mp.addressBody({ name: '李四', is_default: false }) })
  const office = await mp.api('POST', '/api/v1/addresses', { token, body: mp.addressBody({ name: '王五', detail: '陆家嘴环路 1 号', is_default: false }) })
  const picker = mp.loadPage('pages/address/list')
  await picker.instance.onLoad({ select: '1' })
  await fakeWx.idle()
  expect(mp.texts(picker, '.addr__name')).toEqual(expect.arrayContaining(['李四', '王五']))
  await mp.tap(mp.all(picker, '.addr').find((a) => a.dom.getAttribute('data-id') === String(office.id)))
  expect(fakeWx.navigations.pop()).toEqual({ type: 'navigateBack', delta: 1 })

  await page.instance.onShow()
  expect(mp.text(page, '.address__name')).toBe('王五')
  const outcome = await page.instance.onSubmit()
  const order = await mp.api('GET', `/api/v1/orders/${outcome.orderId}`, { token })
  expect(order.receiver_name).toBe('王五')
  expect(order.receiver_address).toContain('陆家嘴环路 1 号')
  expect(home.id).not.toBe(office.id)
})
