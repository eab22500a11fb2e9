// After-sale on 订单详情 against the running backend: the kind offered only from the order's refund_kinds, up to 3
// photos from wx.chooseMedia uploaded and checked by the API, and a return (退货退款) through the shop's return
// address, the buyer's return parcel and the staff's receipt to the refund; the 售后 tab shows kind and status.
const fs = require('fs')
const os = require('os')
const path = require('path')
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

const TSHIRT = '纯棉圆领短袖T恤'
const MUG = '陶瓷马克杯 350ml'
const RETURN_ADDRESS = '退货仓 王五 13700137000 浙江省杭州市余杭区文一西路 100 号'

async function shopperToken() {
  await getApp().ready()
  return wx.getStorageSync('token')
}

async function openDetail(id) {
  const page = mp.loadPage('pages/order/detail')
  await page.instance.onLoad({ id: String(id) })
  await fakeWx.idle()
  return page
}

async function act(page, text) {
  const node = mp.all(page, '.action').find((a) => mp.textOf(a) === text)
  if (!node) throw new Error(`no action ${text}; there are ${mp.texts(page, '.action')}`)
  await mp.tap(node)
  await fakeWx.idle()
}

// Pictures on the phone, as chooseMedia hands them over: the demo shop's product photos, saved locally.
async function pictures(n) {
  const { images } = await mp.productTitled(MUG)
  const body = Buffer.from(await (await fetch(images[0])).arrayBuffer())
  return Array.from({ length: n }, (_, i) => {
    const file = path.join(os.tmpdir(), `wx-media-${process.pid}-${Date.now()}-${i}.jpg`)
    fs.writeFileSync(file, body)
    return file
  })
}

async function addPhotos(page) {
  await mp.tap(page.querySelector('.photo--add'))
  await fakeWx.idle()
}

test('an unshipped order offers 仅退款 only; a photo is uploaded, a bad file refused, one removed', async () => {
  const token = await shopperToken()
  const order = await mp.paidOrder(token, [{ sku_id: (await mp.skuOf(MUG)).id, quantity: 1 }])
  expect(order.refund_kinds).toEqual(['refund_only'])
  const page = await openDetail(order.id)
  await act(page, '申请退款')
  expect(mp.all(page, '.kind')).toHaveLength(0) // nothing to choose
  expect(mp.text(page, '.sheet__title')).toBe('申请退款')

  const [a, b] = await pictures(2)
  const notAPicture = path.join(os.tmpdir(), `wx-media-${process.pid}-${Date.now()}.jpg`)
  fs.writeFileSync(notAPicture, 'not a picture')
  fakeWx.mediaAnswers.push([a, notAPicture, b])
  await addPhotos(page)
  expect(fakeWx.chosenMedia[0]).toMatchObject({ count: 3, mediaType: ['image'] })
  expect(fakeWx.uploads.map((u) => [u.url, u.statusCode])).toEqual([
    [`${mp.harness().apiBase}/api/v1/refunds/photos`, 201],
    [`${mp.harness().apiBase}/api/v1/refunds/photos`, 422],
    [`${mp.harness().apiBase}/api/v1/refunds/photos`, 201],
  ])
  expect(fakeWx.toasts.pop().title).toBe('无法识别的图片文件')
  expect(mp.all(page, '.photo__img')).toHaveLength(2)
  await mp.tap(mp.all(page, '.photo__remove')[0])
  expect(page.data.photos).toHaveLength(1)
  const kept = page.data.photos[0].path

  page.instance.onReasonChange({ detail: { value: '2' } })
  const refund = await page.instance.onSubmitRefund()
  await fakeWx.idle()
  expect(refund.kind).toBe('refund_only')
  const [stored] = await mp.api('GET', `/api/v1/orders/${order.id}/refunds`, { token })
  expect(stored.photos).toHaveLength(1)
  expect(stored.photos[0].endsWith(kept.split('/').pop())).toBe(true)
  expect(mp.text(page, '.refund__kind')).toBe('仅退款')
  expect(mp.all(page, '.refund__photo')).toHaveLength(1)
})

test('a return: 退货退款 with 3 photos, the shop’s address, the return parcel, then the refund', async () => {
  const token = await shopperToken()
  const tee = await mp.skuOf(TSHIRT)
  const order = await mp.paidOrder(token, [{ sku_id: tee.id, quantity: 3 }])
  await mp.shipOrder(order.id)
  const line = order.lines[0]
  const page = await openDetail(order.id)
  await act(page, '申请售后')
  expect(mp.texts(page, '.kind')).toEqual(['仅退款', '退货退款'])
  expect(mp.text(page, '.kind--on')).toBe('仅退款')
  await mp.tap(mp.all(page, '.kind')[1])
  expect(mp.text(page, '.kind--on')).toBe('退货退款')
  expect(mp.text(page, '.sheet__title')).toBe('申请退货退款')
  expect(mp.text(page, '.kinds__tip')).toBe('商家同意后，按退货地址寄回商品，商家收到后退款')

  fakeWx.mediaAnswers.push(await pictures(4)) // one more than allowed: only 3 are asked for and kept
  await addPhotos(page)
  expect(fakeWx.chosenMedia[0].count).toBe(3)
  expect(mp.all(page, '.photo__img')).toHaveLength(3)
  expect(page.querySelector('.photo--add')).toBeUndefined()

  await mp.tap(mp.rows(page, '.rline')[0].querySelector('.stepper__btn--minus')) // 2 of the 3
  page.instance.onReasonChange({ detail: { value: '2' } })
  const refund = await page.instance.onSubmitRefund()
  await fakeWx.idle()
  expect(refund.amount_fen).toBe(Math.floor((line.paid_fen * 2) / 3))
  expect(refund.kind).toBe('return_and_refund')
  expect(fakeWx.modals.pop()).toMatchObject({
    title: '退货申请已提交',
    content: `退款金额 ${format.price(refund.amount_fen)}，商家同意后请按退货地址寄回商品，收到退货后原路退款`,
  })
  expect(mp.text(page, '.refund__kind')).toBe('退货退款')
  expect(mp.text(page, '.refund__status')).toBe('审核中')
  expect(mp.all(page, '.refund__photo')).toHaveLength(3)
  expect(page.querySelector('.return')).toBeUndefined()

  await mp.admin('PUT', '/api/v1/admin/settings', { return_address: RETURN_ADDRESS })
  const approved = await mp.admin('POST', `/api/v1/admin/refunds/${refund.id}/approve`)
  expect(approved.status).toBe('awaiting_return')
  await page.instance.onPullDownRefresh()
  expect(mp.text(page, '.refund__status')).toBe('待寄回商品')
  expect(mp.text(page, '.return__address')).toBe(RETURN_ADDRESS)
  await mp.tap(page.querySelector('.return__copy'))
  await fakeWx.idle()
  expect(fakeWx.clipboard).toEqual([RETURN_ADDRESS])
  expect(fakeWx.toasts.pop().title).toBe('退货地址已复制')

  await mp.tap(page.querySelector('.return-form__submit'))
  expect(fakeWx.toasts.pop().title).toBe('请填写快递公司')
  page.querySelector('.return-form__carrier').dispatchEvent('input', { detail: { value: '中通快递' } })
  page.querySelector('.return-form__no').dispatchEvent('input', { detail: { value: 'ZT778899001' } })
  await mp.tap(page.querySelector('.return-form__submit'))
  await fakeWx.idle()
  const sent = await mp.api('GET', `/api/v1/refunds/${refund.id}`, { token })
  expect([sent.return_carrier, sent.return_tracking_no, sent.status]).toEqual(['中通快递', 'ZT778899001', 'awaiting_return'])
  expect(mp.text(page, '.refund__parcel')).toMatch(/^退货物流：中通快递 ZT778899001/)
  expect(mp.text(page, '.return-form__submit')).toBe('修改退货物流')

  const done = await mp.admin('POST', `/api/v1/admin/refunds/${refund.id}/confirm-return`, { restock: true })
  expect([done.status, done.amount_fen]).toEqual(['refunded', refund.amount_fen])
  await page.instance.onPullDownRefresh()
  expect(mp.text(page, '.refund__status')).toBe('已退款')
  expect(page.querySelector('.return')).toBeUndefined()
  expect(page.querySelector('.return-form')).toBeUndefined()
  expect(mp.text(page, '.sum__refunded')).toBe(format.price(refund.amount_fen))

  const list = mp.loadPage('pages/order/list')
  await list.instance.onLoad({ status: 'refund' })
  await fakeWx.idle()
  const card = mp.rows(list, '.rcard').find((c) => mp.text(c, '.ocard__no') === `订单号 ${order.order_no}`)
  expect([mp.text(card, '.rcard__kind'), mp.text(card, '.rcard__status')]).toEqual(['退货退款', '已退款'])
})

test('adding a photo waits for the privacy agreement: WeChat holds chooseMedia until then', async () => {
  const token = await shopperToken()
  const order = await mp.paidOrder(token, [{ sku_id: (await mp.skuOf(MUG)).id, quantity: 1 }])
  const page = await openDetail(order.id)
  await act(page, '申请退款')
  fakeWx.privacy.needAuthorization = true
  fakeWx.mediaAnswers.push(await pictures(1))
  const adding = page.instance.onAddPhoto()
  await fakeWx.idle()
  expect(fakeWx.chosenMedia).toEqual([])
  const popup = page.querySelector('.privacy-popup')
  expect(popup.querySelector('.privacy__sheet')).toBeTruthy()

  popup.querySelector('.privacy__btn--agree').dispatchEvent('agreeprivacyauthorization')
  await adding
  await fakeWx.idle()
  expect(fakeWx.privacy.events).toEqual(['asked', 'agreed', 'chooseMedia'])
  expect(page.data.photos).toHaveLength(1)
  expect(fakeWx.uploads.map((u) => u.statusCode)).toEqual([201])
})
