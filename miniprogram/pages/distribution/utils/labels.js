// The distribution centre's words for the API's states.
const format = require('../../../utils/format')

const COMMISSION_STATUS = { frozen: '待结算', settled: '已结算', cancelled: '已失效' }
const WITHDRAWAL_STATUS = { pending: '待审核', approved: '已同意', paid: '已到账', rejected: '已驳回', failed: '失败' }
const ORDER_STATUS = {
  pending_payment: '待付款', paid: '已付款', shipped: '已发货', completed: '已完成', cancelled: '已取消', closed: '已关闭',
}
const LEVEL = { 1: '一级', 2: '二级' }

function withdrawalRules(rules) {
  return [
    `单笔最低 ${format.price(rules.min_fen)}，最高 ${format.price(rules.max_fen)}`,
    `手续费 ${format.percent(rules.fee_bp)}，每天最多提现 ${rules.daily_count} 次`,
  ]
}

module.exports = { COMMISSION_STATUS, WITHDRAWAL_STATUS, ORDER_STATUS, LEVEL, withdrawalRules }
