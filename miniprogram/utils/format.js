// Display formatting. Money is integer fen and stays integer here: no float ever touches an amount.

function pad(n, width) {
  let s = String(n)
  while (s.length < width) s = '0' + s
  return s
}

// 1234 → { sign: '', int: '12', dec: '34' }
function moneyParts(fen) {
  const n = Number(fen)
  if (!Number.isInteger(n)) return { sign: '', int: '0', dec: '00' }
  const abs = Math.abs(n)
  return { sign: n < 0 ? '-' : '', int: String(Math.floor(abs / 100)), dec: pad(abs % 100, 2) }
}

// 1234 → '12.34'
function yuan(fen) {
  const p = moneyParts(fen)
  return `${p.sign}${p.int}.${p.dec}`
}

// 1234 → '¥12.34', -500 → '-¥5.00'
function price(fen) {
  const p = moneyParts(fen)
  return `${p.sign}¥${p.int}.${p.dec}`
}

// 12345 → '1.2万', 999 → '999'
function count(n) {
  const v = Math.max(0, Math.floor(Number(n) || 0))
  if (v < 10000) return String(v)
  return `${Math.floor(v / 10000)}.${Math.floor((v % 10000) / 1000)}万`
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000 // China has no daylight saving time
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i

// Parsed by hand: iOS's JavaScriptCore refuses some ISO forms (microseconds, a space for T).
// A time without a zone is UTC, as the backend stores it.
function parseTime(iso) {
  const m = ISO.exec(String(iso || '').trim())
  if (!m) return null
  let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0))
  const zone = m[7]
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '')
    const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))
    ms -= (digits[0] === '-' ? -1 : 1) * minutes * 60000
  }
  return ms
}

// Fields of the moment as a clock in Shanghai shows it.
function shanghai(iso) {
  const ms = parseTime(iso)
  if (ms === null) return null
  const d = new Date(ms + SHANGHAI_OFFSET_MS)
  return {
    y: d.getUTCFullYear(), M: pad(d.getUTCMonth() + 1, 2), d: pad(d.getUTCDate(), 2),
    h: pad(d.getUTCHours(), 2), m: pad(d.getUTCMinutes(), 2), s: pad(d.getUTCSeconds(), 2),
  }
}

// '2026-11-27T16:05:00Z' → '2026-11-28'
function date(iso) {
  const t = shanghai(iso)
  return t ? `${t.y}-${t.M}-${t.d}` : ''
}

// '2026-11-27T16:05:00Z' → '2026-11-28 00:05'
function dateTime(iso) {
  const t = shanghai(iso)
  return t ? `${t.y}-${t.M}-${t.d} ${t.h}:${t.m}` : ''
}

// What the shopper typed as yuan → integer fen, or null when it is not an amount: digits, optionally a point
// and at most two decimals. Parsed as text, never through a float: '0.29' → 29, '12.3' → 1230, '1.234' → null.
const YUAN = /^(\d{1,9})(?:\.(\d{0,2}))?$/

function parseYuan(text) {
  const m = YUAN.exec(String(text === undefined || text === null ? '' : text).trim())
  if (!m) return null
  const dec = (m[2] || '') + '00'
  return Number(m[1]) * 100 + Number(dec.slice(0, 2))
}

// Basis points as a percentage, by integer arithmetic: 1000 → '10%', 550 → '5.5%', 1 → '0.01%'.
function percent(bp) {
  const n = Math.max(0, Math.floor(Number(bp) || 0))
  const rest = n % 100
  if (!rest) return `${n / 100}%`
  const dec = pad(rest, 2).replace(/0$/, '')
  return `${Math.floor(n / 100)}.${dec}%`
}

// A member level's price multiplier as 折, by integer arithmetic: 9800 → '9.8折', 8850 → '8.85折'; none at 10000 → ''.
function discount(bp) {
  const n = Math.max(0, Math.floor(Number(bp) || 0))
  if (n >= 10000) return ''
  const rest = pad(n % 1000, 3).replace(/0+$/, '')
  return `${Math.floor(n / 1000)}${rest ? `.${rest}` : ''}折`
}

// Signed points, as the growth history shows them: 5 → '+5', -120 → '-120'.
function points(n) {
  const v = Math.trunc(Number(n) || 0)
  return v > 0 ? `+${v}` : String(v)
}

// Seconds as 'mm:ss' (or 'h:mm:ss' from an hour on), for countdowns.
function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const mm = pad(Math.floor((s % 3600) / 60), 2)
  const ss = pad(s % 60, 2)
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}

// A SKU's specs as the shopper reads them: { 颜色: '白色', 尺码: 'L' } → '白色 L'.
function specsText(specs) {
  return Object.keys(specs || {}).map((k) => specs[k]).join(' ')
}

module.exports = {
  moneyParts, yuan, price, count, parseTime, date, dateTime, parseYuan, percent, discount, points, clock, specsText,
}
