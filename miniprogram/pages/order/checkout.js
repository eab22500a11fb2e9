// 确认订单: the items (the cart's selected lines, or one SKU from 立即购买), the address, the coupon, the price
// breakdown from POST /orders/preview (the same engine that prices the order), a remark, then 提交订单 and payment.
// One Idempotency-Key per visit: a double tap or a retry after a lost answer gives the same one order.
// The coupon is the shopper's choice: the picker lists the preview's usable coupons (best first, with what each
// takes off) and the unusable ones with the reason, and every choice is priced again by the preview.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const format = require('../../utils/format')
const { payOrder } = require('./utils/pay')

// Where the address picker (pages/address/list?select=1) leaves the chosen address for us.
const PICKED_ADDRESS_KEY = 'checkout_picked_address'

// Refusals that mean the items themselves changed: the preview is asked again to show what is left.
const ITEM_REFUSALS = ['out_of_stock', 'product_unavailable', 'sku_not_found', 'purchase_limit_exceeded',
  'promotion_stock_short', 'promotion_limit_reached']

// Refusals of the chosen coupon (another order has just taken it, or it no longer fits): the order is priced again
// without it.
const COUPON_REFUSALS = ['coupon_not_applicable', 'coupon_not_found']

function newIdempotencyKey() {
  return `co-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`
}

function summaryRows(p) {
  const rows = [{ key: 'goods', label: '商品金额', fen: p.goods_fen, text: '' }]
  if (p.member_discount_fen) rows.push({ key: 'member', label: '会员优惠', fen: -p.member_discount_fen, minus: true })
  if (p.full_reduction_fen) rows.push({ key: 'full_reduction', label: '满减', fen: -p.full_reduction_fen, minus: true })
  if (p.coupon_discount_fen) rows.push({ key: 'coupon', label: '优惠券', fen: -p.coupon_discount_fen, minus: true })
  rows.push(p.shipping_fen ? { key: 'shipping', label: '运费', fen: p.shipping_fen } : { key: 'shipping', label: '运费', text: '免运费' })
  return rows
}

function validityText(iso) {
  return iso ? `有效期至 ${format.dateTime(iso)}` : ''
}

// The picker's coupons: usable ones in the API's order (best first) with what each takes off this order, then
// the others with the reason they do not apply.
function couponChoices(p, chosenId) {
  return {
    usable: (p.usable_coupons || []).map((c) => ({
      id: c.id, name: c.name, summary: c.summary === c.name ? '' : c.summary, validity: validityText(c.valid_to),
      discountFen: c.discount_fen, selected: c.id === chosenId,
    })),
    unusable: (p.unusable_coupons || []).map((c) => ({
      id: c.id, name: c.name, summary: c.summary, validity: validityText(c.valid_to), reason: c.reason,
    })),
  }
}

// The coupon row: what the chosen one takes off, or how many could be used.
function couponRow(p, usableCount) {
  if (p.coupon_id) return { text: '', fen: -p.coupon_discount_fen, tone: 'chosen' }
  if (usableCount) return { text: `${usableCount}张可用`, fen: 0, tone: 'available' }
  return { text: (p.unusable_coupons || []).length ? '暂无可用' : '暂无优惠券', fen: 0, tone: 'none' }
}

Component({
  data: {
    loading: true,
    error: '',
    address: null,
    lines: [],
    rows: [],
    payableFen: 0,
    discountFen: 0,
    itemCount: 0,
    remark: '',
    submitting: false,
    couponRow: { text: '', fen: 0, tone: 'none' },
    usableCoupons: [],
    unusableCoupons: [],
    fullReductionName: '',
    pickerOpen: false,
    repricing: false,
  },

  methods: {
    onLoad(query) {
      this.idempotencyKey = newIdempotencyKey()
      this.couponId = null // the user coupon chosen in the picker
      this.fromCart = query.from_cart === '1' || query.from_cart === 1 || query.from_cart === 'true'
      this.directItem = this.fromCart ? null : { sku_id: Number(query.sku_id), quantity: Math.max(1, Number(query.quantity) || 1) }
      wx.removeStorageSync(PICKED_ADDRESS_KEY)
      return getApp().ready()
        .then(() => Promise.all([this.loadItems(), this.loadAddress()]))
        .then(() => this.preview())
        .catch((err) => this.setData({ loading: false, error: err.message || '加载失败，请返回重试' }))
    },

    // Back from the address picker (or from adding a first address).
    onShow() {
      const picked = wx.getStorageSync(PICKED_ADDRESS_KEY)
      if (picked) {
        wx.removeStorageSync(PICKED_ADDRESS_KEY)
        this.setData({ address: picked })
        return Promise.resolve()
      }
      if (this.items && !this.data.address) return this.loadAddress()
      return Promise.resolve()
    },

    loadItems() {
      if (!this.fromCart) {
        if (!this.directItem.sku_id) return Promise.reject(new Error('没有要购买的商品'))
        this.items = [this.directItem]
        return Promise.resolve()
      }
      return api.get(paths.cart, null, { toast: false }).then((cart) => {
        this.items = cart.items.filter((l) => l.selected && l.available).map((l) => ({ sku_id: l.sku_id, quantity: l.quantity }))
        if (!this.items.length) throw new Error('购物车里没有选中的商品')
      })
    },

    loadAddress() {
      return api.get(paths.addresses, null, { toast: false }).then((list) => {
        const current = this.data.address && list.find((a) => a.id === this.data.address.id)
        this.setData({ address: current || list.find((a) => a.is_default) || list[0] || null })
      }, () => {})
    },

    preview() {
      const body = { items: this.items }
      if (this.data.address) body.address_id = this.data.address.id
      if (this.couponId) body.coupon_id = this.couponId
      return api.post(paths.orderPreview, body, { toast: false }).then((p) => {
        this.previewed = p
        // The chosen coupon no longer applies (the cart changed, or it was used meanwhile): priced without it.
        if (this.couponId && p.coupon_refusal) {
          wx.showToast({ title: p.coupon_refusal.reason, icon: 'none', duration: 2500 })
        }
        this.couponId = p.coupon_id || null
        const choices = couponChoices(p, this.couponId)
        this.setData({
          loading: false,
          error: '',
          lines: p.lines.map((l) => Object.assign({}, l, { paidShown: l.paid_fen !== l.amount_fen ? l.paid_fen : -1 })),
          rows: summaryRows(p),
          payableFen: p.payable_fen,
          discountFen: p.member_discount_fen + p.full_reduction_fen + p.coupon_discount_fen,
          itemCount: p.lines.reduce((n, l) => n + l.quantity, 0),
          couponRow: couponRow(p, choices.usable.length),
          usableCoupons: choices.usable,
          unusableCoupons: choices.unusable,
          fullReductionName: p.full_reduction ? p.full_reduction.name : '',
        })
        return p
      }, (err) => {
        this.setData({ loading: false, error: err.message })
      })
    },

    onOpenCoupons() {
      this.setData({ pickerOpen: true })
    },

    onCloseCoupons() {
      this.setData({ pickerOpen: false })
    },

    // A coupon of the picker (data-id), or 不使用优惠券 (no id): priced again, then the picker closes.
    onPickCoupon(e) {
      const id = Number(e.currentTarget.dataset.id) || null
      if (this.data.repricing) return Promise.resolve()
      if (id === this.couponId) {
        this.setData({ pickerOpen: false })
        return Promise.resolve()
      }
      const before = this.couponId
      this.couponId = id
      this.setData({ repricing: true })
      return this.preview().then((p) => {
        if (!p) this.couponId = before // not priced: the page still shows the order with the earlier choice
        this.setData({ repricing: false, pickerOpen: false })
      })
    },

    onCouponCentre() {
      this.setData({ pickerOpen: false })
      nav.go('couponCentre')
    },

    onPickAddress() {
      nav.go('addresses', { select: 1, selected_id: this.data.address ? this.data.address.id : '' })
    },

    onRemarkInput(e) {
      this.setData({ remark: e.detail.value })
    },

    // A second tap while the first is under way joins it: the same request, the same order.
    onSubmit() {
      if (this.pending) return this.pending
      const done = (result) => {
        this.pending = null
        if (this.data.submitting) this.setData({ submitting: false })
        return result
      }
      this.pending = this.submit().then(done, (err) => done({ status: 'error', message: err.message }))
      return this.pending
    },

    async submit() {
      if (!this.data.address) {
        wx.showToast({ title: '请先选择收货地址', icon: 'none' })
        return { status: 'no_address' }
      }
      this.setData({ submitting: true })
      let order
      try {
        const body = {
          items: this.items,
          address_id: this.data.address.id,
          remark: this.data.remark.trim(),
          from_cart: this.fromCart,
        }
        if (this.couponId) body.coupon_id = this.couponId
        order = await api.post(paths.orders, body, { toast: false, header: { 'Idempotency-Key': this.idempotencyKey } })
      } catch (err) {
        wx.showModal({ title: '无法提交订单', content: err.message, showCancel: false, confirmText: '知道了' })
        if (COUPON_REFUSALS.indexOf(err.code) >= 0) this.couponId = null
        if (ITEM_REFUSALS.indexOf(err.code) >= 0 || COUPON_REFUSALS.indexOf(err.code) >= 0) await this.preview()
        return { status: 'refused', code: err.code, message: err.message }
      }
      const outcome = await payOrder(order)
      if (outcome.status === 'paid') {
        nav.replace('payResult', { id: order.id })
      } else {
        wx.showToast({ title: outcome.message, icon: 'none', duration: 2500 })
        nav.replace('order', { id: order.id })
      }
      return Object.assign({ orderId: order.id }, outcome)
    },
  },
})
