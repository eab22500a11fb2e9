// 推广订单: orders that earned me commission, with the buyer, the level and what I earn.
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

    fetch(page, pageSize) {
      return api.get('/api/v1/distribution/orders', { page, page_size: pageSize }, { toast: false })
    },

    mapItem(o) {
      return Object.assign({}, o, {
        key: `${o.order_id}-${o.level}`,
        statusText: labels.ORDER_STATUS[o.status] || o.status,
        levelText: labels.LEVEL[o.level] || '',
        created: format.dateTime(o.created_at),
        paidGoods: format.price(o.paid_goods_fen),
      })
    },
  }),
})
