// Runs before each test file: miniprogram-simulate, the wx fakes, the mini-program pointed at the running
// backend, and the real app object (app.js under a stub App()).
const fs = require('fs')
const path = require('path')
const mp = require('./mp')
require('miniprogram-simulate') // defines the globals wx and Component
const simulateInternals = require('miniprogram-simulate/src/utils')
const fakeWx = require('./wx')

fakeWx.install(global.wx)

// miniprogram-simulate runs a component's JS with require() and then deletes it from require.cache so that the
// next load calls Component() again. Jest's module registry ignores that delete, so a component shared by two
// pages (price in product-card and in the detail page) would register only once per test file. Evaluate the
// component's own file afresh each time; what it requires still comes from the shared registry (one config,
// one session), as in the mini-program.
simulateInternals.runJs = (componentPath) => {
  const file = require.resolve(componentPath)
  const dir = path.dirname(file)
  const localRequire = (id) => require(id.startsWith('.') ? path.resolve(dir, id) : id)
  const module = { exports: {} }
  const source = `${fs.readFileSync(file, 'utf8')}\n//# sourceURL=${file}`
  // eslint-disable-next-line no-new-func
  new Function('require', 'module', 'exports', '__filename', '__dirname', source)(localRequire, module, module.exports, file, dir)
}

// The production config stays as it is; only the API base moves to the backend this run started.
const config = require(mp.path('config'))
config.apiBase = mp.harness().apiBase
config.sandboxUrl = mp.harness().sandboxBase
config.sandboxLoginName = ''

let appOptions = null
global.App = (options) => { appOptions = options }
global.getApp = () => appOptions
require(mp.path('app'))
if (!appOptions) throw new Error('miniprogram/app.js did not call App()')
if (!fs.existsSync(mp.path('app.json'))) throw new Error('miniprogram/app.json is missing')

beforeEach(() => {
  fakeWx.reset() // also empties storage: each test is a fresh device, so a fresh sandbox shopper
  getApp().session.reset()
})
