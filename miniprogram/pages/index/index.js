// 首页: the search box with its history, the banner carousel and notices staff set in 首页装修, category tabs,
// the sorts (综合, 销量, 价格 up or down, 新品) and the product grid, ten at a time. The shop's name and share text
// come from the settings; sharing the home page (to a friend or to Moments) is recorded and carries my invite.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const { inviteFromQuery, shareFromQuery } = require('../../utils/invite')
const share = require('../../utils/share')
const searchHistory = require('../../utils/search-history')
const pagedList = require('../../behaviors/paged-list')

const ALL = { id: 0, name: '全部' }
// The sort bar: each entry's `sort` is the API's value ('' = the shop's own order); 价格 flips between two.
const SORTS = [
  { key: 'recommended', label: '综合', sort: '' },
  { key: 'sales', label: '销量', sort: 'sales' },
  { key: 'price', label: '价格', sort: 'price_asc' },
  { key: 'newest', label: '新品', sort: 'newest' },
]
const HISTORY_CLOSE_DELAY_MS = 200 // after the box loses focus, so that a tap on a history word still lands

Component({
  behaviors: [pagedList],

  data: {
    categories: [ALL],
    categoryId: 0,
    keyword: '',
    pageSize: 10,
    banners: [],
    notices: [],
    sorts: SORTS,
    sort: '',
    sortKey: 'recommended',
    history: [],
    historyOpen: false,
    shopName: '',
    shareText: '',
  },

  methods: {
    onLoad(query) {
      const session = getApp().session
      session.acceptInvite(inviteFromQuery(query))
      session.acceptShare(shareFromQuery(query))
      this.setData({ history: searchHistory.list() })
      return Promise.all([this.loadShop(), this.reload()])
    },

    reload() {
      return Promise.all([this.loadCategories(), this.loadHome(), this.loadPage(1)])
    },

    loadShop() {
      return share.shopCard().then((shop) => {
        this.setData(shop)
        wx.setNavigationBarTitle({ title: shop.shopName })
      }, () => {}) // the title stays the default one
    },

    onShareAppMessage() {
      return share.friendCard({ target: 'shop', title: this.data.shareText || this.data.shopName })
    },

    onShareTimeline() {
      return share.timelineCard({ target: 'shop', title: this.data.shareText || this.data.shopName })
    },

    loadCategories() {
      return api.get(paths.categories, null, { toast: false }).then(
        (list) => this.setData({ categories: [ALL].concat(list) }),
        () => {}, // the tabs stay at 全部; the grid still works
      )
    },

    loadHome() {
      return api.get(paths.home, null, { auth: false, toast: false }).then(
        (home) => this.setData({ banners: home.banners, notices: home.notices }),
        () => {}, // no carousel this time; the grid still works
      )
    },

    fetch(page, pageSize) {
      const d = this.data
      const query = { page, page_size: pageSize, category_id: d.categoryId || '', q: d.keyword.trim(), sort: d.sort }
      return api.get(paths.products, query)
    },

    selectCategory(id) {
      if (id === this.data.categoryId) return Promise.resolve()
      this.setData({ categoryId: id })
      return this.loadPage(1)
    },

    onCategoryTap(e) {
      return this.selectCategory(Number(e.currentTarget.dataset.id))
    },

    onSortTap(e) {
      const key = e.currentTarget.dataset.key
      const entry = SORTS.find((s) => s.key === key)
      let sort = entry.sort
      if (key === 'price' && this.data.sort === 'price_asc') sort = 'price_desc' // a second tap: dearest first
      if (sort === this.data.sort && key === this.data.sortKey) return Promise.resolve()
      // A new order is a new list: drawn afresh, not rearranged card by card from the old one's.
      this.setData({ sort, sortKey: key, items: [] })
      return this.loadPage(1)
    },

    // A banner or notice leads to a product, or to its category's tab here (link_kind none: nowhere).
    follow(item) {
      if (!item) return Promise.resolve()
      if (item.link_kind === 'product') {
        nav.go('product', { id: item.link_id })
        return Promise.resolve()
      }
      if (item.link_kind === 'category') return this.selectCategory(item.link_id)
      return Promise.resolve()
    },

    onBannerTap(e) {
      return this.follow(this.data.banners[Number(e.currentTarget.dataset.index)])
    },

    onNoticeTap(e) {
      return this.follow(this.data.notices[Number(e.currentTarget.dataset.index)])
    },

    onSearchInput(e) {
      this.setData({ keyword: e.detail.value })
    },

    onSearchFocus() {
      clearTimeout(this.historyTimer)
      this.setData({ historyOpen: true, history: searchHistory.list() })
    },

    onSearchBlur() {
      this.historyTimer = setTimeout(() => this.setData({ historyOpen: false }), HISTORY_CLOSE_DELAY_MS)
    },

    onSearch() {
      const keyword = this.data.keyword.trim()
      this.setData({ historyOpen: false, history: keyword ? searchHistory.add(keyword) : this.data.history })
      return this.loadPage(1)
    },

    onHistoryTap(e) {
      this.setData({ keyword: e.currentTarget.dataset.keyword })
      return this.onSearch()
    },

    onHistoryClear() {
      this.setData({ history: searchHistory.clear() })
    },

    onSearchClear() {
      this.setData({ keyword: '' })
      return this.loadPage(1)
    },
  },
})
