// 商品详情 against the running backend: what the page shows is compared with the API's own JSON.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

async function productTitled(title) {
  const card = (await mp.allProducts()).find((p) => p.title === title)
  if (!card) throw new Error(`no product ${title} in the demo catalog`)
  return mp.api('GET', `/api/v1/products/${card.id}`)
}

async function openDetail(id, query = {}) {
  const page = mp.loadPage('pages/product/detail')
  await page.instance.onLoad(Object.assign({ id: String(id) }, query))
  await fakeWx.idle()
  return page
}

function chip(page, name, value) {
  const found = mp.all(page, '.chip').find((c) => c.dom.getAttribute('data-name') === name && mp.textOf(c) === value)
  if (!found) throw new Error(`no chip ${name}=${value}`)
  return found
}

async function choose(page, specs) {
  for (const [name, value] of Object.entries(specs)) {
    if (page.data.selection[name] !== value) await mp.tap(chip(page, name, value))
  }
}

function isGreyed(node) {
  return node.dom.className.includes('chip--disabled')
}

const TSHIRT = '纯棉圆领短袖T恤'

test('the detail page shows the images, title, subtitle and the lowest price before a choice', async () => {
  const product = await productTitled(TSHIRT)
  const page = await openDetail(product.id)

  expect(mp.all(page, '.gallery__img').map((img) => img.dom.getAttribute('data-url'))).toEqual(product.images)
  expect(mp.text(page, '.summary__title')).toBe(product.title)
  expect(mp.text(page, '.summary__subtitle')).toBe(product.subtitle)
  const prices = product.skus.map((s) => s.price_fen)
  expect(mp.text(page, '.summary__now')).toBe(`${format.price(Math.min(...prices))}起`)
  expect(mp.text(page, '.picker__stock')).toBe(`库存 ${product.skus.reduce((n, s) => n + s.stock, 0)} 件`)
  expect(mp.texts(page, '.spec__name').slice(0, product.spec_names.length)).toEqual(product.spec_names)
  expect(mp.text(page, '.picker__selected')).toBe(`请选择 ${product.spec_names.join(' ')}`)
  expect(mp.text(page, '.description__text')).toBe(product.description)
  expect(fakeWx.titles).toEqual([product.title])
})

test('choosing a SKU shows that SKU’s price and stock', async () => {
  const product = await productTitled(TSHIRT)
  const byPrice = product.skus.slice().sort((a, b) => b.price_fen - a.price_fen)
  const dearest = byPrice[0]
  const cheaper = byPrice.find((s) => s.price_fen < dearest.price_fen && s.stock !== dearest.stock)
  const page = await openDetail(product.id)

  for (const sku of [dearest, cheaper]) {
    await choose(page, sku.specs)
    expect(page.data.sku.id).toBe(sku.id)
    expect(mp.text(page, '.summary__now')).toBe(format.price(sku.price_fen))
    expect(mp.text(page, '.picker__stock')).toBe(sku.stock <= 10 ? `仅剩 ${sku.stock} 件` : `库存 ${sku.stock} 件`)
    expect(mp.text(page, '.picker__selected')).toBe(`已选：${product.spec_names.map((n) => sku.specs[n]).join(' ')}`)
    expect(chip(page, product.spec_names[0], sku.specs[product.spec_names[0]]).dom.className).toContain('chip--selected')
  }
})

test('values with no in-stock SKU for the current choice are greyed and cannot be chosen', async () => {
  const product = await productTitled('全棉四件套 1.8m床')
  const [color, size] = product.spec_names
  const soldOut = product.skus[0]
  // Staff sell one combination out through the admin API.
  const token = await mp.staffToken()
  const skus = product.skus.map((s) => ({ id: s.id, specs: s.specs, price_fen: s.price_fen, stock: s.id === soldOut.id ? 0 : s.stock }))
  await mp.api('PATCH', `/api/v1/admin/products/${product.id}`, { token, body: { skus } })

  const page = await openDetail(product.id)
  expect(isGreyed(chip(page, size, soldOut.specs[size]))).toBe(false) // the other colour has it

  await choose(page, { [color]: soldOut.specs[color] })
  const greyed = chip(page, size, soldOut.specs[size])
  expect(isGreyed(greyed)).toBe(true)
  expect(mp.all(page, '.chip').filter(isGreyed)).toHaveLength(1)

  await mp.tap(greyed)
  expect(page.data.selection[size]).toBeUndefined()
  expect(fakeWx.toasts.map((t) => t.title)).toEqual(['该规格暂时缺货'])
})

test('a distributor sees 分享赚 with the level-1 commission; another shopper does not', async () => {
  const product = await productTitled('赣南脐橙 新鲜当季')
  const asDistributor = await mp.loginAs('demo_a')
  const seen = await mp.api('GET', `/api/v1/products/${product.id}`, { token: asDistributor.token })
  expect(seen.commission.level1_fen).toBeGreaterThan(0)

  getApp().session.setSandboxLoginName('demo_a')
  let page = await openDetail(product.id)
  const cheapest = seen.skus.reduce((a, b) => (b.price_fen < a.price_fen ? b : a))
  expect(page.data.sku).toBeNull()
  expect(mp.text(page, '.share-earn')).toBe(`分享赚${format.price(seen.commission.level1_fen)}`)
  await choose(page, cheapest.specs)
  expect(mp.text(page, '.share-earn')).toBe(`分享赚${format.price(cheapest.commission_level1_fen)}`)

  getApp().session.reset()
  getApp().session.setSandboxLoginName(`shopper_${Date.now()}`)
  page = await openDetail(product.id)
  expect(page.querySelector('.share-earn')).toBeUndefined()
})

test('加入购物车 puts the chosen SKU and quantity into the cart', async () => {
  const product = await productTitled(TSHIRT)
  const sku = product.skus.find((s) => s.stock > 10)
  const page = await openDetail(product.id)

  await page.instance.onAddToCart()
  expect(fakeWx.toasts.pop().title).toBe(`请选择 ${product.spec_names.join(' ')}`)

  await choose(page, sku.specs)
  await mp.tap(page.querySelector('.stepper__btn--plus'))
  expect(mp.text(page, '.stepper__value')).toBe('2')
  await expect(page.instance.onAddToCart()).resolves.toBe(true)
  expect(fakeWx.toasts.pop().title).toBe('已加入购物车')

  const cart = await mp.api('GET', '/api/v1/cart', { token: wx.getStorageSync('token') })
  expect(cart.items.map((l) => [l.sku_id, l.quantity])).toEqual([[sku.id, 2]])
})

test('立即购买 checks the choice, then opens checkout with the SKU and quantity', async () => {
  const product = await productTitled(TSHIRT)
  const sku = product.skus.find((s) => s.stock > 3)
  const page = await openDetail(product.id)
  page.instance.onBuyNow()
  expect(fakeWx.toasts.pop().title).toBe(`请选择 ${product.spec_names.join(' ')}`)
  expect(fakeWx.navigations).toEqual([])
  await choose(page, sku.specs)
  await mp.tap(page.querySelector('.stepper__btn--plus'))
  page.instance.onBuyNow()
  expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: `/pages/order/checkout?sku_id=${sku.id}&quantity=2` }])
})

test('sharing a product carries my invite code', async () => {
  const product = await productTitled(TSHIRT)
  const page = await openDetail(product.id)
  const user = getApp().session.currentUser()
  const share = page.instance.onShareAppMessage()
  expect(share.path).toBe(`/pages/product/detail?id=${product.id}&invite=${user.invite_code}`)
  expect(share.title).toBe(product.title)
  expect(share.imageUrl).toBe(product.images[0])
})

test('an unknown product shows a friendly message', async () => {
  const page = await openDetail(999999)
  expect(mp.text(page, '.state')).toContain('商品不存在或已下架')
})

describe('what staff add to a product: original prices, a SKU image and the rich text', () => {
  const SCARF = '羊毛混纺围巾'
  let before = null // the product as the admin API had it, put back afterwards

  beforeAll(async () => {
    const card = (await mp.allProducts()).find((p) => p.title === SCARF)
    before = await mp.admin('GET', `/api/v1/admin/products/${card.id}`)
    const skus = before.skus.filter((s) => s.is_active).map((s, i) => ({
      id: s.id, specs: s.specs, price_fen: s.price_fen, stock: s.stock,
      original_price_fen: s.price_fen + 5000 + i * 100, image: i === 1 ? before.images[0] : '',
    }))
    await mp.admin('PATCH', `/api/v1/admin/products/${before.id}`, {
      skus,
      detail_html: `<h3>产品细节</h3><p>柔软<script>alert(1)</script>亲肤</p><img src="${before.images[0]}" onerror="x()">`,
    })
  })

  afterAll(async () => {
    const skus = before.skus.filter((s) => s.is_active).map((s) => ({ id: s.id, specs: s.specs, price_fen: s.price_fen,
      stock: s.stock, original_price_fen: s.original_price_fen, image: s.image }))
    await mp.admin('PATCH', `/api/v1/admin/products/${before.id}`, { skus, detail_html: before.detail_html })
  })

  test('the original price is struck through beside the price, before and after a choice', async () => {
    const product = await mp.api('GET', `/api/v1/products/${before.id}`)
    const cheapest = product.skus.reduce((a, b) => (b.price_fen < a.price_fen ? b : a))
    const page = await openDetail(product.id)
    const was = page.querySelector('.summary__was')
    expect(mp.textOf(was)).toBe(format.price(cheapest.original_price_fen))
    expect(was.dom.innerHTML).toContain('price--strike')

    const other = product.skus.find((s) => s.id !== cheapest.id)
    await choose(page, other.specs)
    expect(mp.text(page, '.summary__now')).toBe(format.price(other.price_fen))
    expect(mp.text(page, '.summary__was')).toBe(format.price(other.original_price_fen))
  })

  test('choosing a SKU with its own picture shows that picture', async () => {
    const product = await mp.api('GET', `/api/v1/products/${before.id}`)
    const pictured = product.skus.find((s) => s.image_url)
    const plain = product.skus.find((s) => !s.image_url)
    expect(pictured.image_url).toMatch(/^http/)
    const page = await openDetail(product.id)
    expect(page.querySelector('.picker__image')).toBeUndefined()
    await choose(page, pictured.specs)
    expect(page.querySelector('.picker__image').dom.getAttribute('data-url')).toBe(pictured.image_url)
    await choose(page, plain.specs)
    expect(page.querySelector('.picker__image')).toBeUndefined()
  })

  test('the rich text is shown with rich-text, as the server sanitised it', async () => {
    const product = await mp.api('GET', `/api/v1/products/${before.id}`)
    expect(product.detail_html).toBe(`<h3>产品细节</h3><p>柔软亲肤</p><img src="${product.images[0]}" `
      + 'style="max-width:100%;height:auto;display:block;">')
    const page = await openDetail(product.id)
    const rich = page.querySelector('.description__rich')
    expect(rich).toBeDefined()
    expect(page.data.product.detail_html).toBe(product.detail_html)
    expect(rich.dom.tagName.toLowerCase()).toContain('rich-text')
    expect(mp.text(page, '.description__text')).toBe(product.description)
  })

  test('a product card strikes its original price through', async () => {
    const simulate = require('miniprogram-simulate')
    const card = (await mp.allProducts()).find((p) => p.title === SCARF)
    expect(card.original_price_fen).toBeGreaterThan(card.price_fen)
    const id = simulate.load(mp.path('components/product-card/product-card'), { compiler: 'simulate', rootPath: mp.path('') })
    const shown = simulate.render(id, { product: card })
    shown.attach(document.createElement('parent-wrapper'))
    expect(mp.text(shown, '.pcard__price')).toBe(format.price(card.price_fen))
    expect(mp.text(shown, '.pcard__was')).toBe(format.price(card.original_price_fen))
    const plainCard = simulate.render(id, { product: Object.assign({}, card, { original_price_fen: null }) })
    plainCard.attach(document.createElement('parent-wrapper'))
    expect(plainCard.querySelector('.pcard__was')).toBeUndefined()
  })
})
