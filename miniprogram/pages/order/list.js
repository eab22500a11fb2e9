// 我的订单: status tabs (全部/待付款/待发货/待收货/已完成, and 售后 = the refund requests), ten at a time,
// each card with its lines, status, payable and the buttons the API offers for it.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const format = require('../../utils/format')
const status = require('../../utils/status')
const pagedList = require('../../behaviors/paged-list')
const views = require('./utils/views')
const actions = require('./utils/actions')

const TABS = [
  { key: 'all', text: '全部' },
  ...['pending_payment', 'paid', 'shipped', 'completed'].map((key) => ({ key, text: status.ORDER_STATUS[key] })),
  { key: 'refund', text: '售后' },
]

function cardOf(order) {
  return Object.assign(views.orderView(order), { createdText: format.dateTime(order.created_at) })
}

Component({
  behaviors: [pagedList],

  data: {
    tabs: TABS,
    tab: 'all',
    counts: {},
    pageSize: 10,
  },

  methods: {
    onLoad(query) {
      const tab = TABS.some((t) => t.key === query.status) ? query.status : 'all'
      this.setData({ tab })
      return getApp().ready().then(() => this.reload(), () => this.setData({ status: 'error' }))
    },

    onShow() {
      // Back from an order's detail page: its state may have changed.
      if (this.data.page) return this.reload()
      return Promise.resolve()
    },

    reload() {
      return Promise.all([this.loadCounts(), this.loadPage(1)])
    },

    fetch(page, pageSize) {
      const tab = this.data.tab
      if (tab === 'refund') return api.get(paths.refunds, { page, page_size: pageSize }, { toast: false })
      return api.get(paths.orders, { page, page_size: pageSize, status: tab === 'all' ? '' : tab }, { toast: false })
    },

    mapItem(item) {
      return this.data.tab === 'refund' ? views.refundView(item) : cardOf(item)
    },

    loadCounts() {
      return api.get(paths.orderCounts, null, { toast: false }).then((counts) => this.setData({ counts }), () => {})
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.key
      if (tab === this.data.tab) return Promise.resolve()
      this.setData({ tab, items: [] })
      return this.loadPage(1)
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
      const refresh = (result) => this.reload().then(() => result)
      switch (e.currentTarget.dataset.key) {
        case 'pay':
          return actions.pay(order).then((outcome) => {
            if (outcome.status === 'paid') wx.showToast({ title: '支付成功', icon: 'success' })
            return refresh(outcome)
          })
        case 'cancel':
          return actions.cancelOrder(order).then((updated) => (updated ? refresh(updated) : null))
        case 'confirm_receipt':
          return actions.confirmReceipt(order).then((updated) => (updated ? refresh(updated) : null))
        case 'view_logistics':
          nav.go('logistics', { id: order.id })
          return Promise.resolve()
        case 'request_refund':
          // The lines and quantities are chosen on the detail page's refund sheet.
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
