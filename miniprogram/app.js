const session = require('./utils/session')
const { inviteFromQuery } = require('./utils/invite')

App({
  // Cold start: log in at once, carrying the invite code of the share link or QR code that opened us.
  onLaunch(options) {
    const invite = inviteFromQuery(options && options.query)
    if (invite) session.acceptInvite(invite)
    else session.ready().catch(() => {}) // the pages that need the shopper show the error when they wait
  },

  // Hot start from another share link: bind that invite as well (the binding rules decide).
  onShow(options) {
    const invite = inviteFromQuery(options && options.query)
    if (invite) session.acceptInvite(invite)
  },

  // Resolves to the logged-in user; pages await it before calling shopper APIs.
  ready() {
    return session.ready()
  },

  session,
})
