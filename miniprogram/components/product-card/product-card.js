// A product in a grid: cover, title, price and sales. Tapping it opens the product's detail page.
const nav = require('../../utils/nav')
const { count } = require('../../utils/format')

Component({
  options: { addGlobalClass: true },
  properties: {
    // A product card from GET /api/v1/products: { id, title, cover_url, price_fen, promo_price_fen?, sales }
    product: { type: Object, value: {} },
  },
  data: { salesText: '0', priceFen: 0 },
  observers: {
    product(p) {
      if (!p) return
      const promo = p.promo_price_fen !== null && p.promo_price_fen !== undefined
      this.setData({ salesText: count(p.sales), priceFen: promo ? p.promo_price_fen : p.price_fen })
    },
  },
  methods: {
    onTap() {
      nav.go('product', { id: this.data.product.id })
    },
  },
})
