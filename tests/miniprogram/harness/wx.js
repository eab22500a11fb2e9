// The wx APIs that reach outside the page, faked for tests on top of miniprogram-simulate's mocks:
// wx.request and wx.downloadFile are real HTTP (to the running backend and sandbox); storage, navigation,
// toasts, modals, the clipboard, saved images and payments are recorded.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { requestStarted, requestEnded, setLoading, later, succeed, idle } = require('./busy')
const faults = require('./network-faults')

const storage = new Map()
const navigations = [] // { type: 'navigateTo' | 'switchTab' | ..., url }
const toasts = [] // the options passed to wx.showToast
const modals = [] // the options passed to wx.showModal
const modalAnswers = [] // queued answers for wx.showModal; default: confirm with the content unchanged
const titles = [] // wx.setNavigationBarTitle
const requests = [] // { method, url, header, data } of every wx.request
const downloads = [] // { url, header, tempFilePath, statusCode } of every wx.downloadFile
const uploads = [] // { url, header, filePath, name, statusCode } of every wx.uploadFile
// What wx.chooseMedia hands over, one answer per call: a list of local file paths (the pictures the shopper picked),
// or { errMsg } for a cancel; with none queued the shopper cancels. chosenMedia records each call's options.
const mediaAnswers = []
const chosenMedia = []
const savedImages = [] // filePath of every wx.saveImageToPhotosAlbum
const clipboard = [] // data of every wx.setClipboardData
const payments = [] // the options of every wx.requestPayment
const paymentAnswers = [] // queued results for wx.requestPayment: { errMsg } fails, anything else succeeds
const merchantTransfers = [] // the options of every wx.requestMerchantTransfer (确认收款)
// Queued results for wx.requestMerchantTransfer: { errMsg } fails; a function is WeChat's part once the
// distributor confirms (e.g. the sandbox's /transfer/confirm), awaited before success; none: plain success.
const merchantTransferAnswers = []
let tempDir = null
let loginCount = 0

function queryString(data) {
  return Object.keys(data)
    .filter((k) => data[k] !== undefined)
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(data[k])}`)
    .join('&')
}

// wx.request over Node's fetch. Callbacks run outside the fetch promise so that an assertion error in a
// success callback is not mistaken for a network failure.
// WeChat's wx.request knows these methods only: there is no PATCH.
const METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'TRACE', 'CONNECT']

function request(options) {
  const method = (options.method || 'GET').toUpperCase()
  requests.push({ method, url: options.url, header: Object.assign({}, options.header), data: options.data })
  const { lose, alterAnswer: alter, alterRequest, hold: held } = faults.takeFaults(method, options.url)
  if (alterRequest) options = Object.assign({}, options, { data: alterRequest(options.data) })
  if (METHODS.indexOf(method) < 0) {
    const res = { errMsg: `request:fail parameter.method should be one of ${METHODS.join(', ')}` }
    later(options.fail, res)
    later(options.complete, res)
    return { abort() {} }
  }
  let url = options.url
  let body
  if (options.data !== undefined && options.data !== null) {
    if (method === 'GET' && typeof options.data === 'object') {
      const qs = queryString(options.data)
      if (qs) url += (url.indexOf('?') >= 0 ? '&' : '?') + qs
    } else {
      body = typeof options.data === 'string' ? options.data : JSON.stringify(options.data)
    }
  }
  requestStarted()
  fetch(url, { method, headers: Object.assign({}, options.header), body })
    .then(async (res) => {
      const text = await res.text()
      let data = text
      if (options.dataType !== 'text') {
        try {
          data = JSON.parse(text)
        } catch (e) {
          // WeChat also hands over the raw text when the body is not JSON
        }
      }
      if (alter) data = alter(data)
      const header = {}
      res.headers.forEach((value, key) => { header[key] = value })
      return { statusCode: res.status, data, header, errMsg: 'request:ok' }
    })
    .then((res) => {
      requestEnded()
      if (lose) {
        const failed = { errMsg: 'request:fail timeout' }
        later(options.fail, failed)
        later(options.complete, failed)
        return
      }
      // A held answer is no longer in flight for idle(): it has arrived and waits for the test to let it through.
      if (held) held.then(() => succeed(options, res))
      else succeed(options, res)
    }, (err) => {
      requestEnded()
      const res = { errMsg: `request:fail ${err.message}` }
      later(options.fail, res)
      later(options.complete, res)
    })
  return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
}

function temporaryDir() {
  if (!tempDir) tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mall-wx-download-'))
  return tempDir
}

// wx.downloadFile over fetch: the body goes to a temp file, as WeChat's tempFilePath.
function downloadFile(options) {
  const record = { url: options.url, header: Object.assign({}, options.header) }
  downloads.push(record)
  requestStarted()
  fetch(options.url, { headers: Object.assign({}, options.header) })
    .then(async (res) => {
      const body = Buffer.from(await res.arrayBuffer())
      const ext = (res.headers.get('content-type') || '').includes('png') ? '.png' : '.tmp'
      const file = path.join(temporaryDir(), `tmp_${downloads.length}_${Date.now()}${ext}`)
      fs.writeFileSync(file, body)
      Object.assign(record, { tempFilePath: file, statusCode: res.status })
      return { tempFilePath: file, statusCode: res.status, errMsg: 'downloadFile:ok' }
    })
    .then((res) => {
      requestEnded()
      succeed(options, res)
    }, (err) => {
      requestEnded()
      const res = { errMsg: `downloadFile:fail ${err.message}` }
      later(options.fail, res)
      later(options.complete, res)
    })
  return { abort() {}, onProgressUpdate() {} }
}

// wx.uploadFile over fetch: the local file as multipart field `name`; WeChat hands the answer's body over as text.
function uploadFile(options) {
  const { url, filePath, name } = options
  const record = { url, header: Object.assign({}, options.header), filePath, name }
  uploads.push(record)
  requestStarted()
  Promise.resolve().then(() => {
    // Written by hand: jsdom's FormData is not the one Node's fetch understands.
    const boundary = `----wxupload${Date.now().toString(16)}`
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${path.basename(filePath)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n'
    const tail = `\r\n--${boundary}--\r\n`
    const body = Buffer.concat([Buffer.from(head), fs.readFileSync(filePath), Buffer.from(tail)])
    const headers = Object.assign({}, options.header, { 'content-type': `multipart/form-data; boundary=${boundary}` })
    return fetch(url, { method: 'POST', headers, body })
  })
    .then(async (res) => {
      record.statusCode = res.status
      return { statusCode: res.status, data: await res.text(), errMsg: 'uploadFile:ok' }
    })
    .then((res) => {
      requestEnded()
      succeed(options, res)
    }, (err) => {
      requestEnded()
      const res = { errMsg: `uploadFile:fail ${err.message}` }
      later(options.fail, res)
      later(options.complete, res)
    })
  return { abort() {}, onProgressUpdate() {} }
}

function requestPayment(options) {
  payments.push(options)
  const answer = paymentAnswers.shift() || { errMsg: 'requestPayment:ok' }
  if (/fail/.test(answer.errMsg)) {
    later(options.fail, answer)
    later(options.complete, answer)
  } else {
    succeed(options, answer)
  }
}

// WeChat's privacy authorization (miniprogram/utils/privacy.js). By default the shopper has agreed already; a test
// sets privacy.needAuthorization = true for a shopper who has not. events records, in order, 'asked' (the page's
// onNeedPrivacyAuthorization listener was called), 'agreed' or 'declined', and each API that went through.
const privacy = { needAuthorization: false, listener: null, events: [], contracts: 0 }
const PRIVACY_CONTRACT = '《好物分享商城小程序隐私保护指引》'

// What WeChat does before an API that touches personal data: ask the page's listener, and carry on only after an
// agreement that names the agreePrivacyAuthorization button it came from. → Promise<agreed>
function privacyGate(api) {
  if (!privacy.needAuthorization) {
    privacy.events.push(api)
    return Promise.resolve(true)
  }
  if (!privacy.listener) return Promise.resolve(false)
  privacy.events.push('asked')
  return new Promise((resolve) => {
    privacy.listener((answer) => {
      const agreed = !!(answer && answer.event === 'agree' && answer.buttonId)
      privacy.events.push(agreed ? 'agreed' : 'declined')
      if (agreed) {
        privacy.needAuthorization = false
        privacy.events.push(api)
      }
      resolve(agreed)
    }, { referrer: api })
  })
}

function requirePrivacyAuthorize(options) {
  privacyGate('requirePrivacyAuthorize').then((agreed) => {
    if (agreed) succeed(options, { errMsg: 'requirePrivacyAuthorize:ok' })
    else {
      const res = { errMsg: 'requirePrivacyAuthorize:fail privacy permission is not authorized' }
      later(options && options.fail, res)
      later(options && options.complete, res)
    }
  })
}

// An API behind the privacy check: at once when the shopper has agreed, otherwise after the gate (or never).
function gated(api, fn) {
  return (options) => {
    if (!privacy.needAuthorization) return fn(options)
    return privacyGate(api).then((agreed) => {
      if (agreed) return fn(options)
      const res = { errMsg: `${api}:fail privacy permission is not authorized` }
      later(options && options.fail, res)
      later(options && options.complete, res)
      return undefined
    })
  }
}

// WeChat's page for a 商家转账 bill (base library 3.3.0+): the distributor confirms, or cancels.
function requestMerchantTransfer(options) {
  merchantTransfers.push(options)
  const answer = merchantTransferAnswers.shift() || { errMsg: 'requestMerchantTransfer:ok' }
  requestStarted()
  Promise.resolve(typeof answer === 'function' ? answer(options) : answer).then((res) => {
    const result = res && res.errMsg ? res : { errMsg: 'requestMerchantTransfer:ok' }
    if (/fail/.test(result.errMsg)) {
      later(options.fail, result)
      later(options.complete, result)
    } else {
      succeed(options, result)
    }
  }).finally(() => { requestEnded() })
}

function login(options) {
  loginCount++
  succeed(options, { code: `wx-code-${loginCount}`, errMsg: 'login:ok' })
}

function getStorageSync(key) {
  return storage.has(key) ? JSON.parse(storage.get(key)) : ''
}

function setStorageSync(key, value) {
  storage.set(key, JSON.stringify(value === undefined ? '' : value)) // stored as a copy, as WeChat does
}

function navigation(type) {
  return (options) => {
    navigations.push({ type, url: options && options.url })
    succeed(options, { errMsg: `${type}:ok` })
  }
}

const fakes = {
  request,
  login,
  getStorageSync,
  setStorageSync,
  removeStorageSync: (key) => { storage.delete(key) },
  clearStorageSync: () => storage.clear(),
  navigateTo: navigation('navigateTo'),
  redirectTo: navigation('redirectTo'),
  switchTab: navigation('switchTab'),
  reLaunch: navigation('reLaunch'),
  navigateBack: (options) => {
    navigations.push({ type: 'navigateBack', delta: (options && options.delta) || 1 })
    succeed(options, { errMsg: 'navigateBack:ok' })
  },
  showToast: (options) => {
    toasts.push(options)
    succeed(options, { errMsg: 'showToast:ok' })
  },
  showModal: (options) => {
    modals.push(options)
    const answer = modalAnswers.shift() || { confirm: true }
    succeed(options, Object.assign({ confirm: false, cancel: !answer.confirm, content: options.content }, answer))
  },
  showLoading: (options) => {
    setLoading(true)
    succeed(options, {})
  },
  hideLoading: (options) => {
    setLoading(false)
    succeed(options, {})
  },
  stopPullDownRefresh: (options) => succeed(options, {}),
  setNavigationBarTitle: (options) => {
    titles.push(options.title)
    succeed(options, {})
  },
  previewImage: (options) => succeed(options, {}),
  chooseMedia: gated('chooseMedia', (options) => {
    chosenMedia.push(options)
    const answer = mediaAnswers.shift() || { errMsg: 'chooseMedia:fail cancel' }
    if (!Array.isArray(answer)) {
      later(options.fail, answer)
      later(options.complete, answer)
      return
    }
    const tempFiles = answer.slice(0, options.count || 9).map((file) => ({
      tempFilePath: file, size: fs.statSync(file).size, fileType: 'image',
    }))
    succeed(options, { tempFiles, type: 'image', errMsg: 'chooseMedia:ok' })
  }),
  downloadFile,
  uploadFile,
  requestPayment,
  requestMerchantTransfer,
  saveImageToPhotosAlbum: gated('saveImageToPhotosAlbum', (options) => {
    savedImages.push(options.filePath)
    succeed(options, { errMsg: 'saveImageToPhotosAlbum:ok' })
  }),
  setClipboardData: gated('setClipboardData', (options) => {
    clipboard.push(options.data)
    succeed(options, { errMsg: 'setClipboardData:ok' })
  }),
  getPrivacySetting: (options) => succeed(options, {
    needAuthorization: privacy.needAuthorization, privacyContractName: PRIVACY_CONTRACT, errMsg: 'getPrivacySetting:ok' }),
  onNeedPrivacyAuthorization: (listener) => { privacy.listener = listener },
  requirePrivacyAuthorize,
  openPrivacyContract: (options) => {
    privacy.contracts++
    succeed(options, { errMsg: 'openPrivacyContract:ok' })
  },
  openSetting: (options) => succeed(options, { authSetting: {} }),
}

function install(wx) {
  Object.assign(wx, fakes)
}

function reset() {
  storage.clear()
  navigations.length = 0
  toasts.length = 0
  modals.length = 0
  modalAnswers.length = 0
  titles.length = 0
  requests.length = 0
  downloads.length = 0
  uploads.length = 0
  mediaAnswers.length = 0
  chosenMedia.length = 0
  savedImages.length = 0
  clipboard.length = 0
  payments.length = 0
  paymentAnswers.length = 0
  merchantTransfers.length = 0
  merchantTransferAnswers.length = 0
  global.wx.requestMerchantTransfer = requestMerchantTransfer // a test may have taken it away (an older WeChat)
  faults.resetFaults()
  setLoading(false)
  Object.assign(privacy, { needAuthorization: false, listener: null, events: [], contracts: 0 })
}

// A held answer is released once the page is done with it.
function holdNextAnswer(method, pattern) {
  return faults.holdNextAnswer(method, pattern, idle)
}

module.exports = {
  install, reset, idle, holdNextAnswer, loseNextAnswer: faults.loseNextAnswer, alterNextAnswer: faults.alterNextAnswer,
  alterNextRequest: faults.alterNextRequest, storage, navigations, toasts, modals, modalAnswers, titles, requests, downloads, uploads,
  savedImages, clipboard, payments, paymentAnswers, merchantTransfers, merchantTransferAnswers, privacy, privacyGate,
  mediaAnswers, chosenMedia,
}
