// 首页 against the running backend and its seeded demo catalog.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

function cards(page) {
  return mp.all(page, '.grid__item').map((card) => ({
    id: card.data.product.id,
    title: mp.text(card, '.pcard__title'),
    price: mp.textOf(card.querySelector('.pcard__price')),
    cover: card.data.product.cover_url,
  }))
}

// The price a card shows: the limited-time price while one runs (the demo has two), else the regular one.
function expected(items) {
  return items.map((p) => ({
    id: p.id, title: p.title, price: format.price(p.promo ? p.promo_price_fen : p.price_fen), cover: p.cover_url,
  }))
}

async function openHome(query = {}) {
  const page = mp.loadPage('pages/index/index')
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

test('the first page shows ten product cards with the titles and prices the API gives', async () => {
  const api = await mp.api('GET', '/api/v1/products?page=1&page_size=10')
  expect(api.total).toBeGreaterThanOrEqual(20)

  const page = await openHome()

  expect(cards(page)).toEqual(expected(api.items))
  expect(cards(page).every((c) => c.cover.startsWith('http'))).toBe(true)
  expect(mp.text(page, '.home__footer')).toBe('上拉加载更多')
})

test('reaching the bottom loads the next pages until 没有更多了', async () => {
  const all = await mp.allProducts()
  const page = await openHome()

  await page.instance.onReachBottom()
  expect(cards(page)).toEqual(expected(all.slice(0, 20)))

  while (page.data.status === 'more') await page.instance.onReachBottom()
  expect(cards(page)).toEqual(expected(all))
  expect(mp.text(page, '.home__footer')).toBe('没有更多了')

  await page.instance.onReachBottom() // at the end nothing more is asked for
  expect(cards(page)).toHaveLength(all.length)
})

test('the category tabs come from the API and a tab shows only its products', async () => {
  const categories = await mp.api('GET', '/api/v1/categories')
  const page = await openHome()
  expect(mp.texts(page, '.tab')).toEqual(['全部', ...categories.map((c) => c.name)])

  const category = categories[1]
  await mp.tap(mp.all(page, '.tab')[2])
  await fakeWx.idle()

  const inCategory = await mp.allProducts(`&category_id=${category.id}`)
  expect(inCategory.length).toBeGreaterThan(0)
  expect(cards(page)).toEqual(expected(inCategory))
  expect(page.querySelector('.tab--active').dom.textContent).toBe(category.name)
})

test('searching shows the matching products, and clearing the search shows all again', async () => {
  const page = await openHome()
  page.instance.onSearchInput({ detail: { value: '茶' } })
  await page.instance.onSearch()

  const found = await mp.allProducts(`&q=${encodeURIComponent('茶')}`)
  expect(found.length).toBeGreaterThan(0)
  expect(cards(page)).toEqual(expected(found))
  expect(cards(page).every((c) => c.title.includes('茶'))).toBe(true)

  page.instance.onSearchInput({ detail: { value: '不存在的商品xyz' } })
  await page.instance.onSearch()
  expect(cards(page)).toEqual([])
  expect(mp.text(page, '.home__footer')).toBe('没有找到相关商品')

  await page.instance.onSearchClear()
  expect(cards(page)).toHaveLength(10)
})

test('tapping a card opens its detail page', async () => {
  const page = await openHome()
  const card = mp.all(page, '.grid__item')[3]
  await mp.tap(card.querySelector('.pcard'))
  expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: `/pages/product/detail?id=${card.data.product.id}` }])
})

test('pull-down refresh reloads the first page', async () => {
  const page = await openHome()
  await page.instance.onReachBottom()
  expect(cards(page)).toHaveLength(20)
  await page.instance.onPullDownRefresh()
  expect(cards(page)).toHaveLength(10)
})

test('sharing the home page carries my invite code', async () => {
  const user = await getApp().ready()
  const page = await openHome()
  expect(page.instance.onShareAppMessage().path).toBe(`/pages/index/index?invite=${user.invite_code}`)
})
