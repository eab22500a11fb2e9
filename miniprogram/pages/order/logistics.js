// 物流详情: carrier, tracking number and the tracking events, newest first (GET /orders/{id}/logistics).
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const { copy } = require('./utils/actions')

Component({
  data: { loading: true, error: '', carrier: '', trackingNo: '', events: [] },

  methods: {
    onLoad(query) {
      this.orderId = Number(query.id)
      return this.load()
    },

    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      return getApp().ready()
        .then(() => api.get(paths.orderLogistics(this.orderId), null, { toast: false }))
        .then((res) => this.setData({
          loading: false,
          error: '',
          carrier: res.carrier,
          trackingNo: res.tracking_no,
          events: res.events.map((e, i) => ({ key: `${i}`, text: e.text, time: format.dateTime(e.time) })),
        }), (err) => this.setData({ loading: false, error: err.message }))
    },

    onCopy() {
      copy(this.data.trackingNo, '运单号')
    },
  },
})
