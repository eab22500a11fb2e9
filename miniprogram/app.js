const session = require('./utils/session')
const { inviteFromQuery, shareFromQuery } = require('./utils/invite')

// A share link (`?invite=CODE&s=ID`) or a poster's code: the invite goes with the login (or is bound if the shopper
// is in already), then the visit is recorded for the merchant's funnel. Neither earns anyone anything.
function arrive(query) {
  const invite = inviteFromQuery(query)
  if (invite) session.acceptInvite(invite)
  session.acceptShare(shareFromQuery(query))
  return invite
}

App({
  // Cold start: log in at once, carrying the invite code of the share link or QR code that opened us.
  onLaunch(options) {
    if (!arrive(options && options.query)) session.ready().catch(() => {}) // pages that need the shopper show the error
  },

  // Hot start from another share link: bind that invite as well (the binding rules decide), and count the visit.
  onShow(options) {
    arrive(options && options.query)
  },

  // Resolves to the logged-in user; pages await it before calling shopper APIs.
  ready() {
    return session.ready()
  },

  session,
})
