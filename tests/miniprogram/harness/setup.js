// Runs before each test file: miniprogram-simulate, the wx fakes, the mini-program pointed at the running
// backend, and the real app object (app.js under a stub App()).
const fs = require('fs')
const mp = require('./mp')
require('miniprogram-simulate') // defines the globals wx and Component
const fakeWx = require('./wx')

fakeWx.install(global.wx)

// The production config stays as it is; only the API base moves to the backend this run started.
const config = require(mp.path('config'))
config.apiBase = mp.harness().apiBase
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
