// 收货地址: the address book. Opened from checkout with ?select=1 it is a picker: tapping an address hands it
// back (storage key read by the checkout's onShow) and returns.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')

const PICKED_ADDRESS_KEY = 'checkout_picked_address' // read by pages/order/checkout

Component({
  data: { loading: true, error: '', items: [], selecting: false, selectedId: 0 },

  methods: {
    onLoad(query) {
      const selecting = query.select === '1' || query.select === 1
      this.setData({ selecting, selectedId: Number(query.selected_id) || 0 })
      if (selecting) wx.setNavigationBarTitle({ title: '选择收货地址' })
      return this.load()
    },

    onShow() {
      // Back from the edit page: the book has changed.
      if (this.loaded) return this.load()
      return Promise.resolve()
    },

    load() {
      return getApp().ready()
        .then(() => api.get(paths.addresses, null, { toast: false }))
        .then((items) => {
          this.loaded = true
          this.setData({ loading: false, error: '', items })
        }, (err) => this.setData({ loading: false, error: err.message }))
    },

    onTap(e) {
      const address = this.data.items.find((a) => a.id === Number(e.currentTarget.dataset.id))
      if (!address) return
      if (!this.data.selecting) {
        nav.go('addressEdit', { id: address.id })
        return
      }
      wx.setStorageSync(PICKED_ADDRESS_KEY, address)
      nav.back()
    },

    onEdit(e) {
      nav.go('addressEdit', { id: e.currentTarget.dataset.id })
    },

    onAdd() {
      nav.go('addressEdit', {})
    },
  },
})
