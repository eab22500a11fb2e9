// One order line: cover, title, specs, unit price × quantity, and an optional note (e.g. 已退 1 件).
const format = require('../../../../utils/format')

Component({
  options: { addGlobalClass: true },
  properties: {
    cover: { type: String, value: '' },
    title: { type: String, value: '' },
    specs: { type: Object, value: {} },
    priceFen: { type: Number, value: 0 },
    quantity: { type: Number, value: 1 },
    paidFen: { type: Number, value: -1 }, // shown as 实付 when given
    note: { type: String, value: '' },
  },
  data: { specsText: '', paidText: '' },
  observers: {
    specs(specs) {
      this.setData({ specsText: format.specsText(specs) })
    },
    paidFen(fen) {
      this.setData({ paidText: fen >= 0 ? `实付 ${format.price(fen)}` : '' })
    },
  },
})
