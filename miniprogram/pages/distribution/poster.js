// 推广海报: the poster and the mini-program code (PNG behind the shopper's token, so fetched with
// wx.downloadFile and the Authorization header), 保存到相册, the invite code and sharing.
const api = require('../../utils/api')
const { paths } = api

Component({
  data: {
    loading: true,
    error: '',
    inviteCode: '',
    posterPath: '',
    qrcodePath: '',
    saving: false,
  },

  methods: {
    onLoad() {
      return this.load()
    },

    load() {
      this.setData({ loading: true, error: '' })
      return getApp().ready()
        .then(() => api.get(paths.distributionMe, null, { toast: false }))
        .then((info) => {
          this.setData({ inviteCode: info.invite_code })
          if (info.status !== 'approved') throw new Error('成为分销员后才能使用推广海报')
          return Promise.all([api.download(info.poster_url), api.download(info.qrcode_url)])
        })
        .then(([posterPath, qrcodePath]) => this.setData({ loading: false, posterPath, qrcodePath }),
          (err) => this.setData({ loading: false, error: err.message || '海报生成失败，请稍后重试' }))
    },

    onPreview(e) {
      const url = e.currentTarget.dataset.path
      wx.previewImage({ urls: [url], current: url })
    },

    onSave(e) {
      const filePath = e.currentTarget.dataset.path || this.data.posterPath
      if (!filePath || this.data.saving) return Promise.resolve(false)
      this.setData({ saving: true })
      return new Promise((resolve) => {
        wx.saveImageToPhotosAlbum({
          filePath,
          success: () => {
            wx.showToast({ title: '已保存到相册', icon: 'success' })
            resolve(true)
          },
          fail: (err) => {
            const msg = (err && err.errMsg) || ''
            if (/privacy/i.test(msg)) {
              wx.showToast({ title: '同意用户隐私保护指引后才能保存', icon: 'none' }) // declined in the privacy popup
            } else if (/auth|deny|denied/i.test(msg)) {
              wx.showModal({
                title: '需要相册权限',
                content: '请在设置中允许保存到相册，然后再试一次',
                confirmText: '去设置',
                success: (res) => { if (res.confirm) wx.openSetting({}) },
              })
            } else if (!/cancel/i.test(msg)) {
              wx.showToast({ title: '保存失败，请稍后重试', icon: 'none' })
            }
            resolve(false)
          },
          complete: () => this.setData({ saving: false }),
        })
      })
    },

    onCopyCode() {
      wx.setClipboardData({ data: this.data.inviteCode })
    },

    onShareAppMessage() {
      return {
        title: '好物分享商城：发现好物，分享赚钱',
        path: `/pages/index/index?invite=${this.data.inviteCode}`,
        imageUrl: this.data.posterPath || '',
      }
    },
  },
})
