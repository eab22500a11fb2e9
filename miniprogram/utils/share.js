// Share cards for onShareAppMessage and onShareTimeline. Each share is recorded (POST /shares) so that the merchant's
// funnel counts shares → visits → bindings → first orders, and the card carries the sharer's invite code and the
// share id (`invite`, `s`). Sharing earns nothing by itself (WeChat's 运营规范 5.1): no card promises a reward, and
// 分享有礼's rules are shown on their own page (pages/member/invite).
const api = require('./api')
const { paths } = api
const nav = require('./nav')
const session = require('./session')

const FRIEND = 'friend'
const TIMELINE = 'timeline'
const TIMELINE_KEY = 'timeline_shares' // storage: { 'user:target:product': share id } of the last Moments share

// The shop's name and share text, from the settings (GET /share-rewards/rules, no token needed).
function shopCard() {
  return api.get(paths.shareRewardRules, null, { auth: false, toast: false })
    .then((rules) => ({ shopName: rules.shop_name, shareText: rules.share_text }))
}

function record(target, productId, channel) {
  const body = { target, channel }
  if (target === 'product') body.product_id = productId
  return session.ready().then(() => api.post(paths.shares, body, { toast: false }))
}

function inviteCode() {
  const user = session.currentUser()
  return (user && user.invite_code) || ''
}

function pagePath(target) {
  return target === 'product' ? nav.ROUTES.product : nav.ROUTES.home
}

/**
 * onShareAppMessage's answer. WeChat shows `title`, `path` and `imageUrl` at once and takes the promise's instead
 * once the share is recorded (within three seconds): the same card, whose path now also carries `s`.
 * card({ target: 'shop' | 'product', productId, title, imageUrl })
 */
function friendCard({ target, productId, title, imageUrl }) {
  const query = target === 'product' ? { id: productId, invite: inviteCode() } : { invite: inviteCode() }
  const card = { title: title || '', path: nav.withQuery(pagePath(target), query) }
  if (imageUrl) card.imageUrl = imageUrl
  const promise = record(target, productId, FRIEND).then(
    (share) => Object.assign({}, card, { title: share.title || card.title, path: `/${share.path}` }),
    () => Object.assign({}, card), // not recorded: the card still carries the invite code
  )
  return Object.assign({ promise }, card)
}

function timelineKey(target, productId) {
  const user = session.currentUser()
  return `${user ? user.id : 0}:${target}:${target === 'product' ? productId : 0}`
}

/**
 * onShareTimeline's answer: { title, query, imageUrl }. WeChat takes it at once (no promise for Moments), so the query
 * carries the share id of this shopper's last Moments share of the same page, recorded at that earlier tap; this
 * tap is recorded now, for the next one. The first Moments share of a page carries the invite code only.
 */
function timelineCard({ target, productId, title, imageUrl }) {
  const key = timelineKey(target, productId)
  const known = wx.getStorageSync(TIMELINE_KEY) || {}
  const query = target === 'product' ? { id: productId } : {}
  query.invite = inviteCode()
  if (known[key]) query.s = known[key]
  record(target, productId, TIMELINE).then((share) => {
    const stored = wx.getStorageSync(TIMELINE_KEY) || {}
    stored[key] = share.share_id
    wx.setStorageSync(TIMELINE_KEY, stored)
  }, () => {})
  const text = Object.keys(query).filter((k) => query[k]).map((k) => `${k}=${encodeURIComponent(query[k])}`).join('&')
  const card = { title: title || '', query: text }
  if (imageUrl) card.imageUrl = imageUrl
  return card
}

// A product poster to save or send: its share, recorded with channel `poster`, and the poster's URL (behind the
// token: download it with api.download).
function productPoster(productId) {
  return record('product', productId, 'poster').then((share) => ({
    shareId: share.share_id,
    url: api.absolute(paths.sharePoster(share.share_id)),
  }))
}

module.exports = { shopCard, friendCard, timelineCard, productPoster, TIMELINE_KEY }
