// 首页's additions against the running backend and its seeded 首页装修 (three banners, two notices): the carousel
// and notices from GET /home and where a tap leads, the sorts (销量, 价格 up then down, 新品, 综合) each asking the
// API with its sort, and the search history kept on the device.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

async function openHome() {
  const page = mp.loadPage('pages/index/index')
  await page.instance.onLoad({})
  await fakeWx.idle()
  return page
}

function cardIds(page) {
  return mp.all(page, '.grid__item').map((card) => card.data.product.id)
}

// The `sort` of the newest GET /products the page made ('' when it sent none).
function lastSort() {
  const asked = fakeWx.requests.filter((r) => r.method === 'GET' && /\/api\/v1\/products\?/.test(r.url)).pop()
  return new URL(asked.url).searchParams.get('sort') || ''
}

async function tapSort(page, label) {
  const sort = mp.all(page, '.sort').find((node) => mp.textOf(node).startsWith(label))
  await mp.tap(sort)
  await fakeWx.idle()
}

describe('the carousel and the notices', () => {
  test('show what GET /home gives, in its order, with each banner’s picture', async () => {
    const home = await mp.api('GET', '/api/v1/home')
    expect(home.banners.map((b) => b.title)).toEqual(['春季焕新 全场包邮', '云南高山普洱', '数码好物节'])

    const page = await openHome()

    // The simulator keeps no image sources: the carousel draws one slide per banner of the page's data, which is
    // what the API answered.
    expect(page.data.banners).toEqual(home.banners)
    expect(mp.all(page, '.banner').map((node) => node.dom.dataset.index)).toEqual(['0', '1', '2'])
    expect(mp.all(page, '.banner__image')).toHaveLength(3)
    expect(home.banners.every((b) => b.image_url.startsWith('http'))).toBe(true)
    expect(mp.texts(page, '.notice__text')).toEqual(home.notices.map((n) => n.text))
    expect(mp.text(page, '.notices__tag')).toBe('公告')
  })

  test('a banner leads to its product, or to its category’s tab; one without a link stays put', async () => {
    const home = await mp.api('GET', '/api/v1/home')
    const page = await openHome()
    const [plain, product, category] = mp.rows(page, '.banner')

    await mp.tap(plain.node)
    await fakeWx.idle()
    expect(fakeWx.navigations).toEqual([])

    await mp.tap(product.node)
    expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: `/pages/product/detail?id=${home.banners[1].link_id}` }])

    await mp.tap(category.node)
    await fakeWx.idle()
    const inCategory = await mp.allProducts(`&category_id=${home.banners[2].link_id}`)
    expect(page.querySelector('.tab--active').dom.textContent).toBe('数码配件')
    expect(cardIds(page)).toEqual(inCategory.slice(0, 10).map((p) => p.id))
  })

  test('without an answer from GET /home the grid still shows', async () => {
    fakeWx.loseNextAnswer('GET', /\/api\/v1\/home$/)
    const page = await openHome()
    expect(mp.all(page, '.banner')).toHaveLength(0)
    expect(page.querySelector('.notices')).toBeUndefined()
    expect(cardIds(page)).toHaveLength(10)
  })
})

describe('the sorts', () => {
  test('each asks the API with its sort and shows its order: 销量, 价格 cheapest then dearest, 新品, 综合', async () => {
    const page = await openHome()
    expect(lastSort()).toBe('')
    expect(mp.text(page, '.sort--active')).toBe('综合')

    for (const [label, sort, shown] of [['销量', 'sales', '销量'], ['价格', 'price_asc', '价格↑'],
      ['价格', 'price_desc', '价格↓'], ['新品', 'newest', '新品']]) {
      await tapSort(page, label)
      expect(lastSort()).toBe(sort)
      expect(mp.text(page, '.sort--active')).toBe(shown)
      const api = await mp.api('GET', `/api/v1/products?page=1&page_size=10&sort=${sort}`)
      expect(cardIds(page)).toEqual(api.items.map((p) => p.id))
    }
    const cheapestFirst = (await mp.api('GET', '/api/v1/products?page=1&page_size=100&sort=price_asc')).items
    expect(cheapestFirst.map((p) => p.price_fen)).toEqual(cheapestFirst.map((p) => p.price_fen).sort((a, b) => a - b))

    await tapSort(page, '综合')
    expect(lastSort()).toBe('')
    expect(cardIds(page)).toEqual((await mp.api('GET', '/api/v1/products?page=1&page_size=10')).items.map((p) => p.id))
  })

  test('a sort holds for the next pages and within a category', async () => {
    const page = await openHome()
    await tapSort(page, '销量')
    await page.instance.onReachBottom()
    expect(lastSort()).toBe('sales')
    const bySales = await mp.api('GET', '/api/v1/products?page=1&page_size=20&sort=sales')
    expect(cardIds(page)).toEqual(bySales.items.map((p) => p.id))

    await mp.tap(mp.all(page, '.tab')[1])
    await fakeWx.idle()
    const categoryId = page.data.categoryId
    const inCategory = await mp.api('GET', `/api/v1/products?page=1&page_size=10&sort=sales&category_id=${categoryId}`)
    expect(lastSort()).toBe('sales')
    expect(cardIds(page)).toEqual(inCategory.items.map((p) => p.id))
  })
})

describe('the search history', () => {
  test('is kept on the device, newest first and each word once, and shows when the box is focused', async () => {
    const page = await openHome()
    page.instance.onSearchFocus()
    expect(page.querySelector('.history')).toBeUndefined() // nothing searched yet

    for (const word of ['茶', '杯', '茶']) {
      page.instance.onSearchInput({ detail: { value: ` ${word} ` } })
      await page.instance.onSearch()
    }
    expect(wx.getStorageSync('search_history')).toEqual(['茶', '杯'])

    const again = await openHome() // another visit on the same device
    again.instance.onSearchFocus()
    expect(mp.texts(again, '.history__word')).toEqual(['茶', '杯'])

    await mp.tap(mp.all(again, '.history__word')[1])
    await fakeWx.idle()
    expect(again.data.keyword).toBe('杯')
    expect(new URL(fakeWx.requests.filter((r) => /\/products\?/.test(r.url)).pop().url).searchParams.get('q')).toBe('杯')
    expect(wx.getStorageSync('search_history')).toEqual(['杯', '茶'])
    expect(again.querySelector('.history')).toBeUndefined() // closed once it searched
  })

  test('keeps the ten newest words', async () => {
    const page = await openHome()
    const words = Array.from({ length: 12 }, (_, i) => `词${i + 1}`)
    for (const word of words) {
      page.instance.onSearchInput({ detail: { value: word } })
      await page.instance.onSearch()
    }
    expect(wx.getStorageSync('search_history')).toEqual(words.slice(2).reverse())
  })

  test('清空 clears it from the device', async () => {
    const page = await openHome()
    page.instance.onSearchInput({ detail: { value: '茶' } })
    await page.instance.onSearch()
    page.instance.onSearchFocus()
    expect(mp.texts(page, '.history__word')).toEqual(['茶'])

    await mp.tap(page.querySelector('.history__clear'))
    expect(page.querySelector('.history')).toBeUndefined()
    expect(wx.getStorageSync('search_history')).toBe('')
    page.instance.onSearchFocus()
    expect(page.querySelector('.history')).toBeUndefined()
  })
})
