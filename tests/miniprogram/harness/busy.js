// Whether the fake WeChat still has work in hand, for idle(): requests in flight, success/fail/complete callbacks
// scheduled and not yet run, and a loading mask shown (a page polling behind 支付中 sleeps between requests).
let requests = 0
let callbacks = 0
let loading = false

function requestStarted() {
  requests++
}

function requestEnded() {
  requests--
}

function setLoading(shown) {
  loading = shown
}

// Calls fn(...args) on a later timer turn, as WeChat calls a wx API's callbacks.
function later(fn, ...args) {
  if (typeof fn !== 'function') return
  callbacks++
  setTimeout(() => {
    try {
      fn(...args)
    } finally {
      callbacks--
    }
  }, 0)
}

function succeed(options, result) {
  later(options && options.success, result)
  later(options && options.complete, result)
}

// Resolves once nothing has been in hand for a few timer turns (a page often chains one step after another).
// Counting callbacks matters on a loaded machine, where each timer turn can be a scheduler slice apart: a chain
// such as answer → modal → next request would otherwise look quiet for three turns.
async function idle(timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs
  let quiet = 0
  while (quiet < 3) {
    await new Promise((r) => setTimeout(r, 5))
    quiet = requests === 0 && callbacks === 0 && !loading ? quiet + 1 : 0
    if (Date.now() > deadline) {
      throw new Error(`still busy after ${timeoutMs} ms: ${requests} requests, ${callbacks} callbacks, ` +
        `loading mask ${loading ? 'shown (wx.hideLoading never called)' : 'hidden'}`)
    }
  }
}

module.exports = { requestStarted, requestEnded, setLoading, later, succeed, idle }
