// Every state the shopper reads, in the shopper's words: their orders and refunds, the distributor application,
// commissions, withdrawals, promotion orders, coupons, growth and 分享有礼, and the words of the order buttons. Pages
// take their labels from here. Which buttons an order has is not decided here: the API lists them (`order.actions`).

// The shopper's own orders, as what happens next (待发货, 待收货).
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
  awaiting_return: '待寄回商品',
  approved: '退款中',
  refunded: '已退款',
  rejected: '已驳回',
}

// What an after-sale request asks for (the order's refund_kinds offer them).
const REFUND_KIND = {
  refund_only: '仅退款',
  return_and_refund: '退货退款',
}

// Someone else's order that earned the distributor commission: what has happened to it (已付款, 已发货).
const PROMOTION_ORDER_STATUS = {
  pending_payment: '待付款',
  paid: '已付款',
  shipped: '已发货',
  completed: '已完成',
  cancelled: '已取消',
  closed: '已关闭',
}

const COMMISSION_STATUS = { frozen: '待结算', settled: '已结算', cancelled: '已失效' }

const COMMISSION_LEVEL = { 1: '一级', 2: '二级' }

// 推广订单: what the commission of an order is called, by its state (settled is earned, no longer expected).
const PROMOTION_EARNING = { frozen: '预计佣金', settled: '已得佣金', cancelled: '佣金已失效' }

const WITHDRAWAL_STATUS = {
  pending: '待审核', approved: '已同意', awaiting_confirmation: '待确认收款', paid: '已到账', rejected: '已驳回', failed: '失败',
}

// 我的优惠券: a coupon's state. A locked one is held by an order that is not paid yet; it comes back if that order is
// cancelled or times out.
const COUPON_STATUS = { unused: '未使用', locked: '使用中', used: '已使用', expired: '已过期' }

// Why a coupon of the 领券中心 cannot be claimed (the API's `refusal`, or the code of a refused claim): the word on
// its button, and what the shopper is told after tapping.
const COUPON_CLAIM_REFUSAL = {
  coupon_sold_out: { button: '已抢光', toast: '来晚了，这张券已被抢光' },
  coupon_limit_reached: { button: '已领取', toast: '你已领过这张券，不能再领了' },
  coupon_not_claimable: { button: '已结束', toast: '这张券已停止领取' },
}

// Where a coupon came from.
const COUPON_SOURCE = { claim: '自领', issue: '商家赠送', reward: '邀请奖励' }

// 会员中心's growth history: where each entry of the ledger came from.
const GROWTH_KIND = {
  order_completed: '订单完成', order_refunded: '订单退款', check_in: '每日签到', share_reward: '邀请奖励', adjustment: '商家调整',
}

// 分享有礼: a reward, from the invitee's first paid order until it is given (or the order is refunded whole).
const SHARE_REWARD_STATUS = { pending: '待发放', granted: '已发放', cancelled: '已取消' }

// 分享有礼's invitees: where each one stands (no paid order yet: 未下单).
const INVITEE_STATUS = { pending: '已下单，奖励待发放', granted: '奖励已发放', cancelled: '订单已退款' }

// The tag beside the nickname on 我的 (nothing for none, rejected or disabled).
const DISTRIBUTOR_TAG = { pending: '分销员审核中', approved: '分销员' }

// The notice of the 分销中心 for a state of the application ({ appliedAt, rejectReason } as shown).
const DISTRIBUTOR_NOTICE = {
  pending: {
    title: '申请审核中',
    text: ({ appliedAt }) => `你于 ${appliedAt} 提交了申请，商家审核后即可开始推广，请耐心等待。`,
  },
  rejected: {
    title: '申请未通过',
    text: ({ rejectReason }) => `原因：${rejectReason || '未说明'}`,
  },
  disabled: {
    title: '分销资格已停用',
    text: () => '你的分销员资格已被商家停用，暂时不能推广和获得佣金。已获得的佣金不受影响，如有疑问请联系客服。',
  },
}

// The words of the actions the API offers on an order. Asking money back is 申请退款 before the parcel leaves
// and 申请售后 once it has.
const ORDER_ACTION = {
  cancel: () => '取消订单',
  pay: () => '去支付',
  request_refund: (order) => (order.status === 'paid' ? '申请退款' : '申请售后'),
  view_logistics: () => '查看物流',
  confirm_receipt: () => '确认收货',
}

// Moving the order forward (paying, receiving) is the filled button; the others are outlined.
const FORWARD_ACTIONS = ['pay', 'confirm_receipt']

function label(words, key) {
  return words[key] || String(key)
}

// The API's `order.actions`, in its order (the main one last), as buttons { key, text, primary }. An action
// this version has no words for is left out: it could not be carried out either.
function orderButtons(order) {
  return (order.actions || []).filter((key) => ORDER_ACTION[key]).map((key) => ({
    key, text: ORDER_ACTION[key](order), primary: FORWARD_ACTIONS.indexOf(key) >= 0,
  }))
}

function distributorNotice(status, facts) {
  const notice = DISTRIBUTOR_NOTICE[status]
  return notice ? { title: notice.title, text: notice.text(facts || {}) } : null
}

module.exports = {
  ORDER_STATUS, ORDER_HINT, REFUND_STATUS, REFUND_KIND, PROMOTION_ORDER_STATUS, COMMISSION_STATUS, COMMISSION_LEVEL, PROMOTION_EARNING,
  WITHDRAWAL_STATUS, DISTRIBUTOR_TAG, GROWTH_KIND, SHARE_REWARD_STATUS, INVITEE_STATUS,
  COUPON_STATUS, COUPON_CLAIM_REFUSAL, COUPON_SOURCE, label, orderButtons,
  distributorNotice,
}
