// The SKU picker's rules, as pure functions over the product detail's `spec_names` and `skus`.
// A selection is { specName: value } and may be partial.

function matchesSelection(sku, selection, ignoreName) {
  return Object.keys(selection).every((name) => name === ignoreName || sku.specs[name] === selection[name])
}

function valuesOf(specNames, skus) {
  const values = {}
  specNames.forEach((name) => {
    values[name] = []
    skus.forEach((sku) => {
      const v = sku.specs[name]
      if (v !== undefined && values[name].indexOf(v) < 0) values[name].push(v)
    })
  })
  return values
}

// Spec names with a single value are chosen from the start: there is nothing to pick.
function initialSelection(specNames, skus) {
  const values = valuesOf(specNames, skus)
  const selection = {}
  specNames.forEach((name) => {
    if (values[name].length === 1) selection[name] = values[name][0]
  })
  return selection
}

// One row per spec name; a value is disabled when no in-stock SKU has it together with the other choices.
function rows(specNames, skus, selection) {
  const values = valuesOf(specNames, skus)
  return specNames.map((name) => ({
    name,
    values: values[name].map((value) => ({
      value,
      selected: selection[name] === value,
      disabled: !skus.some((s) => s.stock > 0 && s.specs[name] === value && matchesSelection(s, selection, name)),
    })),
  }))
}

// Tapping a value selects it, tapping the selected value again clears it.
function toggle(selection, name, value) {
  const next = Object.assign({}, selection)
  if (next[name] === value) delete next[name]
  else next[name] = value
  return next
}

function missingNames(specNames, selection) {
  return specNames.filter((name) => selection[name] === undefined)
}

// The SKU that the selection names completely, or null.
function selectedSku(specNames, skus, selection) {
  if (missingNames(specNames, selection).length) return null
  return skus.find((s) => specNames.every((name) => s.specs[name] === selection[name])) || null
}

// What the shopper pays per unit before order-level discounts: the limited-time price while there is one.
function unitPrice(sku) {
  return sku.promo_price_fen !== null && sku.promo_price_fen !== undefined ? sku.promo_price_fen : sku.price_fen
}

// Lowest and highest unit price over the SKUs that fit a partial selection.
function priceRange(skus, selection) {
  const fitting = skus.filter((s) => matchesSelection(s, selection))
  const prices = (fitting.length ? fitting : skus).map(unitPrice)
  if (!prices.length) return { min: 0, max: 0 }
  return { min: Math.min.apply(null, prices), max: Math.max.apply(null, prices) }
}

// Before a full choice: the original price of the cheapest SKU that fits, struck through beside "from", when it
// is above that SKU's price (0 otherwise). A SKU with a limited-time price shows no original of its own.
function originalOfCheapest(skus, selection) {
  const fitting = skus.filter((s) => matchesSelection(s, selection))
  const cheapest = (fitting.length ? fitting : skus).reduce((a, b) => (b && unitPrice(b) < unitPrice(a) ? b : a), skus[0])
  if (!cheapest || unitPrice(cheapest) !== cheapest.price_fen) return 0
  return cheapest.original_price_fen > cheapest.price_fen ? cheapest.original_price_fen : 0
}

function totalStock(skus, selection) {
  return skus.filter((s) => matchesSelection(s, selection)).reduce((sum, s) => sum + s.stock, 0)
}

module.exports = {
  initialSelection, rows, toggle, missingNames, selectedSku, unitPrice, priceRange, totalStock, matchesSelection,
  originalOfCheapest,
}
