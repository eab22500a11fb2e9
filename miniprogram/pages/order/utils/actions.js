// What the order buttons do, shared by the order list and the order detail. Each resolves to the updated
// order, or null when the shopper changed their mind or the API refused (its message has been shown).
const api = require('../../../utils/api')
const { paths } = api
const { payOrder } = require('./pay')

function confirm(title, content, confirmText) {
  return new Promise((resolve) => {
    wx.showModal({
      title, content, confirmText, cancelText: '再想想',
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    })
  })
}

async function cancelOrder(order) {
  if (!(await confirm('取消订单', '确定取消这个订单吗？取消后商品将退回库存。', '取消订单'))) return null
  const updated = await api.post(paths.orderCancel(order.id), {}).catch(() => null)
  if (updated) wx.showToast({ title: '订单已取消', icon: 'none' })
  return updated
}

async function confirmReceipt(order) {
  if (!(await confirm('确认收货', '请确认已收到全部商品，确认后订单完成。', '确认收货'))) return null
  const updated = await api.post(paths.orderConfirmReceipt(order.id), {}).catch(() => null)
  if (updated) wx.showToast({ title: '已确认收货', icon: 'success' })
  return updated
}

// → the payOrder outcome; a toast says how it went unless it was paid (the caller shows that).
async function pay(order) {
  const outcome = await payOrder(order)
  if (outcome.status !== 'paid') wx.showToast({ title: outcome.message, icon: 'none', duration: 2500 })
  return outcome
}

function copy(text, what) {
  wx.setClipboardData({ data: String(text), success: () => wx.showToast({ title: `${what}已复制`, icon: 'none' }) })
}

module.exports = { confirm, cancelOrder, confirmReceipt, pay, copy }
