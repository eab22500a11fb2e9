// A product in a grid: cover, title, price and sales. Tapping it opens the product's detail page.
const nav = require('../../utils/nav')
const { count } = require('../../utils/format')

Component({
  options: { addGlobalClass: true },
  properties: {
    // A product card from GET /api/v1/products:
    // { id, title, cover_url, price_fen, promo_price_fen?, original_price_fen?, sales }
    product: { type: Object, value: {} },
  },
  data: { salesText: '0', priceFen: 0, wasFen: 0 },
  observers: {
    product(p) {
      if (!p) return
      const promo = p.promo_price_fen !== null && p.promo_price_fen !== undefined
      const priceFen = promo ? p.promo_price_fen : p.price_fen
      // Struck through: the regular price under a limited-time one, else the original price staff set.
      const was = promo ? p.price_fen : p.original_price_fen
      this.setData({ salesText: count(p.sales), priceFen, wasFen: was > priceFen ? was : 0 })
    },
  },
  methods: {
    onTap() {
      nav.go('product', { id: this.data.product.id })
    },
  },
})
