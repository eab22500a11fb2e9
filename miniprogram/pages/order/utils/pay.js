// Paying an order: POST /orders/{id}/pay, then WeChat Pay (wx.requestPayment), or in the sandbox the fake
// WeChat's confirmation, which sends the signed payment notification to the backend as WeChat would.
// The order is paid when the backend says so: its status is polled afterwards, sooner at first and then less
// often, for about six seconds (WeChat's notification usually lands at once, sometimes seconds later).
const api = require('../../../utils/api')
const { paths } = api
const format = require('../../../utils/format')

const POLL_DELAYS_MS = [300, 500, 800, 1200, 1500, 2000]

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms))
}

function ask(title, content, confirmText) {
  return new Promise((resolve) => {
    wx.showModal({
      title, content, confirmText, cancelText: '取消',
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    })
  })
}

function sandboxConfirm(prepayId) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: api.sandboxPayConfirmUrl(),
      method: 'POST',
      data: { prepay_id: prepayId },
      header: { 'content-type': 'application/json' },
      success: (res) => (res.statusCode === 200 ? resolve(res.data) : reject(new Error(`sandbox ${res.statusCode}`))),
      fail: (err) => reject(new Error(err.errMsg || 'sandbox unreachable')),
    })
  })
}

// → 'paid' | 'cancelled' | 'failed'
function requestPayment(params) {
  return new Promise((resolve) => {
    wx.requestPayment(Object.assign({}, params, {
      success: () => resolve('paid'),
      fail: (err) => resolve(/cancel/i.test((err && err.errMsg) || '') ? 'cancelled' : 'failed'),
    }))
  })
}

async function waitPaid(orderId) {
  let order = null
  for (const delay of POLL_DELAYS_MS) {
    order = await api.get(paths.order(orderId), null, { toast: false }).catch(() => order)
    if (order && order.status !== 'pending_payment') return order
    await sleep(delay)
  }
  return api.get(paths.order(orderId), null, { toast: false }).catch(() => order)
}

/**
 * Pays order `order` ({id, payable_fen}) → { status: 'paid' | 'cancelled' | 'failed' | 'pending', order, message }.
 * 'pending': WeChat took the money but the backend has not heard yet (the order page shows 支付确认中).
 */
async function payOrder(order) {
  let started
  try {
    started = await api.post(paths.orderPay(order.id), {}, { toast: false })
  } catch (err) {
    return { status: 'failed', message: err.message }
  }
  let outcome
  if (started.sandbox) {
    const ok = await ask('沙箱支付', `模拟微信支付 ${format.price(order.payable_fen)}，确认付款吗？`, '确认付款')
    if (!ok) return { status: 'cancelled', message: '已取消支付' }
    wx.showLoading({ title: '支付中', mask: true })
    try {
      await sandboxConfirm(started.prepay_id)
      outcome = 'paid'
    } catch (err) {
      outcome = 'failed'
    }
  } else {
    outcome = await requestPayment(started.pay_params)
    if (outcome === 'paid') wx.showLoading({ title: '确认支付结果', mask: true })
  }
  if (outcome !== 'paid') {
    wx.hideLoading()
    return { status: outcome, message: outcome === 'cancelled' ? '已取消支付' : '支付失败，请稍后重试' }
  }
  const latest = await waitPaid(order.id)
  wx.hideLoading()
  if (latest && latest.status !== 'pending_payment') return { status: 'paid', order: latest }
  return { status: 'pending', order: latest, message: '支付结果确认中，请稍后刷新' }
}

module.exports = { payOrder, waitPaid }
