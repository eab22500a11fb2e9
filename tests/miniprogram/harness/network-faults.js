// What a test makes the network do to one wx.request: lose its answer, rewrite what is sent or what comes back, or
// hold the answer back. Each is queued as [method, RegExp, value] and taken by the next request that matches.
const lost = [] // value true: the request reaches the server but its answer is lost
const alteredAnswers = [] // value fn: the answer's JSON goes through fn
const alteredRequests = [] // value fn: the request's data goes through fn before it is sent
const held = [] // value gate: the answer waits until the gate opens

function take(queue, method, url) {
  const i = queue.findIndex(([m, re]) => m === method && re.test(url))
  return i < 0 ? null : queue.splice(i, 1)[0][2]
}

// Every fault queued for this request, taken off its queue: { lose, alterAnswer, alterRequest, hold }.
function takeFaults(method, url) {
  return {
    lose: take(lost, method, url) !== null,
    alterAnswer: take(alteredAnswers, method, url),
    alterRequest: take(alteredRequests, method, url),
    hold: take(held, method, url),
  }
}

// The next `method` request whose URL matches `pattern` reaches the server, but its answer never arrives
// (request:fail timeout), as on a flaky mobile network.
function loseNextAnswer(method, pattern) {
  lost.push([method.toUpperCase(), pattern, true])
}

// The next `method` request whose URL matches `pattern` gets its answer's JSON through fn(data) → data.
function alterNextAnswer(method, pattern, fn) {
  alteredAnswers.push([method.toUpperCase(), pattern, fn])
}

// The next `method` request whose URL matches `pattern` is sent with fn(data) instead of the page's data.
function alterNextRequest(method, pattern, fn) {
  alteredRequests.push([method.toUpperCase(), pattern, fn])
}

// The next `method` request whose URL matches `pattern` reaches the server, but its answer is handed to the page
// only on release(), which opens the gate and then returns settle() (the harness's idle: the page is done with it).
function holdNextAnswer(method, pattern, settle) {
  let open
  const gate = new Promise((resolve) => { open = resolve })
  held.push([method.toUpperCase(), pattern, gate])
  return {
    release() {
      open()
      return settle()
    },
  }
}

function resetFaults() {
  for (const queue of [lost, alteredAnswers, alteredRequests, held]) queue.length = 0
}

module.exports = { takeFaults, loseNextAnswer, alterNextAnswer, alterNextRequest, holdNextAnswer, resetFaults }
