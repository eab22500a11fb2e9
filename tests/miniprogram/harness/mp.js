// Test helpers: where the mini-program is, the running backend, pages rendered by miniprogram-simulate,
// and direct API calls (as the tests' own source of truth).
const fs = require('fs')
const path = require('path')

const MINIPROGRAM = path.resolve(__dirname, '..', '..', '..', 'miniprogram')

function miniprogramPath(relative) {
  return path.join(MINIPROGRAM, relative)
}

let harnessState = null
function harness() {
  if (!harnessState) {
    const file = process.env.MALL_MINIPROGRAM_HARNESS
    if (!file) throw new Error('MALL_MINIPROGRAM_HARNESS is unset: run the tests through jest (globalSetup starts the backend)')
    harnessState = JSON.parse(fs.readFileSync(file, 'utf8'))
  }
  return harnessState
}

// One registration per page and test file; render() then makes a fresh instance each time.
const loaded = new Map()
function loadPage(route) {
  const simulate = require('miniprogram-simulate')
  if (!loaded.has(route)) {
    loaded.set(route, simulate.load(miniprogramPath(route), { compiler: 'simulate', rootPath: MINIPROGRAM }))
  }
  const comp = simulate.render(loaded.get(route))
  comp.attach(document.createElement('parent-wrapper'))
  return comp
}

// Nodes in a page's or component's own template (class names as written in the WXML; not inside child
// components: query those through the child, e.g. all(page, '.grid__item')[0]; tag names do not match, classes do).
function all(comp, selector) {
  return comp.querySelectorAll(selector)
}

// A plain node of a page (a view in a wx:for) as something to query inside, like a component:
// rows(page, '.line') → one scope per line; text(row, '.line__title'), tap(row.querySelector('.check')).
function scope(comp, node) {
  return {
    node,
    dom: node.dom,
    data: node.data,
    dispatchEvent: (...args) => node.dispatchEvent(...args),
    querySelectorAll: (selector) => comp.querySelectorAll(selector).filter((n) => n.dom !== node.dom && node.dom.contains(n.dom)),
    querySelector(selector) {
      return this.querySelectorAll(selector)[0]
    },
  }
}

function rows(comp, selector) {
  return all(comp, selector).map((node) => scope(comp, node))
}

function textOf(node) {
  return node ? node.dom.textContent.trim() : null
}

function texts(comp, selector) {
  return all(comp, selector).map(textOf)
}

function text(comp, selector) {
  return textOf(comp.querySelector(selector))
}

// Taps a node found by j-component's querySelector (its bindtap sees the node's data-* attributes).
async function tap(node) {
  if (!node) throw new Error('nothing to tap')
  node.dispatchEvent('tap')
  await new Promise((r) => setTimeout(r, 0))
}

// → { status, data } whatever the status.
async function apiRaw(method, urlPath, { token, body, headers: extra } = {}) {
  const headers = Object.assign({ 'content-type': 'application/json' }, extra)
  if (token) headers.Authorization = `Bearer ${token}`
  const res = await fetch(harness().apiBase + urlPath, { method, headers, body: body ? JSON.stringify(body) : undefined })
  const text = await res.text()
  let data = text
  try {
    data = JSON.parse(text)
  } catch (e) {
    // not JSON (e.g. a PNG)
  }
  return { status: res.status, data }
}

async function api(method, urlPath, options = {}) {
  const { status, data } = await apiRaw(method, urlPath, options)
  if (status < 200 || status >= 300) throw new Error(`${method} ${urlPath} → ${status} ${JSON.stringify(data)}`)
  return data
}

// Logs a sandbox shopper in directly (not through the mini-program): { token, user }.
function loginAs(name, inviteCode) {
  return api('POST', '/api/v1/auth/login', { body: { code: `sandbox-${name}`, invite_code: inviteCode } })
}

async function staffToken(username = 'owner', password = 'owner-pass-2026') {
  return (await api('POST', '/api/v1/admin/auth/login', { body: { username, password } })).token
}

// The staff account the harness made with `python -m backend create-staff … --role owner`; one login per file.
let adminTokenPromise = null
function adminToken() {
  if (!adminTokenPromise) {
    const { username, password } = harness().staff
    adminTokenPromise = staffToken(username, password).catch((err) => {
      adminTokenPromise = null
      throw err
    })
  }
  return adminTokenPromise
}

async function admin(method, urlPath, body) {
  return api(method, urlPath, { token: await adminToken(), body })
}

// Every product of the catalog through the API, page by page.
async function allProducts(query = '') {
  const items = []
  for (let page = 1; ; page++) {
    const res = await api('GET', `/api/v1/products?page=${page}&page_size=100${query}`)
    items.push(...res.items)
    if (items.length >= res.total || !res.items.length) return items
  }
}

// --- the shopping flow through the API, to set the scene for a page ------------------------------

let uniqueSeq = 0
function uniqueName(prefix = 'mp') {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++uniqueSeq}`
}

// A product of the demo catalog by title, with its SKUs (fresh: stock changes; the titles do not).
let catalogPromise = null
async function productTitled(title) {
  if (!catalogPromise) catalogPromise = allProducts()
  const card = (await catalogPromise).find((p) => p.title === title)
  if (!card) throw new Error(`no product ${title} in the demo catalog`)
  return api('GET', `/api/v1/products/${card.id}`)
}

// A SKU with at least `atLeast` in stock, of the product with that title.
async function skuOf(title, atLeast = 5) {
  const product = await productTitled(title)
  const sku = product.skus.find((s) => s.stock >= atLeast)
  if (!sku) throw new Error(`no SKU of ${title} with ${atLeast} in stock`)
  return Object.assign({ product }, sku)
}

function addressBody(overrides) {
  return Object.assign({ name: '张三', phone: '13800138000', province: '上海市', city: '上海市', district: '浦东新区',
    detail: '世纪大道 100 号 8 楼', is_default: true }, overrides)
}

async function ensureAddress(token) {
  const list = await api('GET', '/api/v1/addresses', { token })
  return list.find((a) => a.is_default) || list[0] || api('POST', '/api/v1/addresses', { token, body: addressBody() })
}

// Places an order as the shopper with that token: items [{sku_id, quantity}] → the order.
async function placeOrder(token, items, extra = {}) {
  const address = await ensureAddress(token)
  return api('POST', '/api/v1/orders', {
    token, body: Object.assign({ items, address_id: address.id }, extra), headers: { 'Idempotency-Key': uniqueName('key') },
  })
}

// Pays through the sandbox, as the mini-program does: /pay, then the sandbox sends the signed notification.
async function payOrder(token, orderId) {
  const started = await api('POST', `/api/v1/orders/${orderId}/pay`, { token, body: {} })
  const res = await fetch(`${harness().sandboxBase}/pay/confirm`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prepay_id: started.prepay_id }),
  })
  if (!res.ok) throw new Error(`sandbox pay/confirm → ${res.status} ${await res.text()}`)
  // The sandbox sends WeChat's notification after answering: wait until the backend has taken it, so that what
  // paying changes (the order, the products' sales) has changed before the next test reads it.
  for (let waited = 0; ; waited += 50) {
    const order = await api('GET', `/api/v1/orders/${orderId}`, { token })
    if (order.status !== 'pending_payment' || waited >= 10000) return order
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function paidOrder(token, items) {
  const order = await placeOrder(token, items)
  return payOrder(token, order.id)
}

function shipOrder(orderId, trackingNo = `SF${Date.now()}`) {
  return admin('POST', `/api/v1/admin/orders/${orderId}/ship`, { carrier: '顺丰速运', tracking_no: trackingNo })
}

module.exports = {
  path: miniprogramPath, harness, loadPage, all, rows, scope, textOf, texts, text, tap, api, apiRaw, loginAs, staffToken, adminToken,
  admin, allProducts, uniqueName, productTitled, skuOf, addressBody, ensureAddress, placeOrder, payOrder, paidOrder,
  shipOrder,
}
