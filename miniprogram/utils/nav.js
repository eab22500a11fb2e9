// Every page the shopper can go to, by name. A page that is not built yet has no path: going there says
// 敬请期待 instead of failing. Fill the path in when the page lands (and add it to app.json).
const ROUTES = {
  home: '/pages/index/index',
  cart: '/pages/cart/cart',
  me: '/pages/me/me',
  product: '/pages/product/detail',
  checkout: '',
  orders: '',
  addresses: '',
  distribution: '',
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

// go('product', { id: 3 }); tab pages are switched to (they take no query).
function go(name, query) {
  const path = ROUTES[name]
  if (!path) {
    wx.showToast({ title: '敬请期待', icon: 'none' })
    return false
  }
  if (TABS.indexOf(path) >= 0) wx.switchTab({ url: path })
  else wx.navigateTo({ url: withQuery(path, query) })
  return true
}

module.exports = { ROUTES, go, isAvailable, withQuery }
