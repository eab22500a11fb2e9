// 首页: category tabs, a search box and the product grid, ten at a time.
const api = require('../../utils/api')
const { paths } = api
const { inviteFromQuery } = require('../../utils/invite')
const pagedList = require('../../behaviors/paged-list')

const ALL = { id: 0, name: '全部' }

Component({
  behaviors: [pagedList],

  data: {
    categories: [ALL],
    categoryId: 0,
    keyword: '',
    pageSize: 10,
  },

  methods: {
    onLoad(query) {
      getApp().session.acceptInvite(inviteFromQuery(query))
      return this.reload()
    },

    reload() {
      return Promise.all([this.loadCategories(), this.loadPage(1)])
    },

    onShareAppMessage() {
      const user = getApp().session.currentUser()
      return {
        title: '好物分享商城：发现好物，分享赚钱',
        path: user && user.invite_code ? `/pages/index/index?invite=${user.invite_code}` : '/pages/index/index',
      }
    },

    loadCategories() {
      return api.get(paths.categories, null, { toast: false }).then(
        (list) => this.setData({ categories: [ALL].concat(list) }),
        () => {}, // the tabs stay at 全部; the grid still works
      )
    },

    fetch(page, pageSize) {
      const query = { page, page_size: pageSize, category_id: this.data.categoryId || '', q: this.data.keyword.trim() }
      return api.get(paths.products, query)
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
  },
})
