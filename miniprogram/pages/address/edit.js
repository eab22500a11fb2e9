// 编辑收货地址: name, phone, province/city/district (region picker), street address and the default switch.
// New: POST /addresses; existing: PUT /addresses/{id} (the PATCH body; wx.request has no PATCH); DELETE removes.
const api = require('../../utils/api')
const { paths } = api
const nav = require('../../utils/nav')
const privacyGate = require('../../behaviors/privacy-gate')

const PHONE = /^1\d{10}$/

Component({
  behaviors: [privacyGate], // the form asks for a name, a phone and an address: only after the privacy guide

  data: {
    id: 0,
    loading: false,
    name: '',
    phone: '',
    region: [],
    detail: '',
    isDefault: false,
    saving: false,
  },

  methods: {
    onLoad(query) {
      const id = Number(query.id) || 0
      this.setData({ id })
      wx.setNavigationBarTitle({ title: id ? '编辑收货地址' : '新增收货地址' })
      const asked = this.askPrivacy()
      if (!id) return Promise.all([asked, getApp().ready().catch(() => null)])
      this.setData({ loading: true })
      return Promise.all([asked, getApp().ready()])
        .then(() => api.get(paths.address(id)))
        .then((a) => this.setData({
          loading: false, name: a.name, phone: a.phone, region: [a.province, a.city, a.district].filter((x) => x !== ''),
          detail: a.detail, isDefault: a.is_default,
        }), () => this.setData({ loading: false }))
    },

    onInput(e) {
      this.setData({ [e.currentTarget.dataset.field]: e.detail.value })
    },

    onRegionChange(e) {
      this.setData({ region: e.detail.value })
    },

    onDefaultChange(e) {
      this.setData({ isDefault: !!e.detail.value })
    },

    // The form as the API wants it, or null after saying what is missing.
    body() {
      const d = this.data
      const problem = (!d.name.trim() && '请填写收货人姓名')
        || (!PHONE.test(d.phone.trim()) && '请填写正确的 11 位手机号')
        || (d.region.length < 2 && '请选择所在地区')
        || (!d.detail.trim() && '请填写详细地址')
      if (problem) {
        wx.showToast({ title: problem, icon: 'none' })
        return null
      }
      return {
        name: d.name.trim(), phone: d.phone.trim(), province: d.region[0], city: d.region[1],
        district: d.region[2] || '', detail: d.detail.trim(), is_default: d.isDefault,
      }
    },

    onSave() {
      if (!this.data.privacyAgreed) return this.askPrivacy().then((agreed) => (agreed ? this.onSave() : null))
      const body = this.body()
      if (!body || this.data.saving) return Promise.resolve(null)
      this.setData({ saving: true })
      const request = this.data.id ? api.put(paths.address(this.data.id), body) : api.post(paths.addresses, body)
      return request.then((address) => {
        this.setData({ saving: false })
        wx.showToast({ title: '已保存', icon: 'success' })
        nav.back()
        return address
      }, () => {
        this.setData({ saving: false })
        return null
      })
    },

    onDelete() {
      return new Promise((resolve) => {
        wx.showModal({
          title: '删除地址',
          content: '确定删除这个收货地址吗？',
          confirmText: '删除',
          confirmColor: '#f2270c',
          success: (res) => {
            if (!res.confirm) return resolve(false)
            api.del(paths.address(this.data.id)).then(() => {
              wx.showToast({ title: '已删除', icon: 'none' })
              nav.back()
              resolve(true)
            }, () => resolve(false))
          },
          fail: () => resolve(false),
        })
      })
    },
  },
})
