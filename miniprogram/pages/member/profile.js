// 个人资料: the avatar through WeChat's chooseAvatar (its temporary file uploaded to POST /me/avatar), the nickname
// through an input of type "nickname" (WeChat offers the shopper's own; a name its review refuses is not saved),
// and the phone through getPhoneNumber → POST /me/phone. WeChat asks for the privacy guide first on each of them
// (this page's <privacy-popup />); nothing is sent before the shopper has agreed and chosen.
const api = require('../../utils/api')
const { paths } = api

Component({
  data: {
    loading: true,
    me: null,
    initial: '',
    nickname: '', // as typed
    nicknameRefused: false, // WeChat's review refused what is typed
    saving: false,
  },

  methods: {
    onLoad() {
      return getApp().ready().then(() => api.get(paths.me))
        .then((me) => this.show(me), () => this.setData({ loading: false }))
    },

    show(me) {
      this.setData({
        loading: false, me, nickname: me.nickname, initial: (me.nickname || '我').slice(0, 1), nicknameRefused: false,
      })
      getApp().session.rememberAccount(me)
      return me
    },

    // chooseAvatar hands over a temporary file; it is uploaded as it is (the API checks and shrinks it).
    onChooseAvatar(e) {
      const file = e.detail && e.detail.avatarUrl
      if (!file) return Promise.resolve(null)
      return api.upload(paths.meAvatar, file).then((me) => {
        this.show(me)
        wx.showToast({ title: '头像已更新', icon: 'success' })
        return me
      }, () => null)
    },

    onNicknameInput(e) {
      this.setData({ nickname: e.detail.value, nicknameRefused: false })
    },

    // type="nickname": WeChat reviews what was typed or picked and says whether it passed.
    onNicknameReview(e) {
      if (e.detail && e.detail.pass === false) this.setData({ nicknameRefused: true })
    },

    onSaveNickname() {
      const nickname = String(this.data.nickname || '').trim()
      if (this.data.saving || !this.data.me || nickname === this.data.me.nickname) return Promise.resolve(null)
      if (!nickname) {
        wx.showToast({ title: '请输入昵称', icon: 'none' })
        return Promise.resolve(null)
      }
      if (this.data.nicknameRefused) {
        wx.showToast({ title: '这个昵称未通过微信的检查，请换一个', icon: 'none' })
        return Promise.resolve(null)
      }
      this.setData({ saving: true })
      return api.put(paths.me, { nickname }).then((me) => {
        this.setData({ saving: false })
        this.show(me)
        wx.showToast({ title: '昵称已保存', icon: 'success' })
        return me
      }, () => {
        this.setData({ saving: false })
        return null
      })
    },

    // No code: the shopper declined (or WeChat held it back until the privacy guide is agreed to).
    onPhoneNumber(e) {
      const code = e.detail && e.detail.code
      if (!code) return Promise.resolve(null)
      return api.post(paths.mePhone, { code }).then((me) => {
        this.show(me)
        wx.showToast({ title: '手机号已绑定', icon: 'success' })
        return me
      }, () => null)
    },
  },
})
