// 签到: today's check-in with its points, the streak, the checkin_points cycle, and the month's calendar (browsable
// back to earlier months). Once per Shanghai day: the API decides, and a second tap the same day is told so
// (409 already_checked_in). The points are growth; nothing here depends on sharing.
const api = require('../../utils/api')
const { paths } = api
const calendar = require('../../utils/calendar')

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六']

// The cycle, day by day, the ones of this round already earned marked (the streak keeps counting past the last).
function cycleDays(state) {
  const cycle = state.checkin_points || []
  const n = cycle.length
  if (!n) return []
  const done = state.checked_in_today ? ((state.streak - 1) % n) + 1 : state.streak % n
  const next = state.checked_in_today ? -1 : done // the day today's check-in would earn
  return cycle.map((points, i) => ({
    key: i, label: `第${i + 1}天`, points: `+${points}`, done: i < done, next: i === next,
  }))
}

Component({
  data: {
    loading: true,
    error: '',
    state: null, // GET /me/check-in
    month: '', // the calendar's month, YYYY-MM
    thisMonth: '',
    monthTitle: '',
    weekdays: WEEKDAYS,
    weeks: [],
    cycleDays: [],
    checking: false,
  },

  methods: {
    onLoad() {
      return getApp().ready().then(() => this.load(), () => this.setData({ loading: false, error: '登录失败，请稍后重试' }))
    },

    load(month) {
      const query = month ? { month } : null
      return api.get(paths.checkIn, query, { toast: false }).then((state) => this.show(state, month), (err) => {
        this.setData({ loading: false, error: err.message })
      })
    },

    show(state, month) {
      const thisMonth = calendar.monthOf(state.today)
      const shown = month || thisMonth
      this.setData({
        loading: false,
        error: '',
        state,
        month: shown,
        thisMonth,
        monthTitle: calendar.monthTitle(shown),
        weeks: calendar.monthGrid(shown, state.month, state.today),
        cycleDays: cycleDays(state),
      })
    },

    onCheckIn() {
      if (this.data.checking) return Promise.resolve(null)
      this.setData({ checking: true })
      return api.post(paths.checkIn, null, { toast: false }).then((state) => {
        this.setData({ checking: false })
        this.show(state, this.data.month === calendar.monthOf(state.today) ? '' : this.data.month)
        wx.showToast({ title: `签到成功 +${state.points_today} 成长值`, icon: 'none' })
        return state
      }, (err) => {
        this.setData({ checking: false })
        if (err.code === 'already_checked_in') {
          wx.showToast({ title: err.message || '今天已经签到过了', icon: 'none' })
          return this.load(this.data.month === this.data.thisMonth ? '' : this.data.month).then(() => null)
        }
        api.toastError(err)
        return null
      })
    },

    onRetry() {
      this.setData({ loading: true })
      return this.load(this.data.month && this.data.month !== this.data.thisMonth ? this.data.month : '')
    },

    onPrevMonth() {
      return this.load(calendar.shift(this.data.month, -1))
    },

    onNextMonth() {
      if (this.data.month >= this.data.thisMonth) return Promise.resolve()
      const next = calendar.shift(this.data.month, 1)
      return this.load(next === this.data.thisMonth ? '' : next)
    },
  },
})
