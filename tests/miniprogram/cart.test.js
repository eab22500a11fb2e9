// 购物车 against the running backend: every line, quantity, selection and total is compared with GET /api/v1/cart.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

const TSHIRT = '纯棉圆领短袖T恤'
const MUG = '陶瓷马克杯 350ml'
const CANDLE = '香薰蜡烛 礼盒装' // this file alone changes its stock

// What a unit costs in the cart: the limited-time price while one runs (the demo's mug has one), else the price.
function unitFen(sku) {
  return sku.promo_price_fen === null || sku.promo_price_fen === undefined ? sku.price_fen : sku.promo_price_fen
}

async function shopperToken() {
  await getApp().ready()
  return wx.getStorageSync('token')
}

async function cartOf(token) {
  return mp.api('GET', '/api/v1/cart', { token })
}

async function addToCart(token, sku, quantity) {
  return mp.api('POST', '/api/v1/cart/items', { token, body: { sku_id: sku.id, quantity } })
}

async function openCart() {
  const page = mp.loadPage('pages/cart/cart')
  await page.instance.onLoad({})
  await fakeWx.idle()
  return page
}

function shownLines(page) {
  return mp.rows(page, '.line').map((line) => ({
    title: mp.text(line, '.line__title'),
    specs: mp.text(line, '.line__specs'),
    price: mp.textOf(line.querySelector('.line__price')),
    quantity: mp.text(line, '.stepper__value'),
    selected: line.querySelector('.check').dom.className.includes('check--on'),
  }))
}

function apiLines(cart) {
  return cart.items.map((l) => ({
    title: l.title,
    specs: Object.values(l.specs).join(' '),
    price: format.price(l.price_fen),
    quantity: String(l.quantity),
    selected: l.selected,
  }))
}

function lineNode(page, title) {
  return mp.rows(page, '.line').find((l) => mp.text(l, '.line__title') === title)
}

function total(page) {
  return mp.textOf(page.querySelector('.bar__amount'))
}

test('the cart shows each line with cover, title, specs, price and quantity, and the total of the selected lines', async () => {
  const token = await shopperToken()
  const [tee, mug] = [await mp.skuOf(TSHIRT), await mp.skuOf(MUG)]
  await addToCart(token, tee, 1)
  await addToCart(token, mug, 2)
  const cart = await cartOf(token)

  const page = await openCart()
  expect(shownLines(page)).toEqual(apiLines(cart))
  expect(page.data.items.map((l) => l.cover_url)).toEqual(cart.items.map((l) => l.cover_url))
  expect(mp.all(page, '.line__cover')).toHaveLength(2)
  expect(cart.selected_goods_fen).toBe(unitFen(tee) + 2 * unitFen(mug))
  // from ¥199 the running 满减 takes its part off the total
  expect(cart.selected_amount_fen).toBe(unitFen(tee) + 2 * unitFen(mug) - cart.selected_discount_fen)
  expect(total(page)).toBe(format.price(cart.selected_amount_fen))
  expect(mp.text(page, '.bar__btn')).toBe('去结算(3)')
  expect(page.querySelector('.bar__all .check').dom.className).toContain('check--on')
})

test('changing a quantity updates the line and the total from the API', async () => {
  const token = await shopperToken()
  const tee = await mp.skuOf(TSHIRT, 10)
  const mug = await mp.skuOf(MUG)
  await addToCart(token, tee, 1)
  await addToCart(token, mug, 1)
  const page = await openCart()
  const line = () => lineNode(page, TSHIRT)

  await mp.tap(line().querySelector('.stepper__btn--plus'))
  await mp.tap(line().querySelector('.stepper__btn--plus')) // a quick second tap waits for the first
  await fakeWx.idle()
  let cart = await cartOf(token)
  expect(cart.items.find((l) => l.sku_id === tee.id).quantity).toBe(3)
  expect(mp.text(line(), '.stepper__value')).toBe('3')
  expect(cart.selected_goods_fen).toBe(3 * unitFen(tee) + unitFen(mug))
  // over ¥199 the running 满减 takes its part off the total
  expect(total(page)).toBe(format.price(3 * unitFen(tee) + unitFen(mug) - cart.selected_discount_fen))
  expect(total(page)).toBe(format.price(cart.selected_amount_fen))

  await mp.tap(line().querySelector('.stepper__btn--minus'))
  await fakeWx.idle()
  cart = await cartOf(token)
  expect(mp.text(line(), '.stepper__value')).toBe('2')
  expect(total(page)).toBe(format.price(cart.selected_amount_fen))
  // PUT, not PATCH: wx.request has no PATCH
  expect(fakeWx.requests.filter((r) => r.url.includes('/cart/items/')).map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT'])

  // At 1 the minus button does not go lower
  await mp.tap(line().querySelector('.stepper__btn--minus'))
  await fakeWx.idle()
  await mp.tap(line().querySelector('.stepper__btn--minus'))
  await fakeWx.idle()
  expect(mp.text(line(), '.stepper__value')).toBe('1')
  expect(fakeWx.toasts.pop().title).toContain('至少买 1 件')
})

test('unselecting a line leaves it out of the total; 全选 selects everything again', async () => {
  const token = await shopperToken()
  const tee = await mp.skuOf(TSHIRT)
  const mug = await mp.skuOf(MUG)
  await addToCart(token, tee, 1)
  await addToCart(token, mug, 2)
  const page = await openCart()

  await mp.tap(lineNode(page, MUG).querySelector('.check'))
  await fakeWx.idle()
  let cart = await cartOf(token)
  expect(cart.items.find((l) => l.sku_id === mug.id).selected).toBe(false)
  expect(shownLines(page)).toEqual(apiLines(cart))
  expect(total(page)).toBe(format.price(unitFen(tee)))
  expect(page.querySelector('.bar__all .check').dom.className).not.toContain('check--on')
  expect(mp.text(page, '.bar__btn')).toBe('去结算(1)')

  await mp.tap(page.querySelector('.bar__all'))
  await fakeWx.idle()
  cart = await cartOf(token)
  expect(cart.items.every((l) => l.selected)).toBe(true)
  expect(total(page)).toBe(format.price(unitFen(tee) + 2 * unitFen(mug) - cart.selected_discount_fen))

  await mp.tap(page.querySelector('.bar__all')) // and 全选 again clears every line
  await fakeWx.idle()
  expect((await cartOf(token)).items.every((l) => !l.selected)).toBe(true)
  expect(total(page)).toBe('¥0.00')
  expect(page.instance.onCheckout()).toBe(false)
  expect(fakeWx.toasts.pop().title).toBe('请选择要结算的商品')
})

test('deleting a line asks first, then removes it', async () => {
  const token = await shopperToken()
  await addToCart(token, await mp.skuOf(TSHIRT), 1)
  await addToCart(token, await mp.skuOf(MUG), 1)
  const page = await openCart()

  fakeWx.modalAnswers.push({ confirm: false })
  await mp.tap(lineNode(page, MUG).querySelector('.line__delete'))
  await fakeWx.idle()
  expect(mp.all(page, '.line')).toHaveLength(2)

  await mp.tap(lineNode(page, MUG).querySelector('.line__delete'))
  await fakeWx.idle()
  expect(fakeWx.modals.map((m) => m.content)).toEqual([`确定把“${MUG}”从购物车删除吗？`, `确定把“${MUG}”从购物车删除吗？`])
  const cart = await cartOf(token)
  expect(cart.items.map((l) => l.title)).toEqual([TSHIRT])
  expect(shownLines(page)).toEqual(apiLines(cart))
  expect(fakeWx.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1)
})

test('a line short of stock is greyed, out of the total, and cannot be selected', async () => {
  const token = await shopperToken()
  const candle = await mp.skuOf(CANDLE, 5)
  const mug = await mp.skuOf(MUG)
  await addToCart(token, candle, 3)
  await addToCart(token, mug, 1)
  const product = candle.product
  const skus = (stockOf) => product.skus.map((s) => ({ id: s.id, specs: s.specs, price_fen: s.price_fen, stock: stockOf(s) }))
  await mp.admin('PATCH', `/api/v1/admin/products/${product.id}`, { skus: skus((s) => (s.id === candle.id ? 2 : s.stock)) })
  try {
    const page = await openCart()
    const line = lineNode(page, CANDLE)
    expect(line.dom.className).toContain('line--off')
    expect(mp.text(line, '.line__note')).toBe('库存不足，仅剩 2 件')
    expect(total(page)).toBe(format.price(unitFen(mug)))

    await mp.tap(line.querySelector('.check'))
    expect(fakeWx.toasts.pop().title).toBe('库存不足，仅剩 2 件')
    expect(fakeWx.requests.filter((r) => r.method === 'PUT')).toHaveLength(0)
  } finally {
    await mp.admin('PATCH', `/api/v1/admin/products/${product.id}`, { skus: skus((s) => s.stock) })
  }
})

test('an empty cart says so and leads to 首页', async () => {
  const page = await openCart()
  expect(mp.all(page, '.line')).toHaveLength(0)
  expect(mp.text(page, '.state')).toContain('购物车还是空的')
  await mp.tap(page.querySelector('.cart-empty__btn'))
  expect(fakeWx.navigations).toEqual([{ type: 'switchTab', url: '/pages/index/index' }])
})

test('去结算 opens checkout with the cart’s selected lines', async () => {
  const token = await shopperToken()
  await addToCart(token, await mp.skuOf(MUG), 1)
  const page = await openCart()
  await mp.tap(page.querySelector('.bar__btn'))
  expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: '/pages/order/checkout?from_cart=1' }])
})
