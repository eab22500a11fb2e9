// The line under a paged list: loading, more to come, the end, empty, or an error with a retry.
Component({
  options: { addGlobalClass: true },
  properties: {
    status: { type: String, value: 'more' }, // loading | more | end | empty | error
    emptyText: { type: String, value: '暂无数据' },
  },
  methods: {
    onRetry() {
      if (this.data.status === 'error') this.triggerEvent('retry')
    },
  },
})
