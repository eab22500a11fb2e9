// A price in fen, drawn the way Chinese shops do: a small ¥, the yuan large, the fen small.
const { moneyParts } = require('../../utils/format')

Component({
  options: { addGlobalClass: true },
  properties: {
    fen: { type: Number, value: 0 },
    size: { type: String, value: 'md' }, // sm | md | lg
    strike: { type: Boolean, value: false }, // an original price next to a lower one
    suffix: { type: String, value: '' }, // e.g. 起 for "from"
    color: { type: String, value: '' }, // overrides the red, e.g. white on a coloured badge
  },
  data: { sign: '', int: '0', dec: '00' },
  observers: {
    fen(fen) {
      this.setData(moneyParts(fen))
    },
  },
  lifetimes: {
    attached() {
      this.setData(moneyParts(this.data.fen))
    },
  },
})
