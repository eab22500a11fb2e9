const mp = require('./harness/mp')
const sku = require(mp.path('utils/sku'))

const NAMES = ['颜色', '尺码']
const SKUS = [
  { id: 1, specs: { 颜色: '白色', 尺码: 'M' }, price_fen: 7900, stock: 3 },
  { id: 2, specs: { 颜色: '白色', 尺码: 'L' }, price_fen: 7900, stock: 0 },
  { id: 3, specs: { 颜色: '黑色', 尺码: 'M' }, price_fen: 12600, stock: 0 },
  { id: 4, specs: { 颜色: '黑色', 尺码: 'L' }, price_fen: 12600, stock: 8, promo_price_fen: 9900 },
]

function row(rows, name) {
  const r = rows.find((x) => x.name === name)
  return Object.fromEntries(r.values.map((v) => [v.value, v.disabled ? 'disabled' : v.selected ? 'selected' : 'open']))
}

test('with nothing chosen, a value is open when any SKU with it is in stock', () => {
  const rows = sku.rows(NAMES, SKUS, {})
  expect(row(rows, '颜色')).toEqual({ 白色: 'open', 黑色: 'open' })
  expect(row(rows, '尺码')).toEqual({ M: 'open', L: 'open' })
})

test('a partial choice greys the values that have no in-stock SKU with it', () => {
  const rows = sku.rows(NAMES, SKUS, { 颜色: '白色' })
  expect(row(rows, '颜色')).toEqual({ 白色: 'selected', 黑色: 'open' })
  expect(row(rows, '尺码')).toEqual({ M: 'open', L: 'disabled' })
  expect(row(sku.rows(NAMES, SKUS, { 尺码: 'M' }), '颜色')).toEqual({ 白色: 'open', 黑色: 'disabled' })
})

test('a complete choice names one SKU; a partial one names none', () => {
  expect(sku.selectedSku(NAMES, SKUS, { 颜色: '黑色', 尺码: 'L' }).id).toBe(4)
  expect(sku.selectedSku(NAMES, SKUS, { 颜色: '黑色' })).toBeNull()
  expect(sku.missingNames(NAMES, { 颜色: '黑色' })).toEqual(['尺码'])
})

test('tapping the chosen value again clears it', () => {
  expect(sku.toggle({ 颜色: '白色' }, '颜色', '白色')).toEqual({})
  expect(sku.toggle({ 颜色: '白色' }, '颜色', '黑色')).toEqual({ 颜色: '黑色' })
})

test('the unit price is the limited-time price while there is one', () => {
  expect(sku.unitPrice(SKUS[3])).toBe(9900)
  expect(sku.unitPrice(SKUS[0])).toBe(7900)
  expect(sku.priceRange(SKUS, {})).toEqual({ min: 7900, max: 12600 })
  expect(sku.priceRange(SKUS, { 颜色: '白色' })).toEqual({ min: 7900, max: 7900 })
})

test('spec names with a single value start chosen, and a product without specs has its one SKU', () => {
  const single = [{ id: 9, specs: { 规格: '50ml' }, price_fen: 13900, stock: 5 }]
  expect(sku.initialSelection(['规格'], single)).toEqual({ 规格: '50ml' })
  expect(sku.selectedSku([], [{ id: 7, specs: {}, price_fen: 100, stock: 1 }], {}).id).toBe(7)
})
