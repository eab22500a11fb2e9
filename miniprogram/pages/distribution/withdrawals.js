// 提现记录: each withdrawal with its status (待审核/已同意/已到账/已驳回/失败), method and the reason when refused.
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const status = require('../../utils/status')
const pagedList = require('../../behaviors/paged-list')

Component({
  behaviors: [pagedList],

  methods: {
    onLoad() {
      return getApp().ready().then(() => this.loadPage(1), () => this.setData({ status: 'error' }))
    },

    onShow() {
      if (this.data.page) return this.loadPage(1)
      return Promise.resolve()
    },

    fetch(page, pageSize) {
      return api.get(paths.distributionWithdrawals, { page, page_size: pageSize }, { toast: false })
    },

    mapItem(w) {
      return Object.assign({}, w, {
        statusText: status.label(status.WITHDRAWAL_STATUS, w.status),
        methodText: w.method === 'bank' ? `银行卡 ${w.bank_name} ${w.account_no_masked}`.trim() : '微信零钱',
        amount: format.price(w.amount_fen),
        payout: format.price(w.payout_fen),
        fee: w.fee_fen ? format.price(w.fee_fen) : '',
        created: format.dateTime(w.created_at),
        reason: w.status === 'rejected' ? w.reject_reason : (w.status === 'failed' ? w.failure : ''),
      })
    },
  },
})
