// 分销中心: GET /distribution/me decides what the shopper sees.
//   none      the programme (two levels, the rates) and the application form
//   pending   审核中, since when
//   rejected  the reason, and 重新申请 (the form again)
//   disabled  a notice
//   approved  balances, team, and the entries: poster, team, promotion orders, commissions, withdrawals
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const format = require('../../utils/format')
const status = require('../../utils/status')
const privacyGate = require('../../behaviors/privacy-gate')

const PHONE = /^1\d{10}$/

const ENTRIES = [
  { name: 'poster', title: '推广海报', icon: '码' },
  { name: 'team', title: '我的团队', icon: '队' },
  { name: 'promotionOrders', title: '推广订单', icon: '单' },
  { name: 'commissions', title: '佣金明细', icon: '佣' },
  { name: 'withdrawals', title: '提现记录', icon: '记' },
]

Component({
  behaviors: [privacyGate], // the application form asks for a real name and a phone: only after the privacy guide

  data: {
    loading: true,
    error: '',
    state: '',
    info: null,
    level1Rate: '',
    level2Rate: '',
    notice: null, // pending, rejected, disabled: { title, text }
    showForm: false,
    realName: '',
    phone: '',
    reason: '',
    submitting: false,
    balance: null,
    entries: ENTRIES,
  },

  methods: {
    onLoad() {
      return this.load()
    },

    onShow() {
      if (this.data.info) return this.load()
      return Promise.resolve()
    },

    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      return getApp().ready()
        .then(() => Promise.all([api.get(paths.distributionMe, null, { toast: false }), this.checkPrivacy()]))
        .then(([info]) => this.show(info), (err) => this.setData({ loading: false, error: err.message }))
        .then(() => (this.data.showForm ? this.askPrivacy() : null))
    },

    show(info) {
      const app = info.application
      const b = info.balance
      this.setData({
        loading: false,
        error: '',
        state: info.status,
        info,
        level1Rate: format.percent(info.rates.level1_bp),
        level2Rate: format.percent(info.rates.level2_bp),
        notice: status.distributorNotice(info.status, {
          appliedAt: app ? format.dateTime(app.created_at) : '',
          rejectReason: app ? app.reject_reason : '',
        }),
        showForm: info.status === 'none',
        balance: {
          available: format.yuan(b.available_fen),
          frozen: format.yuan(b.frozen_fen),
          withdrawing: format.yuan(b.withdrawing_fen),
          withdrawn: format.yuan(b.withdrawn_fen),
          totalEarned: format.yuan(b.total_earned_fen),
          negative: b.available_fen < 0,
        },
      })
      return info
    },

    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value })
    },

    onReapply() {
      this.setData({ showForm: true })
      return this.askPrivacy()
    },

    onApply() {
      if (!this.data.privacyAgreed) return this.askPrivacy().then((agreed) => (agreed ? this.onApply() : null))
      if (this.data.submitting) return Promise.resolve(null)
      const realName = this.data.realName.trim()
      const phone = this.data.phone.trim()
      const problem = (!(realName.length >= 2 && realName.length <= 20) && '请填写真实姓名（2–20 个字）')
        || (!PHONE.test(phone) && '请填写正确的 11 位手机号')
      if (problem) {
        wx.showToast({ title: problem, icon: 'none' })
        return Promise.resolve(null)
      }
      this.setData({ submitting: true })
      return api.post(paths.distributionApply, { real_name: realName, phone, reason: this.data.reason.trim() })
        .then((application) => {
          wx.showToast({ title: '申请已提交', icon: 'success' })
          this.setData({ submitting: false, realName: '', phone: '', reason: '' })
          return this.load().then(() => application)
        }, () => {
          this.setData({ submitting: false })
          return null
        })
    },

    onEntry(e) {
      nav.go(e.currentTarget.dataset.name)
    },

    onWithdraw() {
      nav.go('withdraw')
    },

    onCopyCode() {
      wx.setClipboardData({ data: this.data.info.invite_code })
    },

    onShareAppMessage() {
      const code = this.data.info ? this.data.info.invite_code : (getApp().session.currentUser() || {}).invite_code
      return {
        title: '好物分享商城：发现好物，分享赚钱',
        path: code ? `/pages/index/index?invite=${code}` : '/pages/index/index',
      }
    },
  },
})
