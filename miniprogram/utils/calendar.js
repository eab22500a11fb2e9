// 签到's calendar: a month of Shanghai days ("YYYY-MM-DD", as the API gives them), laid out in weeks from Sunday.
// Dates are computed on UTC calendar fields only, so the phone's own time zone never shifts a day.

function pad(n) {
  return n < 10 ? `0${n}` : String(n)
}

function parseMonth(month) {
  const [y, m] = String(month).split('-').map(Number)
  return { y, m }
}

// '2026-03-14' → '2026-03'
function monthOf(day) {
  return String(day).slice(0, 7)
}

// '2026-03' → '2026年3月'
function monthTitle(month) {
  const { y, m } = parseMonth(month)
  return `${y}年${m}月`
}

// The month before or after: shift('2026-01', -1) → '2025-12'.
function shift(month, by) {
  const { y, m } = parseMonth(month)
  const d = new Date(Date.UTC(y, m - 1 + by, 1))
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`
}

/**
 * The month's cells, a row per week of seven: blanks ({ day: 0 }) before its first weekday and after its last day,
 * and each day { day, date, checked, today, future }. `checked` is the API's list of days with a check-in.
 */
function monthGrid(month, checked, today) {
  const { y, m } = parseMonth(month)
  const first = new Date(Date.UTC(y, m - 1, 1)).getUTCDay()
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
  const done = {}
  ;(checked || []).forEach((d) => { done[d] = true })
  const cells = []
  for (let i = 0; i < first; i++) cells.push({ day: 0, key: `blank${i}` })
  for (let d = 1; d <= days; d++) {
    const date = `${month}-${pad(d)}`
    cells.push({ day: d, key: date, date, checked: !!done[date], today: date === today, future: date > today })
  }
  for (let i = 0; cells.length % 7; i++) cells.push({ day: 0, key: `after${i}` }) // the last week is whole too
  const weeks = []
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7))
  return weeks
}

module.exports = { monthOf, monthTitle, shift, monthGrid }
