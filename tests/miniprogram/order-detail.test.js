// 订单详情 and 物流 against the running backend: cancel, pay, shipping (by staff through the admin API) and the
// logistics timeline, confirm receipt, and refund requests with the amounts the API computes.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

const TSHIRT = '纯棉圆领短袖T恤'
const MUG = '陶瓷马克杯 350ml'

async function shopperToken() {
  await getApp().ready()
  return wx.getStorageSync('token')
}

async function openDetail(id, query = {}) {
  const page = mp.loadPage('pages/order/detail')
  await page.instance.onLoad(Object.assign({ id: String(id) }, query))
  await fakeWx.idle()
  return page
}

function actionTexts(page) {
  return mp.texts(page, '.action')
}

async function act(page, text) {
  const node = mp.all(page, '.action').find((a) => mp.textOf(a) === text)
  if (!node) throw new Error(`no action ${text}; there are ${actionTexts(page)}`)
  await mp.tap(node)
  await fakeWx.idle()
}

test('a pending order shows 待付款 with the countdown; 取消订单 asks, then cancels it', async () => {
  const token = await shopperToken()
  const order = await mp.placeOrder(token, [{ sku_id: (await mp.skuOf(MUG)).id, quantity: 1 }])
  const page = await openDetail(order.id)

  expect(mp.text(page, '.banner__status')).toBe('待付款')
  expect(mp.text(page, '.banner__hint')).toMatch(/^剩余 (2\d|30):\d\d，超时订单将自动取消$/)
  expect(actionTexts(page)).toEqual(['取消订单', '去支付'])
  expect(mp.text(page, '.order-no')).toBe(order.order_no)
  expect(mp.text(page, '.sum__payable')).toBe(format.price(order.payable_fen))
  expect(mp.text(page, '.receiver__name')).toBe(order.receiver_name)

  fakeWx.modalAnswers.push({ confirm: false }) // 再想想
  await act(page, '取消订单')
  expect((await mp.api('GET', `/api/v1/orders/${order.id}`, { token })).status).toBe('pending_payment')

  await act(page, '取消订单')
  expect(fakeWx.modals.map((m) => m.title)).toEqual(['取消订单', '取消订单'])
  expect((await mp.api('GET', `/api/v1/orders/${order.id}`, { token })).status).toBe('cancelled')
  expect(mp.text(page, '.banner__status')).toBe('已取消')
  expect(mp.text(page, '.banner__hint')).toBe('订单已取消')
  expect(actionTexts(page)).toEqual([])
  expect(mp.texts(page, '.info__label')).toEqual(['订单编号', '下单时间', '取消时间'])
  page.instance.onUnload()
})

test('去支付 on the detail page pays through the sandbox', async () => {
  const token = await shopperToken()
  const order = await mp.placeOrder(token, [{ sku_id: (await mp.skuOf(MUG)).id, quantity: 1 }])
  const page = await openDetail(order.id)
  await act(page, '去支付')
  expect((await mp.api('GET', `/api/v1/orders/${order.id}`, { token })).status).toBe('paid')
  expect(mp.text(page, '.banner__status')).toBe('待发货')
  expect(fakeWx.toasts.pop().title).toBe('支付成功')
  expect(actionTexts(page)).toEqual(['申请退款'])
})

test('WeChat took the money but its notification is late: 支付结果确认中, then 待发货 once it lands', async () => {
  const token = await shopperToken()
  const order = await mp.placeOrder(token, [{ sku_id: (await mp.skuOf(MUG)).id, quantity: 1 }])
  const page = await openDetail(order.id)
  // The shopper pays in WeChat, but the sandbox holds back the notification WeChat would send at once.
  let held = null
  fakeWx.alterNextRequest('POST', /\/pay\/confirm$/, (data) => Object.assign({}, data, { deliver: false }))
  fakeWx.alterNextAnswer('POST', /\/pay\/confirm$/, (data) => {
    held = data
    return data
  })
  const started = Date.now()
  await act(page, '去支付')
  expect(held).toMatchObject({ delivered: false, api: 'v3' })
  expect(Date.now() - started).toBeGreaterThan(6000) // it kept asking for about six seconds
  expect(fakeWx.toasts.pop().title).toBe('支付结果确认中，请稍后刷新')
  expect(mp.text(page, '.banner__status')).toBe('待付款')
  expect((await mp.api('GET', `/api/v1/orders/${order.id}`, { token })).status).toBe('pending_payment')

  const landed = await fetch(held.notify_url, { method: 'POST', headers: held.headers, body: held.body })
  expect(landed.status).toBe(200)
  await page.instance.onPullDownRefresh()
  await fakeWx.idle()
  expect(mp.text(page, '.banner__status')).toBe('待发货')
  expect(actionTexts(page)).toEqual(['申请退款'])
})

test('after staff ship it: the latest event, the logistics timeline, then 确认收货', async () => {
  const token = await shopperToken()
  const order = await mp.paidOrder(token, [{ sku_id: (await mp.skuOf(MUG)).id, quantity: 1 }])
  await mp.shipOrder(order.id, 'SF1234567890')
  await mp.admin('POST', `/api/v1/admin/orders/${order.id}/tracking-events`, { text: '【上海】快件已到达 浦东集散中心' })
  await mp.admin('POST', `/api/v1/admin/orders/${order.id}/tracking-events`, { text: '【上海】快递员正在派件，电话 13900000000' })
  const logistics = await mp.api('GET', `/api/v1/orders/${order.id}/logistics`, { token })
  expect(logistics.events.length).toBe(3)

  const page = await openDetail(order.id)
  expect(mp.text(page, '.banner__status')).toBe('待收货')
  expect(mp.text(page, '.logistics__text')).toBe(logistics.events[0].text)
  expect(actionTexts(page)).toEqual(['申请售后', '查看物流', '确认收货'])

  await act(page, '查看物流')
  expect(fakeWx.navigations.pop()).toEqual({ type: 'navigateTo', url: `/pages/order/logistics?id=${order.id}` })
  const timeline = mp.loadPage('pages/order/logistics')
  await timeline.instance.onLoad({ id: String(order.id) })
  await fakeWx.idle()
  expect(mp.text(timeline, '.parcel__carrier')).toBe('顺丰速运')
  expect(mp.text(timeline, '.parcel__no')).toContain('运单号 SF1234567890')
  expect(mp.texts(timeline, '.event__text')).toEqual(logistics.events.map((e) => e.text)) // newest first
  expect(mp.texts(timeline, '.event__time')).toEqual(logistics.events.map((e) => format.dateTime(e.time)))
  expect(mp.texts(timeline, '.event__text')[0]).toBe('【上海】快递员正在派件，电话 13900000000')
  expect(mp.all(timeline, '.event--latest')).toHaveLength(1)
  await mp.tap(timeline.querySelector('.parcel__copy'))
  expect(fakeWx.clipboard).toEqual(['SF1234567890'])

  await act(page, '确认收货')
  expect(fakeWx.modals.pop().title).toBe('确认收货')
  expect((await mp.api('GET', `/api/v1/orders/${order.id}`, { token })).status).toBe('completed')
  expect(mp.text(page, '.banner__status')).toBe('已完成')
  expect(actionTexts(page)).toEqual(['申请售后', '查看物流'])
  expect(mp.texts(page, '.info__label')).toEqual(['订单编号', '下单时间', '付款时间', '发货时间', '完成时间'])
})

test('a refund request: refundable quantities, a reason, and the amount the API computed', async () => {
  const token = await shopperToken()
  const [tee, mug] = [await mp.skuOf(TSHIRT), await mp.skuOf(MUG)]
  const order = await mp.paidOrder(token, [{ sku_id: tee.id, quantity: 3 }, { sku_id: mug.id, quantity: 1 }])
  const teeLine = order.lines.find((l) => l.sku_id === tee.id)
  const page = await openDetail(order.id)

  await act(page, '申请退款')
  expect(page.data.refundOpen).toBe(true)
  let lines = mp.rows(page, '.rline')
  expect(lines.map((l) => mp.text(l, '.rline__title'))).toEqual(order.lines.map((l) => l.title))
  expect(lines.map((l) => mp.text(l, '.stepper__value'))).toEqual(order.lines.map((l) => String(l.quantity)))

  // Nothing chosen, no reason: the page says so and sends nothing
  await page.instance.onSubmitRefund()
  expect(fakeWx.toasts.pop().title).toBe('请选择要退款的商品')
  const teeRow = () => mp.rows(page, '.rline').find((l) => mp.text(l, '.rline__title') === teeLine.title)
  await mp.tap(teeRow().querySelector('.check'))
  await page.instance.onSubmitRefund()
  expect(fakeWx.toasts.pop().title).toBe('请选择退款原因')

  // 2 of the 3 T-shirts
  await mp.tap(teeRow().querySelector('.stepper__btn--minus'))
  await mp.tap(teeRow().querySelector('.stepper__btn--plus'))
  await mp.tap(teeRow().querySelector('.stepper__btn--plus')) // at the maximum already
  expect(fakeWx.toasts.pop().title).toBe('最多可退 3 件')
  await mp.tap(teeRow().querySelector('.stepper__btn--minus'))
  page.instance.onReasonChange({ detail: { value: '2' } })
  page.instance.onReasonText({ detail: { value: '领口开线' } })
  const refund = await page.instance.onSubmitRefund()
  await fakeWx.idle()

  const refunds = await mp.api('GET', `/api/v1/orders/${order.id}/refunds`, { token })
  expect(refunds).toHaveLength(1)
  expect(refund.id).toBe(refunds[0].id)
  expect(refunds[0].lines).toEqual([expect.objectContaining({ order_line_id: teeLine.id, quantity: 2 })])
  expect(refunds[0].reason).toBe('商品质量问题：领口开线')
  expect(refunds[0].amount_fen).toBe(Math.floor((teeLine.paid_fen * 2) / 3)) // k of n units: paid × k ÷ n, rounded down
  expect(fakeWx.modals.pop()).toMatchObject({
    title: '退款申请已提交', content: `退款金额 ${format.price(refunds[0].amount_fen)}，商家审核通过后原路退回`,
  })
  expect(page.data.refundOpen).toBe(false)
  expect(mp.text(page, '.refund__status')).toBe('审核中')
  expect(mp.text(page, '.refund__amount')).toBe(format.price(refunds[0].amount_fen))
  expect(mp.text(page, '.refund__lines')).toBe(`${teeLine.title} ×2`)

  // While the request waits for support, its line takes no other: only the mug is offered
  await act(page, '申请退款')
  lines = mp.rows(page, '.rline')
  expect(lines.map((l) => [mp.text(l, '.rline__title'), mp.text(l, '.stepper__value')])).toEqual([
    [order.lines.find((l) => l.sku_id === mug.id).title, '1'],
  ])
  page.instance.onCloseRefund()

  // Staff refuse it: 已驳回 with the reason, and the units can be asked for again
  await mp.admin('POST', `/api/v1/admin/refunds/${refund.id}/reject`, { reason: '商品已签收超过 7 天' })
  await page.instance.onPullDownRefresh()
  expect(mp.text(page, '.refund__status')).toBe('已驳回')
  expect(mp.text(page, '.refund__reject')).toBe('驳回原因：商品已签收超过 7 天')
  await act(page, '申请退款')
  expect(mp.rows(page, '.rline').map((l) => mp.text(l, '.stepper__value'))).toEqual(['3', '1'])
})

test('the whole order refunded: the last units take what is left, staff approve, 已退款', async () => {
  const token = await shopperToken()
  const mug = await mp.skuOf(MUG)
  const order = await mp.paidOrder(token, [{ sku_id: mug.id, quantity: 2 }])
  const page = await openDetail(order.id, { refund: '1' }) // 申请售后 from the order list opens the sheet
  expect(page.data.refundOpen).toBe(true)
  expect(mp.rows(page, '.rline').map((l) => mp.text(l, '.stepper__value'))).toEqual(['2']) // the only line is chosen
  page.instance.onReasonChange({ detail: { value: '0' } })
  const refund = await page.instance.onSubmitRefund()
  await fakeWx.idle()
  // Unshipped and refunded whole: the goods and the postage come back
  expect(refund.amount_fen).toBe(order.payable_fen)

  await mp.admin('POST', `/api/v1/admin/refunds/${refund.id}/approve`)
  await page.instance.onPullDownRefresh()
  expect(mp.text(page, '.refund__status')).toBe('已退款')
  expect(mp.text(page, '.banner__status')).toBe('已关闭')
  expect(mp.textOf(mp.all(page, '.detail__line')[0].querySelector('.gline__note'))).toBe('已退 2 件')
  expect(mp.text(page, '.sum__refunded')).toBe(format.price(order.payable_fen))
  expect(actionTexts(page)).toEqual([])
})

test('the buttons are the API’s actions: 申请退款 only while a line has units left and no request waiting', async () => {
  const token = await shopperToken()
  const [tee, mug] = [await mp.skuOf(TSHIRT), await mp.skuOf(MUG)]
  const order = await mp.paidOrder(token, [{ sku_id: tee.id, quantity: 3 }, { sku_id: mug.id, quantity: 1 }])
  const teeLine = order.lines.find((l) => l.sku_id === tee.id)
  const mugLine = order.lines.find((l) => l.sku_id === mug.id)
  const ask = (lines) => mp.api('POST', `/api/v1/orders/${order.id}/refunds`, { token, body: { lines, reason: '不想要了' } })
  const refundable = (o) => Object.fromEntries(o.lines.map((l) => [l.id, l.refundable_quantity]))

  // 2 of the 3 T-shirts asked back: until support decides, the T-shirt line takes no other request; the mug is free
  const first = await ask([{ order_line_id: teeLine.id, quantity: 2 }])
  let answered = await mp.api('GET', `/api/v1/orders/${order.id}`, { token })
  expect(answered.actions).toEqual(['request_refund'])
  expect(refundable(answered)).toEqual({ [teeLine.id]: 0, [mugLine.id]: 1 })
  const page = await openDetail(order.id)
  expect(actionTexts(page)).toEqual(['申请退款'])
  await act(page, '申请退款')
  let rows = mp.rows(page, '.rline')
  expect(rows.map((l) => [mp.text(l, '.rline__title'), mp.text(l, '.stepper__value')])).toEqual([[mugLine.title, '1']])
  page.instance.onCloseRefund()

  // support refunds the two T-shirts: the last one can be asked back now, one unit at most
  await mp.admin('POST', `/api/v1/admin/refunds/${first.id}/approve`)
  await page.instance.onPullDownRefresh()
  await act(page, '申请退款')
  rows = mp.rows(page, '.rline')
  expect(rows.map((l) => [mp.text(l, '.rline__title'), mp.text(l, '.stepper__value')]))
    .toEqual([[teeLine.title, '1'], [mugLine.title, '1']])
  expect(mp.text(rows[0], '.muted')).toMatch(/可退 1 件$/)
  page.instance.onCloseRefund()

  // the last T-shirt and the mug: nothing is left, and the API offers no button
  await ask([{ order_line_id: teeLine.id, quantity: 1 }, { order_line_id: mugLine.id, quantity: 1 }])
  answered = await mp.api('GET', `/api/v1/orders/${order.id}`, { token })
  expect(answered.actions).toEqual([])
  expect(refundable(answered)).toEqual({ [teeLine.id]: 0, [mugLine.id]: 0 })
  await page.instance.onPullDownRefresh()
  expect(actionTexts(page)).toEqual([])
  expect(mp.texts(page, '.refund__status')).toEqual(['审核中', '已退款'])
})

test('the page shows the actions and refundable quantities as answered, and counts nothing itself', async () => {
  const token = await shopperToken()
  const tee = await mp.skuOf(TSHIRT)
  const order = await mp.paidOrder(token, [{ sku_id: tee.id, quantity: 3 }])
  // The same paid order, answered as a later backend might: logistics offered, 2 of the 3 units refundable,
  // and an action this version has no words for (left out)
  fakeWx.alterNextAnswer('GET', new RegExp(`/api/v1/orders/${order.id}$`), (o) => Object.assign(o, {
    actions: ['request_refund', 'leave_review', 'view_logistics'],
    lines: o.lines.map((l) => Object.assign(l, { refundable_quantity: 2 })),
  }))
  const page = await openDetail(order.id)
  expect(actionTexts(page)).toEqual(['申请退款', '查看物流'])
  await act(page, '申请退款')
  const row = mp.rows(page, '.rline')[0]
  expect(mp.text(row, '.stepper__value')).toBe('2')
  await mp.tap(row.querySelector('.stepper__btn--plus'))
  expect(fakeWx.toasts.pop().title).toBe('最多可退 2 件')
})

test('someone else’s order is not found', async () => {
  const other = await mp.loginAs('demo_c')
  const theirs = (await mp.api('GET', '/api/v1/orders?page_size=1', { token: other.token })).items[0]
  await shopperToken()
  const page = await openDetail(theirs.id)
  expect(mp.text(page, '.state')).toBe('订单不存在')
})
