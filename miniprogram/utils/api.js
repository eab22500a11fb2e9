// The HTTP client for the mall API: JSON in and out, the shopper's bearer token, one automatic re-login on 401,
// and errors that carry the API's `{error: {code, message}}`.
const config = require('../config')

const TIMEOUT_MS = 15000

// Every API path the mini-program calls, by name: pages say api.get(paths.order(id)), never '/api/v1/…'.
const V1 = '/api/v1'
const segment = (value) => encodeURIComponent(value)
const paths = {
  login: `${V1}/auth/login`,
  me: `${V1}/me`,
  mePhone: `${V1}/me/phone`,
  home: `${V1}/home`,
  categories: `${V1}/categories`,
  products: `${V1}/products`,
  product: (productId) => `${V1}/products/${segment(productId)}`,
  cart: `${V1}/cart`,
  cartItems: `${V1}/cart/items`,
  cartItem: (lineId) => `${V1}/cart/items/${segment(lineId)}`,
  cartSelectAll: `${V1}/cart/select-all`,
  addresses: `${V1}/addresses`,
  address: (addressId) => `${V1}/addresses/${segment(addressId)}`,
  orders: `${V1}/orders`,
  orderPreview: `${V1}/orders/preview`,
  orderCounts: `${V1}/orders/counts`,
  order: (orderId) => `${V1}/orders/${segment(orderId)}`,
  orderPay: (orderId) => `${V1}/orders/${segment(orderId)}/pay`,
  orderCancel: (orderId) => `${V1}/orders/${segment(orderId)}/cancel`,
  orderConfirmReceipt: (orderId) => `${V1}/orders/${segment(orderId)}/confirm-receipt`,
  orderRefunds: (orderId) => `${V1}/orders/${segment(orderId)}/refunds`,
  orderLogistics: (orderId) => `${V1}/orders/${segment(orderId)}/logistics`,
  refunds: `${V1}/refunds`,
  refund: (refundId) => `${V1}/refunds/${segment(refundId)}`,
  refundPhotos: `${V1}/refunds/photos`,
  refundReturnShipment: (refundId) => `${V1}/refunds/${segment(refundId)}/return-shipment`,
  couponsClaimable: `${V1}/coupons/claimable`,
  couponClaim: (templateId) => `${V1}/coupons/${segment(templateId)}/claim`,
  myCoupons: `${V1}/me/coupons`,
  myCouponCounts: `${V1}/me/coupons/counts`,
  distributionMe: `${V1}/distribution/me`,
  distributionApply: `${V1}/distribution/apply`,
  distributionBind: `${V1}/distribution/bind`,
  distributionTeam: `${V1}/distribution/team`,
  distributionOrders: `${V1}/distribution/orders`,
  distributionCommissions: `${V1}/distribution/commissions`,
  distributionWithdrawals: `${V1}/distribution/withdrawals`,
  distributionWithdrawalTransfer: (withdrawalId) => `${V1}/distribution/withdrawals/${segment(withdrawalId)}/transfer`,
  // members, check-in, sharing and 分享有礼
  meAvatar: `${V1}/me/avatar`,
  memberLevels: `${V1}/members/levels`,
  myGrowth: `${V1}/me/growth`,
  checkIn: `${V1}/me/check-in`,
  shares: `${V1}/shares`,
  shareVisits: (shareId) => `${V1}/shares/${segment(shareId)}/visits`,
  sharePoster: (shareId) => `${V1}/shares/${segment(shareId)}/poster`,
  shareRewardRules: `${V1}/share-rewards/rules`,
  myShareRewards: `${V1}/me/share-rewards`,
  myShareRewardSummary: `${V1}/me/share-rewards/summary`,
  myInvitees: `${V1}/me/invitees`,
}

// The fake WeChat server's payment confirmation (see config.sandboxUrl), read at call time as config may change.
function sandboxPayConfirmUrl() {
  return `${config.sandboxUrl.replace(/\/+$/, '')}/pay/confirm`
}

// The fake WeChat's 确认收款 of a 商家转账 bill, which stands in for wx.requestMerchantTransfer in the sandbox.
function sandboxTransferConfirmUrl() {
  return `${config.sandboxUrl.replace(/\/+$/, '')}/transfer/confirm`
}

// An API path as a full URL, for what goes through wx.downloadFile (the poster) rather than request().
function absolute(path) {
  return config.apiBase.replace(/\/+$/, '') + path
}

class ApiError extends Error {
  constructor(code, message, statusCode, details) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.statusCode = statusCode // 0 when the request never got an answer
    this.details = details
  }
}

// Installed by utils/session.js; the API client only knows that a 401 may be cured by logging in again.
let reloginHandler = null
function onUnauthorized(handler) {
  reloginHandler = handler
}

function queryString(query) {
  if (!query) return ''
  const parts = Object.keys(query)
    .filter((k) => query[k] !== undefined && query[k] !== null && query[k] !== '')
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k])}`)
  return parts.length ? `?${parts.join('&')}` : ''
}

function errorFrom(res) {
  const body = res.data && typeof res.data === 'object' ? res.data.error : null
  if (body && body.code) return new ApiError(body.code, body.message || body.code, res.statusCode, body.details)
  return new ApiError(`http_${res.statusCode}`, `请求失败（${res.statusCode}）`, res.statusCode)
}

function send(method, path, { query, data, auth = true, header = {} }) {
  const headers = Object.assign({ 'content-type': 'application/json' }, header)
  const token = auth ? wx.getStorageSync('token') : ''
  if (token) headers.Authorization = `Bearer ${token}`
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.apiBase.replace(/\/+$/, '') + path + queryString(query),
      method,
      data: method === 'GET' ? undefined : data,
      header: headers,
      dataType: 'json',
      timeout: TIMEOUT_MS,
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.data)
        else reject(errorFrom(res))
      },
      fail() {
        reject(new ApiError('network_error', '网络不给力，请稍后重试', 0))
      },
    })
  })
}

async function sendWithRelogin(method, path, options) {
  try {
    return await send(method, path, options)
  } catch (err) {
    if (err.statusCode !== 401 || options.auth === false || !reloginHandler) throw err
    await reloginHandler()
    return send(method, path, options) // once: a second 401 is the caller's
  }
}

// wx.downloadFile with the shopper's token (images behind auth: the poster, the QR code) → the temp file path.
function downloadOnce(url) {
  const token = wx.getStorageSync('token')
  const header = token ? { Authorization: `Bearer ${token}` } : {}
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url,
      header,
      timeout: TIMEOUT_MS,
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.tempFilePath)
        else reject(new ApiError(`http_${res.statusCode}`, `图片加载失败（${res.statusCode}）`, res.statusCode))
      },
      fail() {
        reject(new ApiError('network_error', '网络不给力，请稍后重试', 0))
      },
    })
  })
}

async function download(url) {
  try {
    return await downloadOnce(url)
  } catch (err) {
    if (err.statusCode !== 401 || !reloginHandler) throw err
    await reloginHandler()
    return downloadOnce(url)
  }
}

// wx.uploadFile of a local file (e.g. the avatar chooseAvatar gave) as multipart field `file`, with the token →
// the decoded JSON answer. WeChat hands the body over as text.
function uploadOnce(path, filePath) {
  const token = wx.getStorageSync('token')
  const header = token ? { Authorization: `Bearer ${token}` } : {}
  return new Promise((resolve, reject) => {
    wx.uploadFile({
      url: absolute(path),
      filePath,
      name: 'file',
      header,
      timeout: TIMEOUT_MS,
      success(res) {
        let data = res.data
        try {
          data = JSON.parse(res.data)
        } catch (e) {
          // not JSON: errorFrom() says what the status was
        }
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(data)
        else reject(errorFrom({ statusCode: res.statusCode, data }))
      },
      fail() {
        reject(new ApiError('network_error', '网络不给力，请稍后重试', 0))
      },
    })
  })
}

async function upload(path, filePath, options = {}) {
  try {
    try {
      return await uploadOnce(path, filePath)
    } catch (err) {
      if (err.statusCode !== 401 || !reloginHandler) throw err
      await reloginHandler()
      return await uploadOnce(path, filePath)
    }
  } catch (err) {
    if (options.toast !== false) toastError(err)
    throw err
  }
}

function toastError(err) {
  wx.showToast({ title: err.message || '出错了，请稍后重试', icon: 'none', duration: 2500 })
}

/**
 * request('GET', paths.products, { query: { page: 1 } }) → the decoded JSON body.
 * Options: query, data (JSON body), header, auth (send the token; default true),
 * toast (show the error message to the shopper; default true, pass false to handle it yourself).
 * Rejects with an ApiError { code, message, statusCode, details }.
 */
async function request(method, path, options = {}) {
  try {
    return await sendWithRelogin(method, path, options)
  } catch (err) {
    if (options.toast !== false) toastError(err)
    throw err
  }
}

module.exports = {
  paths,
  sandboxPayConfirmUrl,
  sandboxTransferConfirmUrl,
  absolute,
  ApiError,
  onUnauthorized,
  request,
  get: (path, query, options) => request('GET', path, Object.assign({}, options, { query })),
  post: (path, data, options) => request('POST', path, Object.assign({}, options, { data })),
  put: (path, data, options) => request('PUT', path, Object.assign({}, options, { data })),
  del: (path, options) => request('DELETE', path, options),
  download,
  upload,
  toastError,
  // No patch(): wx.request has no PATCH method (OPTIONS GET HEAD POST PUT DELETE TRACE CONNECT only).
}
