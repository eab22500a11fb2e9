// Countdowns to the end of a limited-time price, on product cards and the product page. All of them share one
// clock: a single one-second timer runs while anything watches and stops when the last watcher leaves, so a grid
// of cards does not start a timer each.
const format = require('./format')

const watchers = []
let timer = null

function tick() {
  const now = Date.now()
  watchers.slice().forEach((watcher) => watcher(now))
}

// Calls onTick(now) at once and then every second, until the returned function is called.
function watch(onTick) {
  watchers.push(onTick)
  if (!timer) timer = setInterval(tick, 1000)
  onTick(Date.now())
  return function unwatch() {
    const i = watchers.indexOf(onTick)
    if (i >= 0) watchers.splice(i, 1)
    if (!watchers.length && timer) {
      clearInterval(timer)
      timer = null
    }
  }
}

// The moment of an ISO time to the millisecond: format.parseTime reads whole seconds, and a countdown that ended up
// to a second early would ask the API again while the price still runs.
const FRACTION = /[T ]\d{2}:\d{2}:\d{2}\.(\d+)/

function momentOf(iso) {
  const ms = format.parseTime(iso)
  if (ms === null) return null
  const fraction = FRACTION.exec(String(iso))
  return fraction ? ms + Number(`${fraction[1]}00`.slice(0, 3)) : ms
}

// Seconds from now until an ISO time, rounded up so that 0 means it has passed (-1 when there is no time).
function secondsUntil(iso, now = Date.now()) {
  const end = momentOf(iso)
  if (end === null) return -1
  return Math.max(0, Math.ceil((end - now) / 1000))
}

// 3 days, 4 h, 5 min, 6 s → '3天 04:05:06'; under a day '04:05:06'.
function promoClock(seconds) {
  const s = Math.max(0, Math.floor(seconds))
  const days = Math.floor(s / 86400)
  const rest = s % 86400
  const two = (n) => (n < 10 ? '0' : '') + n
  const hh = two(Math.floor(rest / 3600))
  const mm = two(Math.floor((rest % 3600) / 60))
  const ss = two(rest % 60)
  return days ? `${days}天 ${hh}:${mm}:${ss}` : `${hh}:${mm}:${ss}`
}

module.exports = { watch, secondsUntil, promoClock }
