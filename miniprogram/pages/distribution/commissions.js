// 佣金明细: every commission record, filtered by 全部 / 待结算 (frozen) / 已结算 (settled) / 已失效 (cancelled).
const api = require('../../utils/api')
const format = require('../../utils/format')
const labels = require('./utils/labels')
const { pagedMethods } = require('./utils/paged')

const PAGE_SIZE = 20
const TABS = [
  { key: '', text: '全部' },
  { key: 'frozen', text: '待结算' },
  { key: 'settled', text: '已结算' },
  { key: 'cancelled', text: '已失效' },
]

Component({
  data: { tabs: TABS, tab: '', items: [], page: 0, total: 0, status: 'loading' },

  methods: Object.assign(pagedMethods(PAGE_SIZE), {
    onLoad(query) {
      const tab = TABS.some((t) => t.key === query.status) ? query.status : ''
      this.setData({ tab })
      return getApp().ready().then(() => this.loadPage(1), () => this.setData({ status: 'error' }))
    },

    fetch(page, pageSize) {
      return api.get('/api/v1/distribution/commissions', { status: this.data.tab, page, page_size: pageSize }, { toast: false })
    },

    mapItem(c) {
      return Object.assign({}, c, {
        statusText: labels.COMMISSION_STATUS[c.status] || c.status,
        levelText: labels.LEVEL[c.level] || '',
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
  }),
})
