// 我的订单 against the running backend: status tabs, paging, the cards' actions and the 售后 tab.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

const MUG = '陶瓷马克杯 350ml'
const CABLE = '编织数据线 1.5m 两条装'

async function shopperToken() {
  await getApp().ready()
  return wx.getStorageSync('token')
}

async function openList(query = {}) {
  const page = mp.loadPage('pages/order/list')
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

function cards(page) {
  return mp.rows(page, '.ocard').map((c) => ({
    no: mp.text(c, '.ocard__no'),
    status: mp.text(c, '.ocard__status'),
    payable: mp.text(c, '.ocard__payable'),
    actions: mp.texts(c, '.action'),
  }))
}

async function tab(page, text) {
  await mp.tap(mp.all(page, '.tab').find((t) => mp.textOf(t).startsWith(text)))
  await fakeWx.idle()
}

test('the tabs filter by status, with counts, and each card shows its status, payable and actions', async () => {
  const token = await shopperToken()
  const mug = (await mp.skuOf(MUG)).id
  const pending = await mp.placeOrder(token, [{ sku_id: mug, quantity: 1 }])
  const paid = await mp.paidOrder(token, [{ sku_id: mug, quantity: 2 }])
  const shipped = await mp.paidOrder(token, [{ sku_id: mug, quantity: 1 }])
  await mp.shipOrder(shipped.id)

  const page = await openList()
  expect(mp.texts(page, '.tab')).toEqual(['全部', '待付款1', '待发货1', '待收货1', '已完成', '售后'])
  expect(cards(page)).toEqual([
    { no: `订单号 ${shipped.order_no}`, status: '待收货', payable: format.price(shipped.payable_fen), actions: ['申请售后', '查看物流', '确认收货'] },
    { no: `订单号 ${paid.order_no}`, status: '待发货', payable: format.price(paid.payable_fen), actions: ['申请退款'] },
    { no: `订单号 ${pending.order_no}`, status: '待付款', payable: format.price(pending.payable_fen), actions: ['取消订单', '去支付'] },
  ])
  expect(mp.text(page, '.ocard__sum')).toBe(`共 1 件 实付${format.price(shipped.payable_fen)}`)

  await tab(page, '待发货')
  expect(cards(page).map((c) => c.no)).toEqual([`订单号 ${paid.order_no}`])
  await tab(page, '待付款')
  expect(cards(page).map((c) => c.no)).toEqual([`订单号 ${pending.order_no}`])

  // 去支付 from the card; the card moves to 待发货
  await mp.tap(mp.all(page, '.action').find((a) => mp.textOf(a) === '去支付'))
  await fakeWx.idle()
  expect((await mp.api('GET', `/api/v1/orders/${pending.id}`, { token })).status).toBe('paid')
  expect(cards(page)).toEqual([])
  expect(mp.text(page, '.orders__footer')).toBe('暂无相关订单')
  expect(mp.texts(page, '.tab')).toEqual(['全部', '待付款', '待发货2', '待收货1', '已完成', '售后'])

  await tab(page, '待收货')
  await mp.tap(mp.all(page, '.action').find((a) => mp.textOf(a) === '确认收货'))
  await fakeWx.idle()
  expect((await mp.api('GET', `/api/v1/orders/${shipped.id}`, { token })).status).toBe('completed')
  await tab(page, '已完成')
  expect(cards(page)).toEqual([{ no: `订单号 ${shipped.order_no}`, status: '已完成', payable: format.price(shipped.payable_fen), actions: ['申请售后', '查看物流'] }])

  // 申请售后 opens the detail page with the refund sheet; tapping a card opens its detail
  await mp.tap(mp.all(page, '.action').find((a) => mp.textOf(a) === '申请售后'))
  await mp.tap(page.querySelector('.ocard__head'))
  expect(fakeWx.navigations).toEqual([
    { type: 'navigateTo', url: `/pages/order/detail?id=${shipped.id}&refund=1` },
    { type: 'navigateTo', url: `/pages/order/detail?id=${shipped.id}` },
  ])
})

test('opened from 我的 on a status, that tab is chosen; reaching the bottom loads the next ten', async () => {
  const token = await shopperToken()
  const cable = (await mp.skuOf(CABLE, 20)).id
  const placed = []
  for (let i = 0; i < 12; i++) placed.push(await mp.placeOrder(token, [{ sku_id: cable, quantity: 1 }]))

  const page = await openList({ status: 'pending_payment' })
  expect(mp.text(page, '.tab--active')).toBe('待付款12')
  expect(cards(page)).toHaveLength(10)
  expect(mp.text(page, '.orders__footer')).toBe('上拉加载更多')
  await page.instance.onReachBottom()
  expect(cards(page).map((c) => c.no)).toEqual(placed.reverse().map((o) => `订单号 ${o.order_no}`))
  expect(mp.text(page, '.orders__footer')).toBe('没有更多了')

  // 取消订单 from a card asks first
  await mp.tap(mp.all(page, '.action').find((a) => mp.textOf(a) === '取消订单'))
  await fakeWx.idle()
  expect(fakeWx.modals.pop().title).toBe('取消订单')
  expect(cards(page)).toHaveLength(10)
  expect((await mp.api('GET', '/api/v1/orders/counts', { token })).cancelled).toBe(1)
})

test('the 售后 tab lists the refund requests with their status and amount', async () => {
  const token = await shopperToken()
  const order = await mp.paidOrder(token, [{ sku_id: (await mp.skuOf(MUG)).id, quantity: 2 }])
  const refund = await mp.api('POST', `/api/v1/orders/${order.id}/refunds`, {
    token, body: { lines: [{ order_line_id: order.lines[0].id, quantity: 1 }], reason: '不想要了' },
  })
  await mp.admin('POST', `/api/v1/admin/refunds/${refund.id}/reject`, { reason: '已超过售后期' })

  const page = await openList({ status: 'refund' })
  const rows = mp.rows(page, '.rcard')
  expect(rows).toHaveLength(1)
  expect(mp.text(rows[0], '.rcard__status')).toBe('已驳回')
  expect(mp.text(rows[0], '.rcard__amount')).toBe(format.price(refund.amount_fen))
  expect(mp.text(rows[0], '.rcard__lines')).toBe(`${order.lines[0].title} ×1`)
  expect(mp.text(rows[0], '.rcard__reject')).toBe('驳回原因：已超过售后期')
  await mp.tap(rows[0])
  expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: `/pages/order/detail?id=${order.id}` }])
})
