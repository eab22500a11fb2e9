// 支付成功: the amount paid, then on to the order or back to shopping.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')

Component({
  data: { loading: true, order: null },

  methods: {
    onLoad(query) {
      this.orderId = Number(query.id)
      return getApp().ready()
        .then(() => api.get(paths.order(this.orderId), null, { toast: false }))
        .then((order) => this.setData({ loading: false, order }), () => this.setData({ loading: false }))
    },

    onViewOrder() {
      nav.replace('order', { id: this.orderId })
    },

    onHome() {
      nav.go('home')
    },
  },
})
