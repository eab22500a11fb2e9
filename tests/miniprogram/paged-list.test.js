// The paging Behavior (miniprogram/behaviors/paged-list.js) as the shopper meets it on 我的订单, against the
// running backend: the next page on reaching the bottom, a stale answer dropped, a failed page retried.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

const BOXES = '收纳箱 三件套' // only this file orders it
const MUG = '陶瓷马克杯 350ml'

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

const shownNos = (page) => mp.texts(page, '.ocard__no')
const ordersAsked = () => fakeWx.requests.filter((r) => r.method === 'GET' && /\/api\/v1\/orders\?/.test(r.url)).map((r) => r.url)

async function pendingOrders(token, n) {
  const boxes = (await mp.skuOf(BOXES, n + 1)).id
  const placed = []
  for (let i = 0; i < n; i++) placed.push(await mp.placeOrder(token, [{ sku_id: boxes, quantity: 1 }]))
  return placed.reverse() // newest first, as the list shows them
}

test('reaching the bottom asks for page 2 and appends it; at the end nothing more is asked', async () => {
  const token = await shopperToken()
  const placed = await pendingOrders(token, 12)
  const page = await openList({ status: 'pending_payment' })
  expect(shownNos(page)).toEqual(placed.slice(0, 10).map((o) => `订单号 ${o.order_no}`))
  expect(page.data).toMatchObject({ page: 1, total: 12, status: 'more' })

  fakeWx.requests.length = 0
  await page.instance.onReachBottom()
  expect(ordersAsked()).toEqual([expect.stringMatching(/[?&]page=2&page_size=10&status=pending_payment$/)])
  expect(shownNos(page)).toEqual(placed.map((o) => `订单号 ${o.order_no}`))
  expect(page.data).toMatchObject({ page: 2, total: 12, status: 'end' })
  expect(mp.text(page, '.orders__footer')).toBe('没有更多了')

  await page.instance.onReachBottom()
  expect(ordersAsked()).toHaveLength(1)
})

test('an answer that comes back after a newer request is dropped', async () => {
  const token = await shopperToken()
  const mug = (await mp.skuOf(MUG)).id
  const [pending] = [await mp.placeOrder(token, [{ sku_id: mug, quantity: 1 }])]
  const paid = await mp.paidOrder(token, [{ sku_id: mug, quantity: 1 }])
  const page = await openList()
  expect(shownNos(page)).toEqual([`订单号 ${paid.order_no}`, `订单号 ${pending.order_no}`])

  // 待付款 is tapped, its answer is slow; 待发货 is tapped and answered first
  const slow = fakeWx.holdNextAnswer('GET', /\/api\/v1\/orders\?.*status=pending_payment/)
  const tab = (text) => mp.all(page, '.tab').find((t) => mp.textOf(t).startsWith(text))
  await mp.tap(tab('待付款'))
  await mp.tap(tab('待发货'))
  await fakeWx.idle()
  expect(shownNos(page)).toEqual([`订单号 ${paid.order_no}`])

  await slow.release()
  expect(mp.text(page, '.tab--active')).toBe('待发货1')
  expect(shownNos(page)).toEqual([`订单号 ${paid.order_no}`])
  expect(page.data).toMatchObject({ page: 1, total: 1, status: 'end' })
})

test('a page whose answer is lost shows 加载失败，点击重试, and the retry asks for that page again', async () => {
  const token = await shopperToken()
  const placed = await pendingOrders(token, 11)
  const page = await openList({ status: 'pending_payment' })

  fakeWx.loseNextAnswer('GET', /\/api\/v1\/orders\?page=2&/)
  await page.instance.onReachBottom()
  await fakeWx.idle()
  expect(mp.text(page, '.orders__footer')).toBe('加载失败，点击重试')
  expect(shownNos(page)).toHaveLength(10)

  fakeWx.requests.length = 0
  await mp.tap(page.querySelector('.orders__footer').querySelector('.footer'))
  await fakeWx.idle()
  expect(ordersAsked()).toEqual([expect.stringMatching(/[?&]page=2&/)])
  expect(shownNos(page)).toEqual(placed.map((o) => `订单号 ${o.order_no}`))
  expect(mp.text(page, '.orders__footer')).toBe('没有更多了')
})

test('pulling down shows page 1 again with fresh counts', async () => {
  const token = await shopperToken()
  const placed = await pendingOrders(token, 11)
  const page = await openList({ status: 'pending_payment' })
  await page.instance.onReachBottom()
  expect(shownNos(page)).toHaveLength(11)

  const newest = await mp.placeOrder(token, [{ sku_id: placed[0].lines[0].sku_id, quantity: 1 }])
  await page.instance.onPullDownRefresh()
  await fakeWx.idle()
  expect(shownNos(page)).toEqual([newest].concat(placed.slice(0, 9)).map((o) => `订单号 ${o.order_no}`))
  expect(page.data).toMatchObject({ page: 1, total: 12, status: 'more' })
  expect(mp.text(page, '.tab--active')).toBe('待付款12')
})
