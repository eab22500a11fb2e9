// 商品详情: images, price, the SKU picker, quantity, and 加入购物车 / 立即购买; while a limited-time price runs, a
// band with its countdown and the units left; the 满减 tags, and the coupons that can be claimed for this product
// (a 领券 sheet, with the way to the 领券中心); sharing it to a friend, to Moments or as a poster.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const sku = require('../../utils/sku')
const coupons = require('../../utils/coupons')
const countdown = require('../../utils/countdown')
const share = require('../../utils/share')
const { inviteFromQuery, shareFromQuery, productFromQuery } = require('../../utils/invite')

const LOW_STOCK = 10

const COUPON_TAGS = 3 // summaries shown on the 领券 row; the sheet lists them all

function stockText(stock) {
  if (stock < 1) return '暂时缺货'
  return stock <= LOW_STOCK ? `仅剩 ${stock} 件` : `库存 ${stock} 件`
}

// The limited-time price the page speaks of: the chosen SKU's, or before a full choice the cheapest one among the
// SKUs that fit (`partial` when some of those have none).
function promoOf(chosen, skus, selection) {
  if (chosen) return chosen.promo ? Object.assign({ partial: false }, chosen.promo) : null
  const fitting = skus.filter((s) => sku.matchesSelection(s, selection))
  const withPromo = fitting.filter((s) => s.promo)
  if (!withPromo.length) return null
  const cheapest = withPromo.reduce((a, b) => (b.promo.promo_price_fen < a.promo.promo_price_fen ? b : a))
  return Object.assign({ partial: withPromo.length < fitting.length }, cheapest.promo)
}

// Before a full choice, a limited-time price that is the lowest shows the regular price of its SKU struck through.
function regularOfCheapestPromo(skus, selection, lowestFen) {
  const fitting = skus.filter((s) => sku.matchesSelection(s, selection))
  const promoted = fitting.find((s) => s.promo && s.promo.promo_price_fen === lowestFen)
  return promoted ? promoted.price_fen : 0
}

Component({
  data: {
    loading: true,
    error: '',
    product: null,
    rows: [], // SKU picker rows: [{ name, values: [{ value, selected, disabled }] }]
    selection: {},
    sku: null, // the fully selected SKU
    priceFen: 0,
    priceSuffix: '', // 起 while the selection still spans several prices
    originalFen: 0, // struck through: the regular price under a limited-time price, else the SKU's original price
    skuImage: '', // the chosen SKU's own picture, if it has one
    memberFen: 0,
    stock: 0,
    stockText: '',
    stockLow: false,
    quantity: 1,
    selectedText: '',
    shareEarnFen: 0, // level-1 commission on this product, shown to distributors only
    promo: null, // { name, promo_price_fen, ends_at, remaining, partial } of a running limited-time price
    promoClock: '',
    tags: [], // 满减, e.g. 满199减20
    coupons: [], // tickets of the coupons that can be claimed for this product
    couponTags: [],
    couponSheetOpen: false,
    shareSheetOpen: false, // 发给朋友, 生成海报, and where 分享到朋友圈 is
  },

  lifetimes: {
    detached() {
      this.stopClock()
    },
  },

  methods: {
    onLoad(query) {
      // From a share link ?id=P&invite=CODE&s=ID, or a product poster's code (scene p=P&i=CODE&s=ID).
      this.productId = productFromQuery(query)
      const app = getApp()
      app.session.acceptInvite(inviteFromQuery(query))
      app.session.acceptShare(shareFromQuery(query))
      // The detail is public, but a logged-in distributor also sees what sharing earns.
      return app.ready().catch(() => null).then(() => this.load())
    },

    onShow() {
      if (this.data.promo) this.startClock()
    },

    onHide() {
      this.stopClock()
    },

    onUnload() {
      this.stopClock()
    },

    load() {
      this.setData({ loading: true, error: '' })
      return Promise.all([
        api.get(paths.product(this.productId), null, { toast: false }),
        this.loadCoupons(),
      ]).then(([product]) => {
        wx.setNavigationBarTitle({ title: product.title })
        this.setData({ product, loading: false, quantity: 1, tags: product.tags || [] })
        this.select(sku.initialSelection(product.spec_names, product.skus))
      }, (err) => {
        this.setData({ loading: false, error: err.code === 'network_error' ? err.message : '商品不存在或已下架' })
      })
    },

    // The coupons of the 领券 row; without them the page is still whole.
    loadCoupons() {
      return coupons.claimableTickets(this.productId).then((tickets) => {
        this.setData({ coupons: tickets, couponTags: tickets.slice(0, COUPON_TAGS).map((t) => t.summary) })
      }, () => {})
    },

    // Recomputes everything the picker drives from one selection.
    select(selection) {
      const { spec_names: names, skus, commission } = this.data.product
      const chosen = sku.selectedSku(names, skus, selection)
      const patch = {
        selection,
        rows: sku.rows(names, skus, selection),
        sku: chosen,
        originalFen: 0,
        skuImage: '',
        memberFen: 0,
        shareEarnFen: commission ? commission.level1_fen : 0,
      }
      if (chosen) {
        patch.priceFen = sku.unitPrice(chosen)
        patch.priceSuffix = ''
        if (patch.priceFen !== chosen.price_fen) patch.originalFen = chosen.price_fen
        else if (chosen.original_price_fen > patch.priceFen) patch.originalFen = chosen.original_price_fen
        patch.skuImage = chosen.image_url || ''
        if (chosen.member_price_fen && patch.priceFen === chosen.price_fen) patch.memberFen = chosen.member_price_fen
        if (commission && chosen.commission_level1_fen !== null && chosen.commission_level1_fen !== undefined) {
          patch.shareEarnFen = chosen.commission_level1_fen
        }
        patch.stock = chosen.stock
        patch.quantity = Math.max(1, Math.min(this.data.quantity, chosen.stock))
        patch.selectedText = `已选：${names.map((n) => selection[n]).join(' ') || '默认'}`
      } else {
        const range = sku.priceRange(skus, selection)
        patch.priceFen = range.min
        patch.priceSuffix = range.min === range.max ? '' : '起'
        patch.originalFen = sku.originalOfCheapest(skus, selection) || regularOfCheapestPromo(skus, selection, range.min)
        patch.stock = sku.totalStock(skus, selection)
        patch.selectedText = `请选择 ${sku.missingNames(names, selection).join(' ')}`
      }
      patch.stockText = stockText(patch.stock)
      patch.stockLow = patch.stock > 0 && patch.stock <= LOW_STOCK
      patch.promo = promoOf(chosen, skus, selection)
      this.setData(patch)
      if (patch.promo) this.startClock()
      else this.stopClock()
    },

    // The countdown to the end of the limited-time price; at the end the product is asked again, and the API then
    // gives the regular price.
    startClock() {
      this.stopClock()
      const endsAt = this.data.promo.ends_at
      this.unwatch = countdown.watch((now) => {
        const left = countdown.secondsUntil(endsAt, now)
        if (left <= 0) {
          this.stopClock()
          this.setData({ promoClock: countdown.promoClock(0) })
          // Once per end: a server clock a little behind may still answer the same price for a moment.
          if (this.reloadedFor !== endsAt) {
            this.reloadedFor = endsAt
            this.load()
          }
          return
        }
        this.setData({ promoClock: countdown.promoClock(left) })
      })
    },

    stopClock() {
      if (this.unwatch) this.unwatch()
      this.unwatch = null
    },

    onOpenCoupons() {
      this.setData({ couponSheetOpen: true })
    },

    onCloseCoupons() {
      this.setData({ couponSheetOpen: false })
    },

    // A ticket's button in the 领券 sheet: claim it (the shopper is told how it went, and the sheet shows what the
    // API says afterwards), or, for one already held, go shopping with it.
    onCouponAction(e) {
      const ticket = this.data.coupons.find((t) => t.id === e.detail.id)
      if (!ticket) return Promise.resolve(null)
      if (ticket.button.state === 'ghost') {
        this.setData({ couponSheetOpen: false })
        return Promise.resolve(null)
      }
      if (ticket.button.state === 'off') {
        wx.showToast({ title: coupons.refusalText(ticket), icon: 'none' })
        return Promise.resolve(null)
      }
      if (this.claiming) return this.claiming // a double tap claims once
      const done = (result) => {
        this.claiming = null
        return result
      }
      this.claiming = getApp().ready()
        .then(() => coupons.claim(ticket.id))
        .then((result) => this.loadCoupons().then(() => result))
        .then(done, () => done(null))
      return this.claiming
    },

    onCouponCentre() {
      this.setData({ couponSheetOpen: false })
      nav.go('couponCentre')
    },

    onSpecTap(e) {
      const { name, value, disabled } = e.currentTarget.dataset
      if (disabled) {
        wx.showToast({ title: '该规格暂时缺货', icon: 'none' })
        return
      }
      this.select(sku.toggle(this.data.selection, name, value))
    },

    onMinus() {
      if (this.data.quantity > 1) this.setData({ quantity: this.data.quantity - 1 })
    },

    onPlus() {
      const limit = this.data.sku ? this.data.sku.stock : this.data.stock
      if (this.data.quantity < limit) this.setData({ quantity: this.data.quantity + 1 })
      else wx.showToast({ title: '库存不足', icon: 'none' })
    },

    onPreviewImage(e) {
      wx.previewImage({ urls: this.data.product.images, current: e.currentTarget.dataset.url })
    },

    onPreviewSkuImage() {
      wx.previewImage({ urls: [this.data.skuImage], current: this.data.skuImage })
    },

    // The chosen SKU, or null after telling the shopper what is missing.
    chosenSku() {
      const chosen = this.data.sku
      if (!chosen) {
        wx.showToast({ title: this.data.selectedText || '请选择规格', icon: 'none' })
        return null
      }
      if (chosen.stock < 1) {
        wx.showToast({ title: '该规格已售罄', icon: 'none' })
        return null
      }
      return chosen
    },

    onAddToCart() {
      const chosen = this.chosenSku()
      if (!chosen) return Promise.resolve(false)
      return getApp().ready()
        .then(() => api.post(paths.cartItems, { sku_id: chosen.id, quantity: this.data.quantity }))
        .then(() => {
          wx.showToast({ title: '已加入购物车', icon: 'success' })
          return true
        }, () => false) // the API's message has been shown
    },

    onBuyNow() {
      const chosen = this.chosenSku()
      if (!chosen) return false
      return nav.go('checkout', { sku_id: chosen.id, quantity: this.data.quantity })
    },

    goHome() {
      nav.go('home')
    },

    goCart() {
      nav.go('cart')
    },

    onOpenShare() {
      this.setData({ shareSheetOpen: true })
    },

    onCloseShare() {
      this.setData({ shareSheetOpen: false })
    },

    onPoster() {
      this.setData({ shareSheetOpen: false })
      return nav.go('productPoster', { id: this.productId })
    },

    // Sharing is recorded and carries my invite code and the share (utils/share.js); it earns nothing by itself.
    shareCard() {
      const product = this.data.product
      return {
        target: 'product',
        productId: this.productId,
        title: product ? product.title : '',
        imageUrl: product && product.images.length ? product.images[0] : '',
      }
    },

    onShareAppMessage() {
      if (this.data.shareSheetOpen) this.setData({ shareSheetOpen: false })
      return share.friendCard(this.shareCard())
    },

    onShareTimeline() {
      return share.timelineCard(this.shareCard())
    },
  },
})
