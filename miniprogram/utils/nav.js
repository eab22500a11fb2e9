// Every page the shopper can go to, by name. A page that is not built yet has no path: going there says
// 敬请期待 instead of failing. Fill the path in when the page lands (and add it to app.json).
const ROUTES = {
  home: '/pages/index/index',
  cart: '/pages/cart/cart',
  me: '/pages/me/me',
  product: '/pages/product/detail',
  privacy: '/pages/privacy/index',
  // subpackage "order"
  checkout: '/pages/order/checkout',
  orders: '/pages/order/list',
  order: '/pages/order/detail',
  logistics: '/pages/order/logistics',
  payResult: '/pages/order/result',
  // subpackage "address"
  addresses: '/pages/address/list',
  addressEdit: '/pages/address/edit',
  // subpackage "distribution"
  distribution: '/pages/distribution/index',
  poster: '/pages/distribution/poster',
  team: '/pages/distribution/team',
  promotionOrders: '/pages/distribution/orders',
  commissions: '/pages/distribution/commissions',
  withdraw: '/pages/distribution/withdraw',
  withdrawals: '/pages/distribution/withdrawals',
  // subpackage "marketing"
  couponCentre: '/pages/marketing/coupons',
  myCoupons: '/pages/marketing/mine',
  // subpackage "member"
  memberCentre: '/pages/member/center',
  checkIn: '/pages/member/checkin',
  shareRewards: '/pages/member/invite',
  profile: '/pages/member/profile',
  productPoster: '/pages/member/poster',
}

const TABS = [ROUTES.home, ROUTES.cart, ROUTES.me]

function withQuery(path, query) {
  const keys = Object.keys(query || {}).filter((k) => query[k] !== undefined && query[k] !== null && query[k] !== '')
  if (!keys.length) return path
  return `${path}?${keys.map((k) => `${k}=${encodeURIComponent(query[k])}`).join('&')}`
}

function isAvailable(name) {
  return !!ROUTES[name]
}

function open(type, name, query) {
  const path = ROUTES[name]
  if (!path) {
    wx.showToast({ title: '敬请期待', icon: 'none' })
    return false
  }
  if (TABS.indexOf(path) >= 0) wx.switchTab({ url: path })
  else wx[type]({ url: withQuery(path, query) })
  return true
}

// go('product', { id: 3 }); tab pages are switched to (they take no query).
function go(name, query) {
  return open('navigateTo', name, query)
}

// Replaces the current page (checkout → order detail: back from there must not return to a spent checkout).
function replace(name, query) {
  return open('redirectTo', name, query)
}

function back() {
  wx.navigateBack({ delta: 1 })
}

module.exports = { ROUTES, TABS, go, replace, back, isAvailable, withQuery }
