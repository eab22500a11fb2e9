// 我的: profile (editable on 个人资料), member level and growth, and the entries into orders, coupons, addresses, the
// 分销中心, 会员中心, 签到, 分享有礼 and 客服.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const config = require('../../config')
const status = require('../../utils/status')

const ENTRIES = [
  { name: 'addresses', title: '收货地址', hint: '' },
  { name: 'distribution', title: '分销中心', hint: '分享好物赚佣金' },
  { name: 'myCoupons', title: '我的优惠券', hint: '' }, // hint: how many can be used (GET /me/coupons/counts)
  { name: 'couponCentre', title: '领券中心', hint: '好券天天领' },
]

// 会员中心, 签到 (its hint says whether today's is done) and 分享有礼's rewards; 客服 is WeChat's contact button.
const SERVICES = [
  { name: 'memberCentre', title: '会员中心', icon: '会', hint: '等级权益' },
  { name: 'checkIn', title: '每日签到', icon: '签', hint: '' },
  { name: 'shareRewards', title: '邀请奖励', icon: '邀', hint: '活动规则' },
]

function checkInHint(state) {
  return state.checked_in_today ? `已连续${state.streak}天` : `签到+${state.points_today}`
}

// The order shortcuts, with the count of orders in that state as a badge (GET /orders/counts).
const ORDER_SHORTCUTS = [
  { status: 'pending_payment', icon: '付' },
  { status: 'paid', icon: '发' },
  { status: 'shipped', icon: '收' },
  { status: 'completed', icon: '完' },
].map((s) => Object.assign({ title: status.ORDER_STATUS[s.status] }, s)).concat([
  { status: 'refund', title: '退款/售后', icon: '售' },
])
const BADGED = ['pending_payment', 'paid', 'shipped']

function badge(n) {
  if (!n) return ''
  return n > 99 ? '99+' : String(n)
}

Component({
  data: {
    loading: true,
    me: null,
    initial: '',
    distributorLabel: '',
    growthPercent: 0,
    growthText: '',
    entries: ENTRIES,
    shortcuts: ORDER_SHORTCUTS.map((s) => Object.assign({ badge: '' }, s)),
    services: SERVICES,
    sandbox: config.sandbox,
    sandboxName: '',
  },

  methods: {
    onLoad() {
      return this.load()
    },

    onShow() {
      // Coming back to the tab: the level or the distributor status may have changed meanwhile.
      if (this.data.me) this.load()
    },

    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      const session = getApp().session
      return getApp().ready()
        .then(() => Promise.all([api.get(paths.me), this.loadCounts(), this.loadCouponCount(), this.loadCheckIn()]))
        .then(([me]) => this.show(me), () => this.setData({ loading: false }))
        .then(() => this.setData({
          sandbox: config.sandbox, sandboxName: config.sandbox ? session.sandboxLoginName() : '',
        }))
    },

    loadCounts() {
      return api.get(paths.orderCounts, null, { toast: false }).then((counts) => {
        this.setData({
          shortcuts: ORDER_SHORTCUTS.map((s) => Object.assign({}, s, { badge: BADGED.indexOf(s.status) >= 0 ? badge(counts[s.status]) : '' })),
        })
      }, () => {})
    },

    loadCouponCount() {
      return api.get(paths.myCouponCounts, null, { toast: false }).then((counts) => {
        this.setData({
          entries: ENTRIES.map((e) => (e.name === 'myCoupons' && counts.unused ? Object.assign({}, e, { hint: `${counts.unused}张可用` }) : e)),
        })
      }, () => {})
    },

    loadCheckIn() {
      return api.get(paths.checkIn, null, { toast: false }).then((state) => {
        const hint = checkInHint(state)
        this.setData({ services: SERVICES.map((s) => (s.name === 'checkIn' ? Object.assign({}, s, { hint }) : s)) })
      }, () => {})
    },

    show(me) {
      const m = me.member
      const next = m.next_level_growth
      this.setData({
        loading: false,
        me,
        initial: (me.nickname || '我').slice(0, 1),
        distributorLabel: status.DISTRIBUTOR_TAG[me.distributor.status] || '',
        growthPercent: next ? Math.min(100, Math.floor((m.growth * 100) / next)) : 100,
        growthText: next ? `成长值 ${m.growth} / ${next}` : `成长值 ${m.growth} · 已是最高等级`,
      })
    },

    // WeChat's phone-number button. WeChat first asks for the privacy guide (this page's <privacy-popup class="privacy-popup" />); the code
    // it then gives is exchanged by the API. No code: the shopper declined.
    onPhoneNumber(e) {
      const code = e.detail && e.detail.code
      if (!code) return Promise.resolve(null)
      return api.post(paths.mePhone, { code }).then((me) => {
        this.show(me)
        wx.showToast({ title: '手机号已绑定', icon: 'success' })
        return me
      }, () => null)
    },

    onPrivacyGuide() {
      nav.go('privacy')
    },

    onProfile() {
      nav.go('profile')
    },

    onMemberCentre() {
      nav.go('memberCentre')
    },

    onServiceTap(e) {
      nav.go(e.currentTarget.dataset.name)
    },

    onEntryTap(e) {
      nav.go(e.currentTarget.dataset.name)
    },

    onAllOrders() {
      nav.go('orders')
    },

    onShortcutTap(e) {
      nav.go('orders', { status: e.currentTarget.dataset.status })
    },

    // Demos: act as another sandbox shopper (e.g. demo_c) without editing config.js.
    onSwitchSandboxUser() {
      const session = getApp().session
      wx.showModal({
        title: '切换沙箱用户',
        editable: true,
        placeholderText: '登录名，如 demo_c',
        content: session.sandboxLoginName(),
        success: (res) => {
          const name = (res.content || '').trim()
          if (!res.confirm || !/^[A-Za-z0-9_-]{1,60}$/.test(name)) return
          session.reset()
          session.setSandboxLoginName(name)
          this.load()
        },
      })
    },
  },
})
