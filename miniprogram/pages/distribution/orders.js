// 推广订单: orders that earned me commission, with the buyer, the level and what I earn.
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const status = require('../../utils/status')
const pagedList = require('../../behaviors/paged-list')

Component({
  behaviors: [pagedList],

  methods: {
    onLoad() {
      return getApp().ready().then(() => this.loadPage(1), () => this.setData({ status: 'error' }))
    },

    fetch(page, pageSize) {
      return api.get(paths.distributionOrders, { page, page_size: pageSize }, { toast: false })
    },

    mapItem(o) {
      return Object.assign({}, o, {
        key: `${o.order_id}-${o.level}`,
        statusText: status.label(status.PROMOTION_ORDER_STATUS, o.status),
        levelText: status.COMMISSION_LEVEL[o.level] || '',
        earningText: status.label(status.PROMOTION_EARNING, o.commission_status || 'frozen'),
        earningState: o.commission_status || 'frozen',
        created: format.dateTime(o.created_at),
        paidGoods: format.price(o.paid_goods_fen),
      })
    },
  },
})
