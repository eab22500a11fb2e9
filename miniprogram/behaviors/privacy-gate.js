// For pages with a form where the shopper types personal data (real name, phone, bank account, address): the form
// shows only once they have agreed to the privacy guide (utils/privacy.js). The page puts
// <privacy-popup /> in its template and shows the form `wx:if="{{privacyAgreed}}"`.
//   checkPrivacy()  learns whether they have already agreed, without asking (on load)
//   askPrivacy()    asks through the popup when they have not; resolves true or false
// data.privacyDeclined is true after they declined, for a line that offers to ask again.
const privacy = require('../utils/privacy')

module.exports = Behavior({
  data: {
    privacyAgreed: false,
    privacyDeclined: false,
  },

  methods: {
    checkPrivacy() {
      return privacy.setting().then(({ needed }) => {
        if (!needed) this.setData({ privacyAgreed: true, privacyDeclined: false })
        return !needed
      })
    },

    askPrivacy() {
      if (this.data.privacyAgreed) return Promise.resolve(true)
      return privacy.ensure().then((agreed) => {
        this.setData({ privacyAgreed: agreed, privacyDeclined: !agreed })
        return agreed
      })
    },

    // The "同意后填写" line's button.
    onAskPrivacy() {
      return this.askPrivacy()
    },
  },
})
