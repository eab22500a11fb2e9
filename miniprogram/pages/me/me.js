// 我的: profile, member level and growth, and the entries into orders, addresses and the 分销中心.
const api = require('../../utils/api')
const nav = require('../../utils/nav')
const config = require('../../config')

const DISTRIBUTOR_STATUS = {
  none: '',
  pending: '分销员审核中',
  approved: '分销员',
  rejected: '',
  disabled: '',
}

const ENTRIES = [
  { name: 'orders', title: '我的订单', hint: '查看全部订单' },
  { name: 'addresses', title: '收货地址', hint: '' },
  { name: 'distribution', title: '分销中心', hint: '分享好物赚佣金' },
]

Component({
  data: {
    loading: true,
    me: null,
    initial: '',
    distributorLabel: '',
    growthPercent: 0,
    growthText: '',
    entries: ENTRIES,
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
        .then(() => api.get('/api/v1/me'))
        .then((me) => this.show(me), () => this.setData({ loading: false }))
        .then(() => this.setData({ sandboxName: config.sandbox ? session.sandboxLoginName() : '' }))
    },

    show(me) {
      const m = me.member
      const next = m.next_level_growth
      this.setData({
        loading: false,
        me,
        initial: (me.nickname || '我').slice(0, 1),
        distributorLabel: DISTRIBUTOR_STATUS[me.distributor.status] || '',
        growthPercent: next ? Math.min(100, Math.floor((m.growth * 100) / next)) : 100,
        growthText: next ? `成长值 ${m.growth} / ${next}` : `成长值 ${m.growth} · 已是最高等级`,
      })
    },

    onEntryTap(e) {
      nav.go(e.currentTarget.dataset.name)
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
