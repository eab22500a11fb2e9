// 会员中心: the level card with the progress to the next level, every level with its discount and benefits, and
// the growth history (the ledger, newest first, a page at a time). The level follows growth at once, up and down:
// the API decides it; this page only shows it.
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const nav = require('../../utils/nav')
const status = require('../../utils/status')
const pagedList = require('../../behaviors/paged-list')

// Where the shopper stands between their level's threshold and the next one.
function progress(member, levels) {
  const current = levels.find((l) => l.level === member.level)
  const from = current ? current.growth_threshold : 0
  const to = member.next_level_growth
  if (!to) return { percent: 100, text: '已是最高等级', toNext: 0 }
  const percent = to > from ? Math.max(0, Math.min(100, Math.floor(((member.growth - from) * 100) / (to - from)))) : 100
  const toNext = Math.max(0, to - member.growth)
  return { percent, text: `再得 ${toNext} 成长值升级为${member.next_level_name}`, toNext }
}

function levelRow(level, member) {
  return Object.assign({}, level, {
    current: level.level === member.level,
    reached: level.level <= member.level,
    discount: format.discount(level.discount_bp) || '无折扣',
    threshold: level.growth_threshold ? `成长值 ${level.growth_threshold}` : '注册即享',
  })
}

Component({
  behaviors: [pagedList],

  data: {
    loading: true,
    member: null,
    levels: [],
    progress: { percent: 0, text: '', toNext: 0 },
    discount: '',
  },

  methods: {
    onLoad() {
      return getApp().ready().then(() => this.reload(), () => this.setData({ loading: false, status: 'error' }))
    },

    reload() {
      return Promise.all([this.loadCard(), this.loadPage(1)])
    },

    loadCard() {
      const answers = [api.get(paths.me), api.get(paths.memberLevels, null, { auth: false })]
      return Promise.all(answers).then(([me, levels]) => {
        const member = me.member
        this.setData({
          loading: false,
          member,
          levels: levels.map((l) => levelRow(l, member)),
          progress: progress(member, levels),
          discount: format.discount(member.discount_bp),
        })
      }, () => this.setData({ loading: false }))
    },

    fetch(page, pageSize) {
      return api.get(paths.myGrowth, { page, page_size: pageSize }, { toast: false })
    },

    mapItem(entry) {
      return Object.assign({}, entry, {
        title: status.label(status.GROWTH_KIND, entry.kind),
        detail: entry.kind === 'check_in' ? '' : (entry.ref || ''),
        when: format.dateTime(entry.created_at),
        pointsText: format.points(entry.points),
        negative: entry.points < 0,
      })
    },

    onCheckIn() {
      nav.go('checkIn')
    },
  },
})
