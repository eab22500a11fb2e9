const mp = require('./harness/mp')
const format = require(mp.path('utils/format'))
const { inviteFromQuery } = require(mp.path('utils/invite'))

describe('money is shown from integer fen without floats', () => {
  test.each([
    [0, '¥0.00'], [1, '¥0.01'], [10, '¥0.10'], [99, '¥0.99'], [100, '¥1.00'], [1234, '¥12.34'],
    [3990, '¥39.90'], [100000000, '¥1000000.00'], [-505, '-¥5.05'],
  ])('%i fen is %s', (fen, shown) => {
    expect(format.price(fen)).toBe(shown)
  })

  test('amounts that floats get wrong stay exact', () => {
    // 0.29 * 100 === 28.999999999999996 in floating point; fen never go through that.
    expect(format.yuan(29)).toBe('0.29')
    expect(format.yuan(1005)).toBe('10.05')
    expect(format.moneyParts(123456789)).toEqual({ sign: '', int: '1234567', dec: '89' })
  })
})

describe('times are shown in Asia/Shanghai', () => {
  test('a UTC evening is the next morning in Shanghai', () => {
    expect(format.dateTime('2026-11-27T16:05:00Z')).toBe('2026-11-28 00:05')
    expect(format.date('2026-11-27T16:05:00+00:00')).toBe('2026-11-28')
  })

  test('offsets and microseconds are understood, and a zone-less time is UTC', () => {
    expect(format.dateTime('2026-01-01T08:30:00.123456+08:00')).toBe('2026-01-01 08:30')
    expect(format.dateTime('2026-06-30T23:59:59-05:00')).toBe('2026-07-01 12:59')
    expect(format.dateTime('2026-03-01 00:00:00')).toBe('2026-03-01 08:00')
    expect(format.dateTime('not a date')).toBe('')
  })

  test('large counts are shown in 万', () => {
    expect(format.count(9999)).toBe('9999')
    expect(format.count(12345)).toBe('1.2万')
  })
})

describe('invite codes arrive by share link or QR scene', () => {
  test('a share link carries ?invite=CODE', () => {
    expect(inviteFromQuery({ invite: 'AB12CD34' })).toBe('AB12CD34')
  })

  test('a QR code carries the URI-encoded scene i=CODE', () => {
    expect(inviteFromQuery({ scene: encodeURIComponent('i=AB12CD34') })).toBe('AB12CD34')
    expect(inviteFromQuery({ scene: 'i%3DXY98ZW76%26p%3D3' })).toBe('XY98ZW76')
  })

  test('no invite gives an empty code', () => {
    expect(inviteFromQuery({})).toBe('')
    expect(inviteFromQuery({ scene: 'p=3' })).toBe('')
    expect(inviteFromQuery(undefined)).toBe('')
  })
})

describe('amounts typed in yuan become integer fen, parsed as text', () => {
  test.each([
    ['1', 100], ['1.', 100], ['1.5', 150], ['1.05', 105], ['0.29', 29], ['0.01', 1], [' 12.30 ', 1230], ['007.1', 710],
    ['20000', 2000000], ['0', 0], ['0.00', 0],
  ])('%p is %i fen', (typed, fen) => {
    expect(format.parseYuan(typed)).toBe(fen)
  })

  test.each(['1.234', '', '.5', 'abc', '1,00', '-1', '1e3', '+1', '1.2.3', '１２', '1234567890'])('%p is not an amount', (typed) => {
    expect(format.parseYuan(typed)).toBeNull()
  })

  test('a yuan amount goes back to the same fen', () => {
    for (const fen of [1, 29, 57, 100, 1005, 123456]) expect(format.parseYuan(format.yuan(fen))).toBe(fen)
  })
})

describe('rates in basis points are shown as percentages without floats', () => {
  test.each([[1000, '10%'], [500, '5%'], [1500, '15%'], [550, '5.5%'], [1, '0.01%'], [1234, '12.34%'], [0, '0%']])('%i bp is %s', (bp, shown) => {
    expect(format.percent(bp)).toBe(shown)
  })

  test('countdowns are mm:ss, with hours from an hour on', () => {
    expect(format.clock(0)).toBe('00:00')
    expect(format.clock(29 * 60 + 5)).toBe('29:05')
    expect(format.clock(3600 + 61)).toBe('1:01:01')
    expect(format.clock(-5)).toBe('00:00')
  })
})
