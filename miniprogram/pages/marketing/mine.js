// 我的优惠券: tabs 未使用 / 已使用 / 已过期 with their counts. 未使用 also lists, first, the coupons an unpaid order
// holds (使用中, with 去支付 to that order): they come back if the order is cancelled or times out. Unused ones are
// listed soonest to expire first, as the API sorts them.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const status = require('../../utils/status')
const coupons = require('../../utils/coupons')
const pagedList = require('../../behaviors/paged-list')

const TABS = ['unused', 'used', 'expired'].map((key) => ({ key, text: status.COUPON_STATUS[key] }))
const HELD_PAGE_SIZE = 100 // coupons held by unpaid orders: one per order, never many

function tabCounts(counts) {
  return { unused: counts.unused + counts.locked, used: counts.used, expired: counts.expired }
}

Component({
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    tab: 'unused',
    counts: {},
    pageSize: 10,
  },

  methods: {
    onLoad(query) {
      const tab = TABS.some((t) => t.key === query.status) ? query.status : 'unused'
      this.setData({ tab })
      return getApp().ready().then(() => this.reload(), () => this.setData({ status: 'error' }))
    },

    onShow() {
      // Back from paying an order or from shopping: a coupon may have been used or come back.
      if (this.data.page) return this.reload()
      return Promise.resolve()
    },

    reload() {
      return Promise.all([this.loadCounts(), this.loadPage(1)])
    },

    loadCounts() {
      return api.get(paths.myCouponCounts, null, { toast: false })
        .then((counts) => this.setData({ counts: tabCounts(counts) }), () => {})
    },

    // 未使用: page 1 starts with the held (locked) coupons; the pages are the unused ones'.
    fetch(page, pageSize) {
      const mine = (query) => api.get(paths.myCoupons, query, { toast: false })
      if (this.data.tab !== 'unused') return mine({ status: this.data.tab, page, page_size: pageSize })
      const held = page === 1
        ? mine({ status: 'locked', page: 1, page_size: HELD_PAGE_SIZE }).then((res) => {
          this.heldCount = res.items.length
          return res.items
        })
        : Promise.resolve([])
      return Promise.all([held, mine({ status: 'unused', page, page_size: pageSize })])
        .then(([locked, unused]) => ({ items: locked.concat(unused.items), total: (this.heldCount || 0) + unused.total }))
    },

    mapItem(item) {
      return coupons.heldTicket(item)
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.key
      if (tab === this.data.tab) return Promise.resolve()
      this.setData({ tab, items: [] })
      return this.loadPage(1)
    },

    // 去使用: shopping (the coupon is chosen at checkout); 去支付: the order that holds it.
    onTicketAction(e) {
      const ticket = this.data.items.find((t) => t.id === e.detail.id)
      if (!ticket) return
      if (ticket.status === 'locked' && ticket.orderId) nav.go('order', { id: ticket.orderId })
      else if (ticket.status === 'unused') nav.go('home')
    },

    onCentre() {
      nav.go('couponCentre')
    },
  },
})
