// 我的团队: tabs 一级 (people I invited) / 二级 (people they invited), with joined date, order count and amount.
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const pagedList = require('../../behaviors/paged-list')

Component({
  behaviors: [pagedList],

  data: {
    level: 1,
    counts: { 1: 0, 2: 0 },
  },

  methods: {
    onLoad(query) {
      this.setData({ level: Number(query.level) === 2 ? 2 : 1 })
      return getApp().ready().then(() => Promise.all([this.loadCounts(), this.loadPage(1)]),
        () => this.setData({ status: 'error' }))
    },

    loadCounts() {
      return api.get(paths.distributionMe, null, { toast: false })
        .then((info) => this.setData({ counts: { 1: info.team.level1_count, 2: info.team.level2_count } }), () => {})
    },

    fetch(page, pageSize) {
      return api.get(paths.distributionTeam, { level: this.data.level, page, page_size: pageSize }, { toast: false })
    },

    mapItem(m) {
      return Object.assign({}, m, {
        initial: (m.nickname || '友').slice(0, 1),
        joined: m.joined_at ? format.date(m.joined_at) : '',
        amount: format.price(m.order_amount_fen),
      })
    },

    onTab(e) {
      const level = Number(e.currentTarget.dataset.level)
      if (level === this.data.level) return Promise.resolve()
      this.setData({ level, items: [] })
      return this.loadPage(1)
    },
  },
})
