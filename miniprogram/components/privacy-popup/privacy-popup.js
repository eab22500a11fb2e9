// The privacy popup (用户隐私保护提示) that WeChat asks for before any personal data: put <privacy-popup /> on every
// page that asks for some. It takes WeChat's requests while its page is on screen (utils/privacy.js); its agree
// button is WeChat's open-type="agreePrivacyAuthorization", whose id goes back to WeChat with the agreement.
const privacy = require('../../utils/privacy')
const nav = require('../../utils/nav')

const AGREE_BUTTON = 'privacy-agree'
const DEFAULT_CONTRACT = '《用户隐私保护指引》'

Component({
  options: { addGlobalClass: true },

  data: {
    show: false,
    contractName: DEFAULT_CONTRACT,
    agreeButton: AGREE_BUTTON,
  },

  lifetimes: {
    attached() {
      privacy.listen(this)
    },
    detached() {
      privacy.release(this)
    },
  },

  pageLifetimes: {
    show() {
      privacy.listen(this)
    },
    hide() {
      privacy.release(this) // a page underneath must not open its popup out of sight
    },
  },

  methods: {
    // WeChat (or a form through privacy.ensure) waits for the shopper's answer.
    open() {
      this.setData({ show: true })
      privacy.setting().then(({ contractName }) => {
        if (contractName) this.setData({ contractName })
      })
    },

    onAgree() {
      privacy.agree(AGREE_BUTTON)
      this.setData({ show: false })
      this.triggerEvent('agree')
    },

    onDisagree() {
      privacy.disagree()
      this.setData({ show: false })
      this.triggerEvent('disagree')
    },

    // The guide as registered with WeChat (mp.weixin.qq.com → 用户隐私保护指引); our own page when that fails.
    onOpenContract() {
      if (!wx.openPrivacyContract) {
        nav.go('privacy')
        return
      }
      wx.openPrivacyContract({ fail: () => nav.go('privacy') })
    },
  },
})
