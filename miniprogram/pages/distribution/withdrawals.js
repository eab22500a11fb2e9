// 提现记录: each withdrawal with its status (待审核/已同意/已到账/已驳回/失败), method and the reason when refused.
const api = require('../../utils/api')
const format = require('../../utils/format')
const labels = require('./utils/labels')
const { pagedMethods } = require('./utils/paged')

const PAGE_SIZE = 20

Component({
  data: { items: [], page: 0, total: 0, status: 'loading' },

  methods: Object.assign(pagedMethods(PAGE_SIZE), {
    onLoad() {
      return getApp().ready().then(() => this.loadPage(1), () => this.setData({ status: 'error' }))
    },

    onShow() {
      if (this.data.page) return this.loadPage(1)
      return Promise.resolve()
    },

    fetch(page, pageSize) {
      return api.get('/api/v1/distribution/withdrawals', { page, page_size: pageSize }, { toast: false })
    },

    mapItem(w) {
      return Object.assign({}, w, {
        statusText: labels.WITHDRAWAL_STATUS[w.status] || w.status,
        methodText: w.method === 'bank' ? `银行卡 ${w.bank_name} ${w.account_no_masked}`.trim() : '微信零钱',
        amount: format.price(w.amount_fen),
        payout: format.price(w.payout_fen),
        fee: w.fee_fen ? format.price(w.fee_fen) : '',
        created: format.dateTime(w.created_at),
        reason: w.status === 'rejected' ? w.reject_reason : (w.status === 'failed' ? w.failure : ''),
      })
    },
  }),
})
