// 我的订单: status tabs (全部/待付款/待发货/待收货/已完成, and 售后 = the refund requests), ten at a time,
// each card with its lines, status, payable and the actions of its state.
const api = require('../../utils/api')
const nav = require('../../utils/nav')
const format = require('../../utils/format')
const status = require('./utils/status')
const actions = require('./utils/actions')

const PAGE_SIZE = 10

const TABS = [
  { key: 'all', text: '全部' },
  { key: 'pending_payment', text: '待付款' },
  { key: 'paid', text: '待发货' },
  { key: 'shipped', text: '待收货' },
  { key: 'completed', text: '已完成' },
  { key: 'refund', text: '售后' },
]

function cardOf(order) {
  const view = status.orderView(order)
  // Refunds are asked for on the detail page, which knows what is left to refund.
  view.actions = status.actionsFor(order)
  view.createdText = format.dateTime(order.created_at)
  return view
}

function refundCardOf(refund) {
  return Object.assign(status.refundView(refund), { createdText: format.dateTime(refund.created_at) })
}

Component({
  data: {
    tabs: TABS,
    tab: 'all',
    counts: {},
    items: [],
    page: 0,
    status: 'loading', // see components/list-footer
  },

  methods: {
    onLoad(query) {
      const tab = TABS.some((t) => t.key === query.status) ? query.status : 'all'
      this.seq = 0
      this.setData({ tab })
      return getApp().ready().then(() => Promise.all([this.loadCounts(), this.loadPage(1)]), () => this.setData({ status: 'error' }))
    },

    onShow() {
      // Back from an order's detail page: its state may have changed.
      if (this.loaded) return Promise.all([this.loadCounts(), this.loadPage(1)])
      return Promise.resolve()
    },

    onPullDownRefresh() {
      return Promise.all([this.loadCounts(), this.loadPage(1)]).then(() => wx.stopPullDownRefresh())
    },

    onReachBottom() {
      if (this.data.status === 'more') return this.loadPage(this.data.page + 1)
      return Promise.resolve()
    },

    loadCounts() {
      return api.get('/api/v1/orders/counts', null, { toast: false }).then((counts) => this.setData({ counts }), () => {})
    },

    loadPage(page) {
      const seq = ++this.seq
      const tab = this.data.tab
      this.setData({ status: 'loading' })
      const request = tab === 'refund'
        ? api.get('/api/v1/refunds', { page, page_size: PAGE_SIZE }, { toast: false })
        : api.get('/api/v1/orders', { page, page_size: PAGE_SIZE, status: tab === 'all' ? '' : tab }, { toast: false })
      return request.then((res) => {
        if (seq !== this.seq) return
        this.loaded = true
        const cards = res.items.map(tab === 'refund' ? refundCardOf : cardOf)
        const start = page === 1 ? 0 : this.data.items.length
        const loaded = start + cards.length
        let next = 'more'
        if (loaded === 0) next = 'empty'
        else if (loaded >= res.total || cards.length < PAGE_SIZE) next = 'end'
        if (page === 1) {
          this.setData({ items: cards, page, status: next })
        } else {
          const patch = { page, status: next }
          cards.forEach((c, i) => { patch[`items[${start + i}]`] = c })
          this.setData(patch)
        }
      }, () => {
        if (seq === this.seq) this.setData({ status: 'error' })
      })
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.key
      if (tab === this.data.tab) return Promise.resolve()
      this.setData({ tab, items: [] })
      return this.loadPage(1)
    },

    onRetry() {
      return this.loadPage(this.data.items.length ? this.data.page + 1 : 1)
    },

    orderAt(e) {
      const id = Number(e.currentTarget.dataset.id)
      return this.data.items.find((o) => o.id === id)
    },

    onOpen(e) {
      const id = this.data.tab === 'refund' ? e.currentTarget.dataset.orderId : e.currentTarget.dataset.id
      nav.go('order', { id })
    },

    onAction(e) {
      const order = this.orderAt(e)
      if (!order) return Promise.resolve()
      const refresh = (result) => Promise.all([this.loadCounts(), this.loadPage(1)]).then(() => result)
      switch (e.currentTarget.dataset.key) {
        case 'pay':
          return actions.pay(order).then((outcome) => {
            if (outcome.status === 'paid') wx.showToast({ title: '支付成功', icon: 'success' })
            return refresh(outcome)
          })
        case 'cancel':
          return actions.cancelOrder(order).then((updated) => (updated ? refresh(updated) : null))
        case 'receive':
          return actions.confirmReceipt(order).then((updated) => (updated ? refresh(updated) : null))
        case 'logistics':
          nav.go('logistics', { id: order.id })
          return Promise.resolve()
        case 'refund':
          nav.go('order', { id: order.id, refund: 1 })
          return Promise.resolve()
        default:
          return Promise.resolve()
      }
    },

    goShopping() {
      nav.go('home')
    },
  },
})
