// 商品海报: a product's share poster, drawn by the API (the picture, title, price and a mini-program code that
// opens the product with my invite and this share), to save to the album or send on. Making it records a share
// with channel `poster`; like every share it earns nothing by itself.
const album = require('../../utils/album')
const api = require('../../utils/api')
const share = require('../../utils/share')

Component({
  data: {
    loading: true,
    error: '',
    posterPath: '',
    saving: false,
  },

  methods: {
    onLoad(query) {
      this.productId = Number(query.id)
      return this.load()
    },

    load() {
      this.setData({ loading: true, error: '' })
      return getApp().ready()
        .then(() => share.productPoster(this.productId))
        .then((poster) => api.download(poster.url))
        .then((posterPath) => this.setData({ loading: false, posterPath }),
          (err) => this.setData({ loading: false, error: err.message || '海报生成失败，请稍后重试' }))
    },

    onPreview() {
      wx.previewImage({ urls: [this.data.posterPath], current: this.data.posterPath })
    },

    onSave() {
      if (!this.data.posterPath || this.data.saving) return Promise.resolve(false)
      this.setData({ saving: true })
      return album.save(this.data.posterPath).then((saved) => {
        this.setData({ saving: false })
        return saved
      })
    },
  },
})
