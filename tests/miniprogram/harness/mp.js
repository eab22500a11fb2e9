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

async function api(method, urlPath, { token, body } = {}) {
  const headers = { 'content-type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  const res = await fetch(harness().apiBase + urlPath, { method, headers, body: body ? JSON.stringify(body) : undefined })
  const data = JSON.parse(await res.text())
  if (!res.ok) throw new Error(`${method} ${urlPath} → ${res.status} ${JSON.stringify(data)}`)
  return data
}

// Logs a sandbox shopper in directly (not through the mini-program): { token, user }.
function loginAs(name, inviteCode) {
  return api('POST', '/api/v1/auth/login', { body: { code: `sandbox-${name}`, invite_code: inviteCode } })
}

async function staffToken(username = 'owner', password = 'owner-pass-2026') {
  return (await api('POST', '/api/v1/admin/auth/login', { body: { username, password } })).token
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

module.exports = { path: miniprogramPath, harness, loadPage, all, textOf, texts, text, tap, api, loginAs, staffToken, allProducts }
