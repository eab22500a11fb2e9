// A product in a grid: cover, title, price and sales; while a limited-time price runs, that price with the regular
// one struck through, a countdown to its end and the units left at it; and the 满减 tags. Tapping it opens the
// product's detail page.
const nav = require('../../utils/nav')
const { count } = require('../../utils/format')
const countdown = require('../../utils/countdown')

const SHOWN_TAGS = 2 // what fits under the title of a half-width card, one fewer beside 仅剩N件

Component({
  options: { addGlobalClass: true },
  properties: {
    // A product card from GET /api/v1/products:
    // { id, title, cover_url, price_fen, promo_price_fen?, original_price_fen?, sales,
    //   promo?: { promotion_id, name, promo_price_fen, ends_at, remaining }, tags? }
    product: { type: Object, value: {} },
  },
  data: { salesText: '0', priceFen: 0, wasFen: 0, promo: null, clock: '', tags: [] },
  observers: {
    product(p) {
      if (!p) return
      this.show(p, true)
    },
  },
  lifetimes: {
    detached() {
      this.stopClock()
    },
  },
  methods: {
    // `promoRunning` false once the countdown has reached the end: the card goes back to the regular price.
    show(p, promoRunning) {
      const promo = promoRunning && p.promo_price_fen !== null && p.promo_price_fen !== undefined
      const priceFen = promo ? p.promo_price_fen : p.price_fen
      // Struck through: the regular price under a limited-time one, else the original price staff set.
      const was = promo ? p.price_fen : p.original_price_fen
      const shownPromo = promo && p.promo ? { name: p.promo.name, remaining: p.promo.remaining } : null
      this.setData({
        salesText: count(p.sales),
        priceFen,
        wasFen: was > priceFen ? was : 0,
        promo: shownPromo,
        tags: (p.tags || []).slice(0, shownPromo ? SHOWN_TAGS - 1 : SHOWN_TAGS),
      })
      this.stopClock()
      if (shownPromo && p.promo.ends_at) this.startClock(p)
    },

    startClock(p) {
      this.unwatch = countdown.watch((now) => {
        const left = countdown.secondsUntil(p.promo.ends_at, now)
        if (left <= 0) {
          this.show(p, false)
          return
        }
        const clock = countdown.promoClock(left)
        if (clock !== this.data.clock) this.setData({ clock })
      })
    },

    stopClock() {
      if (this.unwatch) this.unwatch()
      this.unwatch = null
    },

    onTap() {
      nav.go('product', { id: this.data.product.id })
    },
  },
})
