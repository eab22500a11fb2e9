// 提现: the amount in yuan (parsed to integer fen as text: no floats, at most two decimals), WeChat balance
// or a bank card, the rules from the settings and the available balance. The API decides the rules
// (minimum, maximum, balance, daily count) and its refusals are shown with their message.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const format = require('../../utils/format')
const privacyGate = require('../../behaviors/privacy-gate')

const ACCOUNT_NO = /^\d{12,30}$/

// The settings' withdrawal rules, as the lines under the form.
function withdrawalRules(rules) {
  return [
    `单笔最低 ${format.price(rules.min_fen)}，最高 ${format.price(rules.max_fen)}`,
    `手续费 ${format.percent(rules.fee_bp)}，每天最多提现 ${rules.daily_count} 次`,
  ]
}

Component({
  behaviors: [privacyGate], // a bank card means an account holder and number: only after the privacy guide

  data: {
    loading: true,
    error: '', // why the page cannot be used
    availableFen: 0,
    available: '0.00',
    rules: [],
    feeBp: 0,
    amount: '',
    feeText: '',
    method: 'wechat',
    bankName: '',
    accountName: '',
    accountNo: '',
    message: '', // the last refusal, under the form
    submitting: false,
  },

  methods: {
    onLoad() {
      this.checkPrivacy()
      return getApp().ready()
        .then(() => api.get(paths.distributionMe, null, { toast: false }))
        .then((info) => {
          if (info.status !== 'approved') {
            this.setData({ loading: false, error: '成为分销员后才能提现' })
            return
          }
          this.setData({
            loading: false,
            availableFen: info.balance.available_fen,
            available: format.yuan(info.balance.available_fen),
            rules: withdrawalRules(info.withdraw_rules),
            feeBp: info.withdraw_rules.fee_bp,
          })
        }, (err) => this.setData({ loading: false, error: err.message }))
    },

    onAmountInput(e) {
      const amount = e.detail.value
      const fen = format.parseYuan(amount)
      const fee = fen && this.data.feeBp ? Math.floor((fen * this.data.feeBp) / 10000) : 0
      this.setData({ amount, message: '', feeText: fee ? `手续费 ${format.price(fee)}，实际到账 ${format.price(fen - fee)}` : '' })
    },

    onAll() {
      const fen = Math.max(0, this.data.availableFen)
      this.onAmountInput({ detail: { value: format.yuan(fen) } })
    },

    onMethod(e) {
      const method = e.currentTarget.dataset.method
      if (method === 'bank' && !this.data.privacyAgreed) {
        return this.askPrivacy().then((agreed) => (agreed ? this.setData({ method, message: '' }) : null))
      }
      this.setData({ method, message: '' })
      return Promise.resolve()
    },

    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value, message: '' })
    },

    refuse(message) {
      this.setData({ message })
      wx.showToast({ title: message, icon: 'none', duration: 2500 })
      return { status: 'invalid', message }
    },

    onSubmit() {
      if (this.data.submitting) return Promise.resolve({ status: 'busy' })
      const amountFen = format.parseYuan(this.data.amount)
      if (amountFen === null) return Promise.resolve(this.refuse('请输入正确的金额，最多两位小数'))
      if (amountFen <= 0) return Promise.resolve(this.refuse('提现金额必须大于 0'))
      const body = { amount_fen: amountFen, method: this.data.method }
      if (this.data.method === 'bank') {
        const bank = {
          bank_name: this.data.bankName.trim(),
          account_name: this.data.accountName.trim(),
          account_no: this.data.accountNo.replace(/\s+/g, ''),
        }
        if (bank.bank_name.length < 2) return Promise.resolve(this.refuse('请填写开户银行'))
        if (bank.account_name.length < 2) return Promise.resolve(this.refuse('请填写开户人姓名'))
        if (!ACCOUNT_NO.test(bank.account_no)) return Promise.resolve(this.refuse('请填写正确的银行卡号'))
        body.bank = bank
      }
      this.setData({ submitting: true, message: '' })
      return api.post(paths.distributionWithdrawals, body, { toast: false }).then((w) => {
        this.setData({ submitting: false })
        wx.showModal({
          title: '提现申请已提交',
          content: `提现 ${format.price(w.amount_fen)}，预计到账 ${format.price(w.payout_fen)}，审核通过后打款`,
          showCancel: false,
          confirmText: '好的',
          success: () => nav.replace('withdrawals'),
        })
        return { status: 'ok', withdrawal: w }
      }, (err) => {
        this.setData({ submitting: false, message: err.message })
        wx.showModal({ title: '无法提现', content: err.message, showCancel: false, confirmText: '知道了' })
        return { status: 'refused', code: err.code, message: err.message }
      })
    },

    onRecords() {
      nav.go('withdrawals')
    },
  },
})
