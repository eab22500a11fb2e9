// Orders and refunds in the shopper's words: status labels, what can be done in each state, and how many
// units of a line may still be asked back.

const ORDER_STATUS = {
  pending_payment: '待付款',
  paid: '待发货',
  shipped: '待收货',
  completed: '已完成',
  cancelled: '已取消',
  closed: '已关闭',
}

const ORDER_HINT = {
  pending_payment: '请尽快付款，超时未付款订单将自动取消',
  paid: '商家正在备货，请耐心等待发货',
  shipped: '包裹正在路上，请注意查收',
  completed: '交易已完成，感谢你的惠顾',
  cancelled: '订单已取消',
  closed: '订单已全部退款，交易关闭',
}

const REFUND_STATUS = {
  requested: '审核中',
  approved: '退款中',
  refunded: '已退款',
  rejected: '已驳回',
}

const REFUNDABLE = ['paid', 'shipped', 'completed']

function specsText(specs) {
  return Object.keys(specs || {}).map((k) => specs[k]).join(' ')
}

// Units of each line already taken by a refund that is not rejected (requested, approved or refunded).
function reservedQuantities(refunds) {
  const reserved = {}
  ;(refunds || []).forEach((r) => {
    if (r.status === 'rejected') return
    r.lines.forEach((l) => {
      reserved[l.order_line_id] = (reserved[l.order_line_id] || 0) + l.quantity
    })
  })
  return reserved
}

// How many units of each line can still be asked back: quantity − refunded − already requested.
function refundableQuantities(order, refunds) {
  const reserved = reservedQuantities(refunds)
  const left = {}
  order.lines.forEach((line) => {
    const taken = Math.max(reserved[line.id] || 0, line.refunded_quantity || 0)
    left[line.id] = Math.max(0, line.quantity - taken)
  })
  return left
}

function canRefund(order, refunds) {
  if (REFUNDABLE.indexOf(order.status) < 0) return false
  const left = refundableQuantities(order, refunds)
  return Object.keys(left).some((id) => left[id] > 0)
}

// The buttons of an order, in display order; the last one is the main action.
function actionsFor(order, { refundable = REFUNDABLE.indexOf(order.status) >= 0 } = {}) {
  const actions = []
  switch (order.status) {
    case 'pending_payment':
      actions.push({ key: 'cancel', text: '取消订单' }, { key: 'pay', text: '去支付', primary: true })
      break
    case 'paid':
      if (refundable) actions.push({ key: 'refund', text: '申请退款' })
      break
    case 'shipped':
      if (refundable) actions.push({ key: 'refund', text: '申请售后' })
      actions.push({ key: 'logistics', text: '查看物流' }, { key: 'receive', text: '确认收货', primary: true })
      break
    case 'completed':
      if (refundable) actions.push({ key: 'refund', text: '申请售后' })
      if (order.shipment) actions.push({ key: 'logistics', text: '查看物流' })
      break
    default:
      break
  }
  return actions
}

function orderView(order) {
  return Object.assign({}, order, {
    statusText: ORDER_STATUS[order.status] || order.status,
    itemCount: order.lines.reduce((n, l) => n + l.quantity, 0),
    lines: order.lines.map((l) => Object.assign({}, l, { specsText: specsText(l.specs) })),
  })
}

function refundView(refund) {
  return Object.assign({}, refund, {
    statusText: REFUND_STATUS[refund.status] || refund.status,
    linesText: refund.lines.map((l) => `${l.title} ×${l.quantity}`).join('，'),
  })
}

module.exports = {
  ORDER_STATUS, ORDER_HINT, REFUND_STATUS, specsText, reservedQuantities, refundableQuantities, canRefund,
  actionsFor, orderView, refundView,
}
