// Paging for every list page: `behaviors: [pagedList]`, then the page provides
//   fetch(page, pageSize) → Promise<{ items, total }>   (its API call, with its own filters)
//   mapItem(item) → what its template shows                (optional: the item as it is)
// and may set data.pageSize (20 unless it says otherwise) or override reload() when a refresh fetches more than
// the list (e.g. the tab counts). The behavior keeps data.items / page / total / status, where status is one
// of components/list-footer's words: loading | more | end | empty | error.
//
// Only the newest request's answer is shown: each loadPage() takes a sequence number, and an answer that comes
// back after a newer request was made (another tab, a second pull-down) is dropped.

const LOADING = 'loading'
const MORE = 'more'
const END = 'end'
const EMPTY = 'empty'
const ERROR = 'error'

// `received` items arrived for this page, making `loaded` in all, of `total` the API counts.
function footerStatus(loaded, received, total, pageSize) {
  if (loaded === 0) return EMPTY
  if (loaded >= total || received < pageSize) return END
  return MORE
}

module.exports = Behavior({
  data: {
    items: [],
    page: 0, // the last page shown; 0 until the first answer
    total: 0,
    status: LOADING,
    pageSize: 20,
  },

  methods: {
    mapItem(item) {
      return item
    },

    loadPage(page) {
      const seq = (this.pageSeq = (this.pageSeq || 0) + 1)
      const pageSize = this.data.pageSize
      this.setData({ status: LOADING })
      return this.fetch(page, pageSize).then((res) => {
        if (seq !== this.pageSeq) return
        const items = res.items.map((item) => this.mapItem(item))
        const start = page === 1 ? 0 : this.data.items.length
        const status = footerStatus(start + items.length, items.length, res.total, pageSize)
        if (page === 1) {
          this.setData({ items, page, status, total: res.total })
          return
        }
        // Append by path, so that only the new rows travel to the view layer.
        const patch = { page, status, total: res.total }
        items.forEach((item, i) => { patch[`items[${start + i}]`] = item })
        this.setData(patch)
      }, () => {
        if (seq === this.pageSeq) this.setData({ status: ERROR })
      })
    },

    // Page 1 again; a page whose refresh fetches more (tab counts, categories) overrides this.
    reload() {
      return this.loadPage(1)
    },

    onReachBottom() {
      if (this.data.status === MORE) return this.loadPage(this.data.page + 1)
      return Promise.resolve()
    },

    onPullDownRefresh() {
      return this.reload().then(() => wx.stopPullDownRefresh())
    },

    // The footer's 加载失败，点击重试: the page that failed (the first one when nothing is shown yet).
    onRetry() {
      return this.loadPage(this.data.items.length ? this.data.page + 1 : 1)
    },
  },
})
