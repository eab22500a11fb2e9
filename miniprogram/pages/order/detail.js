// 订单详情: status (with the payment countdown), address, lines, price breakdown, numbers and times, the
// latest logistics event, the refunds of the order, and the buttons the API offers for it (`order.actions`):
// 去支付, 取消订单, 确认收货, 查看物流 and 申请退款/申请售后 (a sheet of the lines with units left to ask back,
// each line's `refundable_quantity` as the API counts it, the kind — 仅退款, or 退货退款 when the order's
// `refund_kinds` offer it — a reason and up to 3 photos from wx.chooseMedia, each uploaded and checked by the API).
// A return the shop approved shows the shop's return address and, while the API offers `ship_return`, a form for
// the return parcel's carrier and tracking number.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const format = require('../../utils/format')
const status = require('../../utils/status')
const views = require('./utils/views')
const actions = require('./utils/actions')

const MAX_PHOTOS = 3
const REASONS = ['不想要了', '拍错了/多拍了', '商品质量问题', '商品与描述不符', '少件/漏发', '未按约定时间发货', '其他']

function summaryRows(o) {
  const rows = [{ key: 'goods', label: '商品金额', fen: o.goods_fen }]
  if (o.member_discount_fen) rows.push({ key: 'member', label: '会员优惠', fen: -o.member_discount_fen, minus: true })
  if (o.full_reduction_fen) rows.push({ key: 'full_reduction', label: '满减', fen: -o.full_reduction_fen, minus: true })
  if (o.coupon_discount_fen) rows.push({ key: 'coupon', label: '优惠券', fen: -o.coupon_discount_fen, minus: true })
  rows.push(o.shipping_fen ? { key: 'shipping', label: '运费', fen: o.shipping_fen } : { key: 'shipping', label: '运费', text: '免运费' })
  return rows
}

function timeRows(o) {
  return [
    ['下单时间', o.created_at], ['付款时间', o.paid_at], ['发货时间', o.shipped_at], ['完成时间', o.completed_at],
    ['取消时间', o.cancelled_at],
  ].filter((r) => r[1]).map((r) => ({ label: r[0], value: format.dateTime(r[1]) }))
}

Component({
  data: {
    loading: true,
    error: '',
    order: null,
    hint: '',
    countdown: '',
    rows: [],
    times: [],
    latestEvent: null,
    refunds: [],
    // the 申请退款 sheet
    refundOpen: false,
    refundLines: [],
    reasons: REASONS,
    reasonIndex: -1,
    reasonLabel: '',
    reasonPickerValue: 0,
    reasonText: '',
    refundSubmitting: false,
    kinds: [], // the kinds offered, as { key, text }; a choice only when there are two
    kind: 'refund_only',
    photos: [], // { path, url } uploaded
    maxPhotos: MAX_PHOTOS,
    photoUploading: false,
    // the return parcel forms, by refund id
    returnForms: {},
  },

  lifetimes: {
    detached() {
      this.stopCountdown()
    },
  },

  methods: {
    onLoad(query) {
      this.orderId = Number(query.id)
      this.openRefundOnLoad = query.refund === '1' || query.refund === 1
      return getApp().ready().then(() => this.load()).then(() => {
        if (this.openRefundOnLoad && this.data.order) this.onOpenRefund()
      })
    },

    onShow() {
      if (this.data.order) return this.load()
      return Promise.resolve()
    },

    onHide() {
      this.stopCountdown()
    },

    onUnload() {
      this.stopCountdown()
    },

    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      return api.get(paths.order(this.orderId), null, { toast: false }).then((order) => {
        // An order that was never paid has no refunds to list.
        const hasRefunds = ['pending_payment', 'cancelled'].indexOf(order.status) < 0
        return Promise.all([
          hasRefunds ? api.get(paths.orderRefunds(order.id), null, { toast: false }).catch(() => []) : [],
          order.shipment ? api.get(paths.orderLogistics(order.id), null, { toast: false }).catch(() => null) : null,
        ]).then(([refunds, logistics]) => this.show(order, refunds, logistics))
      }, (err) => this.setData({ loading: false, error: err.statusCode === 404 ? '订单不存在' : err.message }))
    },

    show(order, refunds, logistics) {
      const latest = logistics && logistics.events.length ? logistics.events[0] : null
      this.setData({
        loading: false,
        error: '',
        order: views.orderView(order),
        hint: status.ORDER_HINT[order.status] || '',
        rows: summaryRows(order),
        times: timeRows(order),
        refunds: refunds.map(views.refundView),
        latestEvent: latest ? { text: latest.text, time: format.dateTime(latest.time) } : null,
      })
      this.startCountdown(order)
      return order
    },

    startCountdown(order) {
      this.stopCountdown()
      const deadline = order.status === 'pending_payment' ? format.parseTime(order.pay_expires_at) : null
      if (deadline === null) {
        if (this.data.countdown) this.setData({ countdown: '' })
        return
      }
      const tick = () => {
        const left = Math.floor((deadline - Date.now()) / 1000)
        if (left <= 0) {
          this.setData({ countdown: '支付已超时，订单即将关闭' })
          this.stopCountdown()
          return
        }
        this.setData({ countdown: `剩余 ${format.clock(left)}，超时订单将自动取消` })
        this.timer = setTimeout(tick, 1000)
      }
      tick()
    },

    stopCountdown() {
      if (this.timer) clearTimeout(this.timer)
      this.timer = null
    },

    onAction(e) {
      const key = e.currentTarget.dataset.key
      const handlers = {
        pay: () => this.onPay(),
        cancel: () => this.onCancel(),
        confirm_receipt: () => this.onReceive(),
        request_refund: () => this.onOpenRefund(),
        view_logistics: () => this.onLogistics(),
      }
      return handlers[key] ? handlers[key]() : Promise.resolve()
    },

    onPay() {
      return actions.pay(this.data.order).then((outcome) => {
        if (outcome.status === 'paid') wx.showToast({ title: '支付成功', icon: 'success' })
        return this.load().then(() => outcome)
      })
    },

    onCancel() {
      return actions.cancelOrder(this.data.order).then((updated) => (updated ? this.load() : null))
    },

    onReceive() {
      return actions.confirmReceipt(this.data.order).then((updated) => (updated ? this.load() : null))
    },

    onLogistics() {
      nav.go('logistics', { id: this.orderId })
    },

    onCopyNo() {
      actions.copy(this.data.order.order_no, '订单号')
    },

    // --- 申请退款 ---------------------------------------------------------------------------------

    onOpenRefund() {
      const lines = this.data.order.lines.filter((l) => l.refundable_quantity > 0).map((l) => ({
        id: l.id, title: l.title, specsText: l.specsText, cover: l.cover_url, max: l.refundable_quantity,
        quantity: l.refundable_quantity, checked: false,
      }))
      if (!lines.length) {
        wx.showToast({ title: '这个订单的商品都已申请过退款', icon: 'none' })
        return false
      }
      if (lines.length === 1) lines[0].checked = true
      const kinds = (this.data.order.refund_kinds || ['refund_only']).map((key) => ({
        key, text: status.label(status.REFUND_KIND, key),
      }))
      this.setData({
        refundOpen: true, refundLines: lines, reasonIndex: -1, reasonLabel: '', reasonPickerValue: 0, reasonText: '',
        kinds, kind: kinds[0].key, photos: [],
      })
      return true
    },

    onKind(e) {
      const key = e.currentTarget.dataset.key
      if (this.data.kinds.some((k) => k.key === key)) this.setData({ kind: key })
    },

    // Photos: chosen in WeChat (album or camera), each uploaded at once; the API checks that it is a picture.
    onAddPhoto() {
      const left = MAX_PHOTOS - this.data.photos.length
      if (left <= 0 || this.data.photoUploading) return Promise.resolve([])
      return new Promise((resolve) => {
        wx.chooseMedia({
          count: left,
          mediaType: ['image'],
          sourceType: ['album', 'camera'],
          sizeType: ['compressed'],
          success: (res) => resolve((res.tempFiles || []).map((f) => f.tempFilePath).slice(0, left)),
          fail: () => resolve([]),
        })
      }).then((files) => {
        if (!files.length) return []
        this.setData({ photoUploading: true })
        return files.reduce((done, file) => done.then((uploaded) => api.upload(paths.refundPhotos, file, { toast: false })
          .then((photo) => uploaded.concat([photo]), (err) => {
            wx.showToast({ title: err.message || '照片上传失败', icon: 'none' })
            return uploaded
          })), Promise.resolve([])).then((uploaded) => {
          this.setData({ photoUploading: false, photos: this.data.photos.concat(uploaded).slice(0, MAX_PHOTOS) })
          return uploaded
        })
      })
    },

    onRemovePhoto(e) {
      const i = Number(e.currentTarget.dataset.index)
      this.setData({ photos: this.data.photos.filter((_, j) => j !== i) })
    },

    onPreviewPhoto(e) {
      const urls = (e.currentTarget.dataset.urls || []).slice()
      wx.previewImage({ current: e.currentTarget.dataset.url, urls })
    },

    onCloseRefund() {
      this.setData({ refundOpen: false })
    },

    refundLineIndex(e) {
      const id = Number(e.currentTarget.dataset.id)
      return this.data.refundLines.findIndex((l) => l.id === id)
    },

    onRefundToggle(e) {
      const i = this.refundLineIndex(e)
      if (i >= 0) this.setData({ [`refundLines[${i}].checked`]: !this.data.refundLines[i].checked })
    },

    onRefundMinus(e) {
      const i = this.refundLineIndex(e)
      const line = this.data.refundLines[i]
      if (line && line.quantity > 1) this.setData({ [`refundLines[${i}].quantity`]: line.quantity - 1 })
    },

    onRefundPlus(e) {
      const i = this.refundLineIndex(e)
      const line = this.data.refundLines[i]
      if (!line) return
      if (line.quantity < line.max) this.setData({ [`refundLines[${i}].quantity`]: line.quantity + 1 })
      else wx.showToast({ title: `最多可退 ${line.max} 件`, icon: 'none' })
    },

    onReasonChange(e) {
      const i = Number(e.detail.value)
      if (!(i >= 0 && i < REASONS.length)) return
      this.setData({ reasonIndex: i, reasonLabel: REASONS[i], reasonPickerValue: i })
    },

    onReasonText(e) {
      this.setData({ reasonText: e.detail.value })
    },

    onSubmitRefund() {
      if (this.data.refundSubmitting) return Promise.resolve(null)
      const chosen = this.data.refundLines.filter((l) => l.checked)
      if (!chosen.length) {
        wx.showToast({ title: '请选择要退款的商品', icon: 'none' })
        return Promise.resolve(null)
      }
      if (this.data.reasonIndex < 0) {
        wx.showToast({ title: '请选择退款原因', icon: 'none' })
        return Promise.resolve(null)
      }
      const text = this.data.reasonText.trim()
      const reason = `${REASONS[this.data.reasonIndex]}${text ? `：${text}` : ''}`.slice(0, 200)
      if (this.data.photoUploading) {
        wx.showToast({ title: '照片上传中，请稍候', icon: 'none' })
        return Promise.resolve(null)
      }
      const body = {
        lines: chosen.map((l) => ({ order_line_id: l.id, quantity: l.quantity })), reason,
        kind: this.data.kind, photos: this.data.photos.map((p) => p.path),
      }
      this.setData({ refundSubmitting: true })
      return api.post(paths.orderRefunds(this.orderId), body, { toast: false }).then((refund) => {
        this.setData({ refundSubmitting: false, refundOpen: false })
        const returning = refund.kind === 'return_and_refund'
        wx.showModal({
          title: returning ? '退货申请已提交' : '退款申请已提交',
          content: returning
            ? `退款金额 ${format.price(refund.amount_fen)}，商家同意后请按退货地址寄回商品，收到退货后原路退款`
            : `退款金额 ${format.price(refund.amount_fen)}，商家审核通过后原路退回`,
          showCancel: false,
          confirmText: '好的',
        })
        return this.load().then(() => refund)
      }, (err) => {
        this.setData({ refundSubmitting: false })
        wx.showModal({ title: '无法申请退款', content: err.message, showCancel: false, confirmText: '知道了' })
        return null
      })
    },

    // --- 寄回商品: the return parcel ---------------------------------------------------------------

    onCopyReturnAddress(e) {
      actions.copy(e.currentTarget.dataset.address, '退货地址')
    },

    onReturnInput(e) {
      const { id, field } = e.currentTarget.dataset
      this.setData({ [`returnForms.${id}.${field}`]: e.detail.value })
    },

    onSubmitReturn(e) {
      const id = Number(e.currentTarget.dataset.id)
      const refund = this.data.refunds.find((r) => r.id === id)
      const form = this.data.returnForms[id] || {}
      const carrier = (form.carrier !== undefined ? form.carrier : (refund && refund.return_carrier) || '').trim()
      const trackingNo = (form.tracking_no !== undefined ? form.tracking_no : (refund && refund.return_tracking_no) || '').trim()
      if (!carrier) {
        wx.showToast({ title: '请填写快递公司', icon: 'none' })
        return Promise.resolve(null)
      }
      if (!trackingNo) {
        wx.showToast({ title: '请填写快递单号', icon: 'none' })
        return Promise.resolve(null)
      }
      if (form.submitting) return Promise.resolve(null)
      this.setData({ [`returnForms.${id}.submitting`]: true })
      return api.post(paths.refundReturnShipment(id), { carrier, tracking_no: trackingNo }, { toast: false })
        .then((answered) => {
          this.setData({ [`returnForms.${id}`]: {} })
          wx.showToast({ title: '已提交退货物流', icon: 'success' })
          return this.load().then(() => answered)
        }, (err) => {
          this.setData({ [`returnForms.${id}.submitting`]: false })
          wx.showModal({ title: '无法提交', content: err.message, showCancel: false, confirmText: '知道了' })
          return null
        })
    },
  },
})
