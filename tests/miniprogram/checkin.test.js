// 签到: today's check-in and its points in a toast, the streak, the checkin_points cycle and the month's calendar; a
// second tap the same Shanghai day is told so (409 already_checked_in) and writes nothing.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const calendar = require(mp.path('utils/calendar'))

async function openCheckIn(loginName) {
  getApp().session.setSandboxLoginName(loginName || mp.uniqueName('checkin'))
  const page = mp.loadPage('pages/member/checkin')
  await page.instance.onLoad({})
  await fakeWx.idle()
  return page
}

function checkedDays(page) {
  return mp.all(page, '.day--checked').map((d) => d.dom.getAttribute('data-date'))
}

function postedCheckIns() {
  return fakeWx.requests.filter((r) => r.method === 'POST' && /\/me\/check-in$/.test(r.url))
}

test('a first check-in: the toast gives the points, the streak becomes 1 and today is marked', async () => {
  const page = await openCheckIn()
  const before = await mp.api('GET', '/api/v1/me/check-in', { token: wx.getStorageSync('token') })
  expect(mp.text(page, '.today__days')).toBe('0')
  expect(mp.text(page, '.today__btn-title')).toBe('签到')
  expect(mp.text(page, '.today__btn-points')).toBe(`+${before.checkin_points[0]}`)
  expect(mp.text(page, '.month__title')).toBe(calendar.monthTitle(before.today.slice(0, 7)))
  expect(mp.all(page, '.day--today').map((d) => d.dom.getAttribute('data-date'))).toEqual([before.today])
  expect(checkedDays(page)).toEqual([])

  await mp.tap(page.querySelector('.today__btn'))
  await fakeWx.idle()

  expect(fakeWx.toasts).toEqual([expect.objectContaining({ title: `签到成功 +${before.checkin_points[0]} 成长值` })])
  expect(mp.text(page, '.today__days')).toBe('1')
  expect(mp.text(page, '.today__btn-title')).toBe('已签到')
  expect(mp.text(page, '.today__hint')).toBe(`明天签到可得 +${before.checkin_points[1]} 成长值`)
  expect(checkedDays(page)).toEqual([before.today])
  expect(mp.text(page, '.day--checked .day__mark')).toBe('已签')
  // The cycle: day 1 earned, the rest to come.
  expect(mp.all(page, '.cycle-day').map((c) => c.dom.className.includes('cycle-day--done'))).toEqual(
    before.checkin_points.map((_, i) => i === 0))
  // The points are growth, in the history.
  const me = await mp.api('GET', '/api/v1/me', { token: wx.getStorageSync('token') })
  expect(me.member.growth).toBe(before.checkin_points[0])
})

test('a second tap the same day says so, and checks in nothing more', async () => {
  const page = await openCheckIn()
  await mp.tap(page.querySelector('.today__btn'))
  await fakeWx.idle()
  fakeWx.toasts.length = 0

  await mp.tap(page.querySelector('.today__btn'))
  await fakeWx.idle()
  expect(fakeWx.toasts).toEqual([expect.objectContaining({ title: '今天已经签到过了，明天再来吧' })])
  expect(postedCheckIns()).toHaveLength(2) // the API decided, and refused
  expect(mp.text(page, '.today__days')).toBe('1')

  // Another visit to the page the same day: the same answer.
  const again = mp.loadPage('pages/member/checkin')
  await again.instance.onLoad({})
  await fakeWx.idle()
  expect(mp.text(again, '.today__btn-title')).toBe('已签到')
  const res = await again.instance.onCheckIn()
  expect(res).toBeNull()
  const history = await mp.api('GET', '/api/v1/me/growth', { token: wx.getStorageSync('token') })
  expect(history.items.map((e) => e.kind)).toEqual(['check_in'])
})

test('a streak from earlier days: the calendar marks each day the API counts, and the cycle shows the round', async () => {
  const page = await openCheckIn('demo_c') // demo_c checked in four days running (the demo data)
  const state = page.data.state
  expect(state.streak).toBeGreaterThanOrEqual(1)
  expect(checkedDays(page)).toEqual(state.month)
  const n = state.checkin_points.length
  const done = state.checked_in_today ? ((state.streak - 1) % n) + 1 : state.streak % n
  expect(mp.all(page, '.cycle-day--done')).toHaveLength(done)
  expect(mp.text(page, '.today__days')).toBe(String(state.streak))
})

test('the calendar is the month laid out from Sunday, and earlier months can be looked at', async () => {
  const page = await openCheckIn('demo_c')
  const today = page.data.state.today
  const month = today.slice(0, 7)
  const [y, m] = month.split('-').map(Number)
  const blanks = new Date(Date.UTC(y, m - 1, 1)).getUTCDay()
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
  expect(mp.texts(page, '.day--name')).toEqual(['日', '一', '二', '三', '四', '五', '六'])
  const weeks = mp.rows(page, '.week').slice(1) // after the weekday names
  expect(weeks).toHaveLength(Math.ceil((blanks + days) / 7))
  expect(mp.all(weeks[0], '.day').map((d) => d.dom.className.includes('day--blank'))).toEqual(
    Array.from({ length: 7 }, (_, i) => i < blanks)) // the 1st falls on its weekday
  expect(weeks.map((w) => mp.all(w, '.day').length)).toEqual(weeks.map(() => 7))
  expect(mp.texts(page, '.day__num').map(Number)).toEqual(Array.from({ length: days }, (_, i) => i + 1))
  expect(page.querySelector('.month__nav--off')).toBeTruthy() // no month after this one

  await page.instance.onPrevMonth()
  await fakeWx.idle()
  const previous = calendar.shift(month, -1)
  expect(mp.text(page, '.month__title')).toBe(calendar.monthTitle(previous))
  expect(fakeWx.requests.pop().url).toContain(`/api/v1/me/check-in?month=${previous}`)
  const { token } = await mp.loginAs('demo_c')
  const earlier = await mp.api('GET', `/api/v1/me/check-in?month=${previous}`, { token })
  expect(checkedDays(page)).toEqual(earlier.month)
  expect(mp.all(page, '.day--today')).toHaveLength(0)

  await page.instance.onNextMonth()
  await fakeWx.idle()
  expect(mp.text(page, '.month__title')).toBe(calendar.monthTitle(month))
})

test('the calendar helpers count months across a year boundary', () => {
  expect(calendar.shift('2026-01', -1)).toBe('2025-12')
  expect(calendar.shift('2025-12', 1)).toBe('2026-01')
  const weeks = calendar.monthGrid('2026-02', ['2026-02-01', '2026-02-28'], '2026-02-15')
  expect(weeks[0][0]).toMatchObject({ day: 1, checked: true }) // 1 February 2026 is a Sunday
  expect(weeks.map((w) => w.length)).toEqual([7, 7, 7, 7])
  expect(weeks.flat().filter((c) => c.day)).toHaveLength(28)
  expect(calendar.monthGrid('2026-03', [], '2026-03-01').map((w) => w.filter((c) => c.day).length)).toEqual([7, 7, 7, 7, 3])
  expect(weeks.flat().filter((c) => c.future).map((c) => c.day)).toEqual(Array.from({ length: 13 }, (_, i) => 16 + i))
})
