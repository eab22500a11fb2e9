// jsdom, as miniprogram-simulate needs, plus Node's own fetch: the fake wx.request talks HTTP to the real backend.
const JsdomEnvironment = require('jest-environment-jsdom').TestEnvironment

class MiniProgramEnvironment extends JsdomEnvironment {
  constructor(config, context) {
    super(config, context)
    this.global.fetch = fetch // Node 18+'s global, from outside the jsdom window
  }
}

module.exports = MiniProgramEnvironment
