// Paging for the centre's lists: methods to mix into a page that defines fetch(page, pageSize) → {items, total}
// and mapItem(item). Keeps data.items, data.page and data.status (see components/list-footer).

function pagedMethods(pageSize) {
  return {
    loadPage(page) {
      const seq = (this.pageSeq = (this.pageSeq || 0) + 1)
      this.setData({ status: 'loading' })
      return this.fetch(page, pageSize).then((res) => {
        if (seq !== this.pageSeq) return
        const items = res.items.map((item) => this.mapItem(item))
        const start = page === 1 ? 0 : this.data.items.length
        const loaded = start + items.length
        let status = 'more'
        if (loaded === 0) status = 'empty'
        else if (loaded >= res.total || items.length < pageSize) status = 'end'
        if (page === 1) {
          this.setData({ items, page, status, total: res.total })
        } else {
          const patch = { page, status, total: res.total }
          items.forEach((item, i) => { patch[`items[${start + i}]`] = item })
          this.setData(patch)
        }
      }, () => {
        if (seq === this.pageSeq) this.setData({ status: 'error' })
      })
    },

    onReachBottom() {
      if (this.data.status === 'more') return this.loadPage(this.data.page + 1)
      return Promise.resolve()
    },

    onPullDownRefresh() {
      return this.loadPage(1).then(() => wx.stopPullDownRefresh())
    },

    onRetry() {
      return this.loadPage(this.data.items.length ? this.data.page + 1 : 1)
    },
  }
}

module.exports = { pagedMethods }
