// 佣金明细: every commission record, filtered by 全部 / 待结算 (frozen) / 已结算 (settled) / 已失效 (cancelled).
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const status = require('../../utils/status')
const pagedList = require('../../behaviors/paged-list')

const TABS = [{ key: '', text: '全部' }].concat(
  ['frozen', 'settled', 'cancelled'].map((key) => ({ key, text: status.COMMISSION_STATUS[key] })),
)

Component({
  behaviors: [pagedList],

  data: { tabs: TABS, tab: '' },

  methods: {
    onLoad(query) {
      const tab = TABS.some((t) => t.key === query.status) ? query.status : ''
      this.setData({ tab })
      return getApp().ready().then(() => this.loadPage(1), () => this.setData({ status: 'error' }))
    },

    fetch(page, pageSize) {
      return api.get(paths.distributionCommissions, { status: this.data.tab, page, page_size: pageSize }, { toast: false })
    },

    mapItem(c) {
      return Object.assign({}, c, {
        statusText: status.label(status.COMMISSION_STATUS, c.status),
        levelText: status.COMMISSION_LEVEL[c.level] || '',
        rate: format.percent(c.rate_bp),
        base: format.price(c.base_fen),
        clawedBack: c.clawed_back_fen ? format.price(c.clawed_back_fen) : '',
        created: format.dateTime(c.created_at),
      })
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.key
      if (tab === this.data.tab) return Promise.resolve()
      this.setData({ tab, items: [] })
      return this.loadPage(1)
    },
  },
})
