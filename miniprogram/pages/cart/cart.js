// 购物车 (tab): the shopper's cart lines from GET /cart. Every change goes to the API, which answers
// with the whole cart, so the page always shows the server's lines, selection and total.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const format = require('../../utils/format')

const MAX_QUANTITY = 999

function lineView(line) {
  let note = ''
  if (!line.available) note = line.stock > 0 && line.stock < line.quantity ? `库存不足，仅剩 ${line.stock} 件` : '商品已失效'
  return Object.assign({}, line, {
    specsText: format.specsText(line.specs),
    note,
    // A line short of stock can still be turned down to what is left; a line off the shelf cannot be bought.
    canStep: line.available || line.stock > 0,
    maxQuantity: Math.max(1, Math.min(MAX_QUANTITY, line.stock)),
  })
}

Component({
  data: {
    loading: true,
    error: '',
    items: [],
    selectedCount: 0,
    selectedAmountFen: 0,
    allSelected: false,
    availableCount: 0,
  },

  methods: {
    onLoad() {
      this.queue = Promise.resolve()
      return this.load()
    },

    onShow() {
      // Back on the tab: something may have been added on a detail page, or bought at checkout.
      if (this.loaded) return this.load()
      return Promise.resolve()
    },

    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh())
    },

    load() {
      return getApp().ready()
        .then(() => api.get(paths.cart, null, { toast: false }))
        .then((cart) => this.show(cart), (err) => this.setData({ loading: false, error: err.message }))
    },

    show(cart) {
      this.loaded = true
      const items = cart.items.map(lineView)
      const available = items.filter((l) => l.available)
      this.setData({
        loading: false,
        error: '',
        items,
        selectedCount: cart.selected_count,
        selectedAmountFen: cart.selected_amount_fen,
        availableCount: available.length,
        allSelected: available.length > 0 && available.every((l) => l.selected),
      })
      return cart
    },

    // One change at a time, in order. The line changes on screen at once (so that a quick second tap builds
    // on the first), and the server's cart is shown when the last change has been answered.
    change(request, optimistic) {
      if (optimistic) this.setData(optimistic)
      this.pendingChanges = (this.pendingChanges || 0) + 1
      const run = () => request().then((cart) => cart, () => null)
      this.queue = (this.queue || Promise.resolve()).then(run).then((cart) => {
        this.pendingChanges--
        if (this.pendingChanges > 0) return undefined
        return cart ? this.show(cart) : this.load()
      })
      return this.queue
    },

    lineAt(e) {
      const id = Number(e.currentTarget.dataset.id)
      return this.data.items.find((l) => l.id === id)
    },

    indexOf(line) {
      return this.data.items.findIndex((l) => l.id === line.id)
    },

    setQuantity(line, quantity) {
      if (quantity === line.quantity) return Promise.resolve()
      return this.change(() => api.put(paths.cartItem(line.id), { quantity }),
        { [`items[${this.indexOf(line)}].quantity`]: quantity })
    },

    onMinus(e) {
      const line = this.lineAt(e)
      if (!line || !line.canStep) return Promise.resolve()
      if (line.quantity <= 1) {
        wx.showToast({ title: '至少买 1 件，不想要可以删除', icon: 'none' })
        return Promise.resolve()
      }
      return this.setQuantity(line, Math.min(line.quantity - 1, line.maxQuantity))
    },

    onPlus(e) {
      const line = this.lineAt(e)
      if (!line || !line.canStep) return Promise.resolve()
      if (line.quantity >= line.maxQuantity) {
        wx.showToast({ title: line.maxQuantity >= MAX_QUANTITY ? `最多购买 ${MAX_QUANTITY} 件` : `库存仅剩 ${line.stock} 件`, icon: 'none' })
        return Promise.resolve()
      }
      return this.setQuantity(line, line.quantity + 1)
    },

    onToggle(e) {
      const line = this.lineAt(e)
      if (!line) return Promise.resolve()
      if (!line.available) {
        wx.showToast({ title: line.note, icon: 'none' })
        return Promise.resolve()
      }
      const selected = !line.selected
      return this.change(() => api.put(paths.cartItem(line.id), { selected }),
        { [`items[${this.indexOf(line)}].selected`]: selected })
    },

    onToggleAll() {
      if (!this.data.availableCount) return Promise.resolve()
      const selected = !this.data.allSelected
      const optimistic = { allSelected: selected }
      this.data.items.forEach((l, i) => { if (l.available) optimistic[`items[${i}].selected`] = selected })
      return this.change(() => api.post(paths.cartSelectAll, { selected }), optimistic)
    },

    onDelete(e) {
      const line = this.lineAt(e)
      if (!line) return Promise.resolve(false)
      return new Promise((resolve) => {
        wx.showModal({
          title: '删除商品',
          content: `确定把“${line.title}”从购物车删除吗？`,
          confirmText: '删除',
          confirmColor: '#f2270c',
          success: (res) => {
            if (!res.confirm) return resolve(false)
            this.change(() => api.del(paths.cartItem(line.id))).then(() => resolve(true))
          },
          fail: () => resolve(false),
        })
      })
    },

    onOpenProduct(e) {
      nav.go('product', { id: e.currentTarget.dataset.productId })
    },

    onCheckout() {
      if (!this.data.selectedCount) {
        wx.showToast({ title: '请选择要结算的商品', icon: 'none' })
        return false
      }
      return nav.go('checkout', { from_cart: 1 })
    },

    goShopping() {
      nav.go('home')
    },
  },
})
