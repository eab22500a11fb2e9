// 商品详情: images, price, the SKU picker, quantity, and 加入购物车 / 立即购买.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const sku = require('../../utils/sku')
const { inviteFromQuery } = require('../../utils/invite')

const LOW_STOCK = 10

function stockText(stock) {
  if (stock < 1) return '暂时缺货'
  return stock <= LOW_STOCK ? `仅剩 ${stock} 件` : `库存 ${stock} 件`
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
  },

  methods: {
    onLoad(query) {
      this.productId = Number(query.id)
      const app = getApp()
      app.session.acceptInvite(inviteFromQuery(query))
      // The detail is public, but a logged-in distributor also sees what sharing earns.
      return app.ready().catch(() => null).then(() => this.load())
    },

    load() {
      this.setData({ loading: true, error: '' })
      return api.get(paths.product(this.productId), null, { toast: false }).then((product) => {
        wx.setNavigationBarTitle({ title: product.title })
        this.setData({ product, loading: false, quantity: 1 })
        this.select(sku.initialSelection(product.spec_names, product.skus))
      }, (err) => {
        this.setData({ loading: false, error: err.code === 'network_error' ? err.message : '商品不存在或已下架' })
      })
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
        patch.originalFen = sku.originalOfCheapest(skus, selection)
        patch.stock = sku.totalStock(skus, selection)
        patch.selectedText = `请选择 ${sku.missingNames(names, selection).join(' ')}`
      }
      patch.stockText = stockText(patch.stock)
      patch.stockLow = patch.stock > 0 && patch.stock <= LOW_STOCK
      this.setData(patch)
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

    onShareAppMessage() {
      const product = this.data.product
      const user = getApp().session.currentUser()
      const invite = user && user.invite_code ? `&invite=${user.invite_code}` : ''
      return {
        title: product ? product.title : '好物分享商城',
        path: `/pages/product/detail?id=${this.productId}${invite}`,
        imageUrl: product && product.images.length ? product.images[0] : '',
      }
    },
  },
})
