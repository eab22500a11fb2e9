// An order and a refund as the order pages show them: their words from utils/status, the buttons the API
// offers, and the lines' specs as text.
const format = require('../../../utils/format')
const status = require('../../../utils/status')

function orderView(order) {
  return Object.assign({}, order, {
    statusText: status.label(status.ORDER_STATUS, order.status),
    itemCount: order.lines.reduce((n, l) => n + l.quantity, 0),
    lines: order.lines.map((l) => Object.assign({}, l, { specsText: format.specsText(l.specs) })),
    buttons: status.orderButtons(order),
  })
}

function refundView(refund) {
  return Object.assign({}, refund, {
    statusText: status.label(status.REFUND_STATUS, refund.status),
    kindText: status.label(status.REFUND_KIND, refund.kind || 'refund_only'),
    canShipReturn: (refund.actions || []).indexOf('ship_return') >= 0,
    returnShippedText: refund.return_shipped_at ? format.dateTime(refund.return_shipped_at) : '',
    linesText: refund.lines.map((l) => `${l.title} ×${l.quantity}`).join('，'),
    createdText: format.dateTime(refund.created_at),
  })
}

module.exports = { orderView, refundView }
