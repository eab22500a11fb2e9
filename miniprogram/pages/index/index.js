// 首页: category tabs, a search box and the product grid, ten at a time.
const api = require('../../utils/api')
const { inviteFromQuery } = require('../../utils/invite')

const PAGE_SIZE = 10
const ALL = { id: 0, name: '全部' }

Component({
  data: {
    categories: [ALL],
    categoryId: 0,
    keyword: '',
    items: [],
    total: 0,
    page: 0,
    status: 'loading', // loading | more | end | empty | error (see components/list-footer)
  },

  methods: {
    onLoad(query) {
      getApp().session.acceptInvite(inviteFromQuery(query))
      this.seq = 0 // answers of superseded requests (another tab, another search) are dropped
      return Promise.all([this.loadCategories(), this.loadPage(1)])
    },

    onPullDownRefresh() {
      return Promise.all([this.loadCategories(), this.loadPage(1)]).then(() => wx.stopPullDownRefresh())
    },

    onReachBottom() {
      if (this.data.status === 'more') return this.loadPage(this.data.page + 1)
      return Promise.resolve()
    },

    onShareAppMessage() {
      const user = getApp().session.currentUser()
      return {
        title: '好物分享商城：发现好物，分享赚钱',
        path: user && user.invite_code ? `/pages/index/index?invite=${user.invite_code}` : '/pages/index/index',
      }
    },

    loadCategories() {
      return api.get('/api/v1/categories', null, { toast: false }).then(
        (list) => this.setData({ categories: [ALL].concat(list) }),
        () => {}, // the tabs stay at 全部; the grid still works
      )
    },

    loadPage(page) {
      const seq = ++this.seq
      this.setData({ status: 'loading' })
      const query = { page, page_size: PAGE_SIZE, category_id: this.data.categoryId || '', q: this.data.keyword.trim() }
      return api.get('/api/v1/products', query).then((res) => {
        if (seq !== this.seq) return
        const start = page === 1 ? 0 : this.data.items.length
        const loaded = start + res.items.length
        let status = 'more'
        if (loaded === 0) status = 'empty'
        else if (loaded >= res.total || res.items.length < PAGE_SIZE) status = 'end'
        if (page === 1) {
          this.setData({ items: res.items, total: res.total, page, status })
        } else {
          // Append by path so that only the new cards travel to the view layer.
          const patch = { total: res.total, page, status }
          res.items.forEach((item, i) => { patch[`items[${start + i}]`] = item })
          this.setData(patch)
        }
      }, () => {
        if (seq === this.seq) this.setData({ status: 'error' })
      })
    },

    onCategoryTap(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (id === this.data.categoryId) return Promise.resolve()
      this.setData({ categoryId: id })
      return this.loadPage(1)
    },

    onSearchInput(e) {
      this.setData({ keyword: e.detail.value })
    },

    onSearch() {
      return this.loadPage(1)
    },

    onSearchClear() {
      this.setData({ keyword: '' })
      return this.loadPage(1)
    },

    onRetry() {
      return this.loadPage(this.data.items.length ? this.data.page + 1 : 1)
    },
  },
})
