// 领券中心: the coupons that can be claimed now, each with its button (立即领取, 再领一张, or why not: 已抢光,
// 已结束; one held up to its limit is stamped 已领取 and offers 去使用), and the feedback of a claim. The API keeps
// the list short (no paging), but it is a list like any other: pull-down, footer and retry come from pagedList.
const nav = require('../../utils/nav')
const coupons = require('../../utils/coupons')
const pagedList = require('../../behaviors/paged-list')

Component({
  behaviors: [pagedList],

  methods: {
    onLoad() {
      // Signed out, the list still shows; claiming waits for the login.
      return getApp().ready().catch(() => null).then(() => this.reload())
    },

    onShow() {
      // Back from using a coupon: what is held has changed.
      if (this.data.page) return this.refresh()
      return Promise.resolve()
    },

    fetch() {
      return coupons.claimableTickets().then((items) => ({ items, total: items.length }))
    },

    // The list again in place, without the loading footer (after a claim, or back on the page).
    refresh() {
      return this.fetch().then((res) => this.setData({ items: res.items, total: res.total }), () => {})
    },

    onTicketAction(e) {
      const ticket = this.data.items.find((t) => t.id === e.detail.id)
      if (!ticket) return Promise.resolve(null)
      if (ticket.button.state === 'ghost') {
        nav.go('home')
        return Promise.resolve(null)
      }
      if (ticket.button.state === 'off') {
        wx.showToast({ title: coupons.refusalText(ticket), icon: 'none' })
        return Promise.resolve(null)
      }
      if (this.claiming) return this.claiming // a double tap claims once
      const done = (result) => {
        this.claiming = null
        return result
      }
      this.claiming = getApp().ready()
        .then(() => coupons.claim(ticket.id))
        .then((result) => this.refresh().then(() => result))
        .then(done, () => done(null))
      return this.claiming
    },

    onMine() {
      nav.go('myCoupons')
    },
  },
})
