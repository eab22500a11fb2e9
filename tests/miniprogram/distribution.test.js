// 分销中心 against the running backend: each state of GET /distribution/me (none → apply → pending, rejected,
// disabled, approved), the poster and QR code (downloaded with the token), the team, commissions by status,
// promotion orders, and withdrawals (client-side amount parsing, the API's refusals, the history).
//
// The distributor demo_a (demo_a → demo_b → demo_c) is given commission the real way first: demo_c buys,
// staff ship, demo_c confirms receipt, the owner sets settle_after_days to 0 and finance runs the settlement.
const fs = require('fs')
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')
const format = require(mp.path('utils/format'))

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

let demoA = null // { token, user }
const bought = {} // the orders of demo_c that earn demo_a a commission: settled, frozen, cancelled

beforeAll(async () => {
  const demoC = await mp.loginAs('demo_c')
  const item = async (title) => [{ sku_id: (await mp.skuOf(title)).id, quantity: 1 }]

  // Completed and settled
  bought.settled = await mp.paidOrder(demoC.token, await item('纯棉圆领短袖T恤'))
  await mp.shipOrder(bought.settled.id)
  await mp.api('POST', `/api/v1/orders/${bought.settled.id}/confirm-receipt`, { token: demoC.token, body: {} })
  await mp.admin('PUT', '/api/v1/admin/settings', { settle_after_days: 0 })
  const finance = await mp.staffToken('finance', 'finance-pass-2026')
  const run = await mp.api('POST', '/api/v1/admin/jobs/settle-commissions/run', { token: finance, body: {} })
  expect(run.processed).toBeGreaterThan(0)
  // Paid, not yet received: frozen
  bought.frozen = await mp.paidOrder(demoC.token, await item('陶瓷马克杯 350ml'))
  // Refunded whole before settlement: cancelled
  bought.cancelled = await mp.paidOrder(demoC.token, await item('每日坚果 混合装 30袋'))
  const refund = await mp.api('POST', `/api/v1/orders/${bought.cancelled.id}/refunds`, {
    token: demoC.token, body: { lines: [{ order_line_id: bought.cancelled.lines[0].id, quantity: 1 }], reason: '不想要了' },
  })
  await mp.admin('POST', `/api/v1/admin/refunds/${refund.id}/approve`)

  demoA = await mp.loginAs('demo_a')
})

function as(name) {
  getApp().session.setSandboxLoginName(name)
}

async function open(route, query = {}) {
  const page = mp.loadPage(route)
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

// WeChat's part once the distributor confirms a 商家转账 bill: the sandbox pays it and notifies the backend.
async function confirmAtSandbox(body) {
  const res = await fetch(`${mp.harness().sandboxBase}/transfer/confirm`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`sandbox transfer/confirm → ${res.status} ${await res.text()}`)
  return res.json()
}

async function distributionMe(token) {
  return mp.api('GET', '/api/v1/distribution/me', { token })
}

function fill(page, field, value) {
  page.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } })
}

async function applicationOf(userId, status = 'pending') {
  const list = await mp.admin('GET', `/api/v1/admin/distributor-applications?status=${status}&page_size=100`)
  return list.items.find((a) => a.user_id === userId)
}

describe('the states of the centre', () => {
  test('none: the programme with the rates as percentages, and the form → pending', async () => {
    const user = await getApp().ready()
    const info = await distributionMe(wx.getStorageSync('token'))
    expect(info.status).toBe('none')
    const page = await open('pages/distribution/index')

    expect(mp.text(page, '.intro__title')).toBe('成为分销员，分享赚佣金')
    expect(mp.text(page, '.rate-l1')).toBe(`${info.rates.level1_bp / 100}%`) // 1000 bp → 10%
    expect(mp.text(page, '.rate-l2')).toBe(`${info.rates.level2_bp / 100}%`)
    expect(mp.texts(page, '.intro__name')).toEqual(['一级佣金', '二级佣金'])
    expect(page.querySelector('.form')).toBeTruthy()

    fill(page, 'realName', '李')
    fill(page, 'phone', '13800138000')
    expect(await page.instance.onApply()).toBeNull()
    expect(fakeWx.toasts.pop().title).toBe('请填写真实姓名（2–20 个字）')
    fill(page, 'realName', '李雷')
    fill(page, 'phone', '1380013800')
    expect(await page.instance.onApply()).toBeNull()
    expect(fakeWx.toasts.pop().title).toBe('请填写正确的 11 位手机号')
    expect(fakeWx.requests.filter((r) => r.url.endsWith('/distribution/apply'))).toEqual([])

    fill(page, 'phone', '13800138000')
    fill(page, 'reason', '喜欢分享')
    const application = await page.instance.onApply()
    await fakeWx.idle()
    expect(application.status).toBe('pending')
    expect(mp.text(page, '.notice__title')).toBe('申请审核中')
    expect(mp.text(page, '.notice__text')).toBe(`你于 ${format.dateTime(application.created_at)} 提交了申请，商家审核后即可开始推广，请耐心等待。`)
    expect(page.querySelector('.form')).toBeUndefined()
    const review = await applicationOf(user.id)
    expect(review).toMatchObject({ real_name: '李雷', phone: '13800138000', reason: '喜欢分享' })
  })

  test('rejected: the reason, and 重新申请 opens the form again', async () => {
    const user = await getApp().ready()
    const token = wx.getStorageSync('token')
    await mp.api('POST', '/api/v1/distribution/apply', { token, body: { real_name: '韩梅梅', phone: '13900139000' } })
    await mp.admin('POST', `/api/v1/admin/distributor-applications/${(await applicationOf(user.id)).id}/reject`, { reason: '资料不完整' })

    const page = await open('pages/distribution/index')
    expect(mp.text(page, '.notice__title')).toBe('申请未通过')
    expect(mp.text(page, '.reject-reason')).toBe('原因：资料不完整')
    expect(page.querySelector('.form')).toBeUndefined()
    await mp.tap(page.querySelector('.notice__btn'))
    expect(page.querySelector('.form')).toBeTruthy()
    fill(page, 'realName', '韩梅梅')
    fill(page, 'phone', '13900139000')
    await page.instance.onApply()
    await fakeWx.idle()
    expect(mp.text(page, '.notice__title')).toBe('申请审核中')
  })

  test('disabled: a notice', async () => {
    const user = await getApp().ready()
    const token = wx.getStorageSync('token')
    await mp.api('POST', '/api/v1/distribution/apply', { token, body: { real_name: '王小明', phone: '13700137000' } })
    await mp.admin('POST', `/api/v1/admin/distributor-applications/${(await applicationOf(user.id)).id}/approve`)
    await mp.admin('POST', `/api/v1/admin/distributors/${user.id}/disable`, { reason: '违规推广' })

    const page = await open('pages/distribution/index')
    expect(mp.text(page, '.notice__title')).toBe('分销资格已停用')
    expect(page.querySelector('.wallet')).toBeUndefined()
    expect(page.querySelector('.form')).toBeUndefined()
  })

  test('approved: every balance and the team counts, from fen, as the API has them', async () => {
    as('demo_a')
    const info = await distributionMe(demoA.token)
    expect(info.status).toBe('approved')
    const b = info.balance
    expect(b.available_fen).toBeGreaterThan(0)
    expect(b.frozen_fen).toBeGreaterThan(0)
    const page = await open('pages/distribution/index')

    expect(mp.text(page, '.wallet__available')).toBe(format.yuan(b.available_fen))
    expect(mp.text(page, '.bal-frozen')).toBe(format.yuan(b.frozen_fen))
    expect(mp.text(page, '.bal-withdrawing')).toBe(format.yuan(b.withdrawing_fen))
    expect(mp.text(page, '.bal-withdrawn')).toBe(format.yuan(b.withdrawn_fen))
    expect(mp.text(page, '.bal-total')).toBe(format.yuan(b.total_earned_fen))
    expect(mp.text(page, '.team-l1')).toBe(String(info.team.level1_count))
    expect(mp.text(page, '.team-l2')).toBe(String(info.team.level2_count))
    expect(mp.text(page, '.team__code')).toContain(info.invite_code)
    expect(mp.texts(page, '.tool__title')).toEqual(['推广海报', '我的团队', '推广订单', '佣金明细', '提现记录'])

    for (const tool of mp.all(page, '.tool')) await mp.tap(tool)
    await mp.tap(page.querySelector('.wallet__btn'))
    expect(fakeWx.navigations.map((n) => n.url)).toEqual([
      '/pages/distribution/poster', '/pages/distribution/team', '/pages/distribution/orders',
      '/pages/distribution/commissions', '/pages/distribution/withdrawals', '/pages/distribution/withdraw',
    ])
    expect(page.instance.onShareAppMessage().path).toBe(`/pages/index/index?invite=${info.invite_code}`)
  })
})

test('the poster and the QR code are downloaded with the Authorization header, are PNGs, and can be saved', async () => {
  as('demo_a')
  const page = await open('pages/distribution/poster')
  const token = wx.getStorageSync('token')
  const info = await distributionMe(token)

  expect(fakeWx.downloads.map((d) => d.url).sort()).toEqual([info.poster_url, info.qrcode_url].sort())
  for (const d of fakeWx.downloads) {
    expect(d.header).toEqual({ Authorization: `Bearer ${token}` })
    expect(d.statusCode).toBe(200)
    expect(fs.readFileSync(d.tempFilePath).subarray(0, 8).equals(PNG_MAGIC)).toBe(true)
  }
  const posterFile = fakeWx.downloads.find((d) => d.url === info.poster_url).tempFilePath
  expect(page.data.posterPath).toBe(posterFile)
  expect(page.data.qrcodePath).toBe(fakeWx.downloads.find((d) => d.url === info.qrcode_url).tempFilePath)
  expect(mp.text(page, '.invite-code')).toBe(info.invite_code)

  await mp.tap(page.querySelector('.actions__btn'))
  await fakeWx.idle()
  expect(fakeWx.savedImages).toEqual([posterFile])
  expect(fakeWx.toasts.pop().title).toBe('已保存到相册')
  await mp.tap(page.querySelector('.share__copy'))
  expect(fakeWx.clipboard).toEqual([info.invite_code])
  expect(page.instance.onShareAppMessage()).toMatchObject({ path: `/pages/index/index?invite=${info.invite_code}`, imageUrl: posterFile })
})

test('without the header the poster is refused, and a shopper who is not a distributor gets no poster', async () => {
  const info = await distributionMe(demoA.token)
  const res = await fetch(info.poster_url)
  expect(res.status).toBe(401)

  const page = await open('pages/distribution/poster') // a fresh shopper
  expect(mp.text(page, '.state')).toContain('成为分销员后才能使用推广海报')
  expect(fakeWx.downloads).toEqual([])
})

test('my team: 一级 has demo_b, 二级 has demo_c, with their orders, as the API lists them', async () => {
  as('demo_a')
  const [level1, level2] = [1, 2].map((level) => mp.api('GET', `/api/v1/distribution/team?level=${level}&page_size=100`, { token: demoA.token }))
  const page = await open('pages/distribution/team')
  const shown = () => mp.rows(page, '.member').map((m) => [mp.text(m, '.member__name'), mp.text(m, '.member__orders'), mp.text(m, '.member__amount')])
  const expected = (list) => list.items.map((m) => [m.nickname, `${m.order_count} 单`, format.price(m.order_amount_fen)])

  expect(mp.texts(page, '.tab')).toEqual([`一级成员 ${(await level1).total}`, `二级成员 ${(await level2).total}`])
  expect(shown()).toEqual(expected(await level1))
  expect(shown().map((r) => r[0])).toContain('王芳（分销员B）')

  await mp.tap(mp.all(page, '.tab')[1])
  await fakeWx.idle()
  expect(shown()).toEqual(expected(await level2))
  const c = mp.rows(page, '.member').find((m) => mp.text(m, '.member__name') === '陈明（顾客C）')
  expect(c).toBeTruthy()
  expect(mp.text(c, '.member__via')).toBe('邀请人：王芳（分销员B）')
})

test('commissions: each tab shows the records of that status', async () => {
  as('demo_a')
  const page = await open('pages/distribution/commissions')
  const shown = () => mp.rows(page, '.comm').map((c) => [mp.text(c, '.comm__title'), mp.text(c, '.comm__amount'), mp.text(c, '.comm__status')])
  const labels = { frozen: '待结算', settled: '已结算', cancelled: '已失效' }
  for (const [i, status] of ['', 'frozen', 'settled', 'cancelled'].entries()) {
    await mp.tap(mp.all(page, '.tab')[i])
    await fakeWx.idle()
    const list = await mp.api('GET', `/api/v1/distribution/commissions?page_size=100${status ? `&status=${status}` : ''}`, { token: demoA.token })
    expect(list.total).toBeGreaterThan(0)
    expect(mp.text(page, '.tab--active')).toBe(['全部', '待结算', '已结算', '已失效'][i])
    expect(shown()).toEqual(list.items.map((c) => [`${c.level === 1 ? '一级' : '二级'}${c.title}`, format.price(c.amount_fen), labels[c.status]]))
    if (status) expect(new Set(shown().map((r) => r[2]))).toEqual(new Set([labels[status]]))
  }
  // demo_c's orders of this run are there, each in its state
  const all = await mp.api('GET', '/api/v1/distribution/commissions?page_size=100', { token: demoA.token })
  const byOrder = (order) => all.items.find((c) => c.order_no === order.order_no)
  expect(byOrder(bought.settled)).toMatchObject({ status: 'settled', level: 2 })
  expect(byOrder(bought.frozen)).toMatchObject({ status: 'frozen', level: 2 })
  expect(byOrder(bought.cancelled)).toMatchObject({ status: 'cancelled', level: 2 })
  const settled = byOrder(bought.settled)
  expect(settled.amount_fen).toBe(Math.floor((settled.base_fen * settled.rate_bp) / 10000))
})

test('promotion orders list the orders that earned me commission', async () => {
  as('demo_a')
  const list = await mp.api('GET', '/api/v1/distribution/orders?page_size=20', { token: demoA.token })
  const page = await open('pages/distribution/orders')
  expect(mp.texts(page, '.porder__no')).toEqual(list.items.map((o) => `订单号 ${o.order_no}`))
  // Each order's commission by its state: only what still waits is 预计佣金.
  const earning = { frozen: '预计佣金', settled: '已得佣金', cancelled: '佣金已失效' }
  expect(mp.rows(page, '.porder').map((r) => mp.text(r, '.porder__earn'))).toEqual(
    list.items.map((o) => `${earning[o.commission_status]}${format.price(o.commission_fen)}`))
  const row = (order) => mp.rows(page, '.porder').find((r) => mp.text(r, '.porder__no') === `订单号 ${order.order_no}`)
  expect(mp.text(row(bought.settled), '.porder__earn')).toMatch(/^已得佣金¥/)
  expect(mp.text(row(bought.frozen), '.porder__earn')).toMatch(/^预计佣金¥/)
  expect(list.items.find((o) => o.order_no === bought.settled.order_no).commission_status).toBe('settled')
  expect(mp.rows(page, '.porder').map((r) => mp.text(r, '.porder__buyer'))).toEqual(list.items.map((o) => `${o.level === 1 ? '一级' : '二级'}${o.buyer_nickname}`))
  expect(mp.texts(page, '.porder__no')).toContain(`订单号 ${bought.frozen.order_no}`)
})

describe('withdrawals', () => {
  test('the form shows the rules and the balance; a malformed amount is refused before anything is sent', async () => {
    as('demo_a')
    const info = await distributionMe(demoA.token)
    const page = await open('pages/distribution/withdraw')
    const r = info.withdraw_rules
    expect(mp.texts(page, '.rules__line').slice(0, 2)).toEqual([
      `· 单笔最低 ${format.price(r.min_fen)}，最高 ${format.price(r.max_fen)}`,
      `· 手续费 ${format.percent(r.fee_bp)}，每天最多提现 ${r.daily_count} 次`,
    ])
    expect(mp.text(page, '.wd__avail .muted')).toBe(`可提现余额 ¥${format.yuan(info.balance.available_fen)}`)

    for (const typed of ['1.234', 'abc', '1,00', '-1', '']) {
      page.instance.onAmountInput({ detail: { value: typed } })
      expect(await page.instance.onSubmit()).toEqual({ status: 'invalid', message: '请输入正确的金额，最多两位小数' })
    }
    page.instance.onAmountInput({ detail: { value: '0.00' } })
    expect((await page.instance.onSubmit()).message).toBe('提现金额必须大于 0')
    expect(mp.text(page, '.wd__message')).toBe('提现金额必须大于 0')

    page.instance.onAmountInput({ detail: { value: '1' } })
    await mp.tap(mp.all(page, '.method')[1])
    expect(mp.all(page, '.bank .field')).toHaveLength(3)
    expect((await page.instance.onSubmit()).message).toBe('请填写开户银行')
    fill(page, 'bankName', '招商银行')
    fill(page, 'accountName', '林晓')
    fill(page, 'accountNo', '6225 88')
    expect((await page.instance.onSubmit()).message).toBe('请填写正确的银行卡号')
    expect(fakeWx.requests.filter((q) => q.url.includes('/distribution/withdrawals'))).toEqual([])

    await mp.tap(page.querySelector('.wd__all'))
    expect(page.data.amount).toBe(format.yuan(info.balance.available_fen))
  })

  test('an amount below the minimum is refused by the API, with its message', async () => {
    as('demo_a')
    const page = await open('pages/distribution/withdraw')
    page.instance.onAmountInput({ detail: { value: '0.5' } })
    const outcome = await page.instance.onSubmit()
    const sent = fakeWx.requests.filter((q) => q.method === 'POST' && q.url.endsWith('/distribution/withdrawals'))
    expect(sent.map((q) => q.data)).toEqual([{ amount_fen: 50, method: 'wechat' }])
    expect(outcome).toMatchObject({ status: 'refused', code: 'withdraw_below_minimum' })
    expect(outcome.message).toBe('单笔最低提现 ¥1.00')
    expect(mp.text(page, '.wd__message')).toBe(outcome.message)
    expect(fakeWx.modals.pop()).toMatchObject({ title: '无法提现', content: outcome.message })

    const { balance } = await distributionMe(demoA.token)
    page.instance.onAmountInput({ detail: { value: format.yuan(balance.available_fen + 1) } }) // one fen too many
    const over = await page.instance.onSubmit()
    expect(over.code).toBe('insufficient_balance')
    expect(mp.text(page, '.wd__message')).toBe(over.message)
  })

  test('a withdrawal goes through, shows in the history, and staff decisions show there too', async () => {
    as('demo_a')
    const before = await distributionMe(demoA.token)
    const page = await open('pages/distribution/withdraw')
    page.instance.onAmountInput({ detail: { value: '1.05' } })
    const outcome = await page.instance.onSubmit()
    await fakeWx.idle()
    expect(outcome.status).toBe('ok')
    expect(outcome.withdrawal).toMatchObject({ amount_fen: 105, status: 'pending', method: 'wechat' })
    expect(fakeWx.modals.pop()).toMatchObject({ title: '提现申请已提交' })
    expect(fakeWx.navigations).toEqual([{ type: 'redirectTo', url: '/pages/distribution/withdrawals' }])

    const after = await distributionMe(demoA.token)
    expect(after.balance.available_fen).toBe(before.balance.available_fen - 105)
    expect(after.balance.withdrawing_fen).toBe(before.balance.withdrawing_fen + 105)

    // A second one by bank card, which staff reject
    const bankPage = await open('pages/distribution/withdraw')
    bankPage.instance.onAmountInput({ detail: { value: '2' } })
    bankPage.instance.onMethod({ currentTarget: { dataset: { method: 'bank' } } })
    fill(bankPage, 'bankName', '招商银行上海分行')
    fill(bankPage, 'accountName', '林晓')
    fill(bankPage, 'accountNo', '6225 8801 2345 6789')
    const viaBank = await bankPage.instance.onSubmit()
    expect(viaBank.withdrawal).toMatchObject({ amount_fen: 200, method: 'bank', account_no_masked: '**** 6789' })

    // WeChat transfer (商家转账): the bill waits for demo_a, who confirms it in WeChat (here, at the sandbox)
    await mp.admin('POST', `/api/v1/admin/withdrawals/${outcome.withdrawal.id}/approve`)
    await confirmAtSandbox({ out_bill_no: outcome.withdrawal.withdrawal_no })
    await mp.admin('POST', `/api/v1/admin/withdrawals/${viaBank.withdrawal.id}/reject`, { reason: '户名与实名不一致' })

    const history = await open('pages/distribution/withdrawals')
    const api = await mp.api('GET', '/api/v1/distribution/withdrawals', { token: demoA.token })
    const rows = mp.rows(history, '.wrow')
    expect(rows.map((r) => [mp.text(r, '.wrow__amount'), mp.text(r, '.wrow__status')])).toEqual(
      api.items.map((w) => [format.price(w.amount_fen), { pending: '待审核', approved: '已同意', awaiting_confirmation: '待确认收款', paid: '已到账', rejected: '已驳回', failed: '失败' }[w.status]]),
    )
    expect(rows.slice(0, 2).map((r) => [mp.text(r, '.wrow__amount'), mp.text(r, '.wrow__status')])).toEqual([['¥2.00', '已驳回'], ['¥1.05', '已到账']])
    expect(mp.text(rows[0], '.wrow__reason')).toBe('驳回原因：户名与实名不一致')
    expect(mp.text(rows[0], '.wrow__meta')).toContain('银行卡 招商银行上海分行 **** 6789')
    expect(mp.text(rows[1], '.wrow__meta')).toContain('微信零钱')

    const centre = await open('pages/distribution/index')
    const now = await distributionMe(demoA.token)
    expect(now.balance.withdrawn_fen).toBe(before.balance.withdrawn_fen + 105)
    expect(now.balance.withdrawing_fen).toBe(before.balance.withdrawing_fen)
    expect(mp.text(centre, '.bal-withdrawn')).toBe(format.yuan(now.balance.withdrawn_fen))
    expect(mp.text(centre, '.wallet__available')).toBe(format.yuan(now.balance.available_fen))
    // The rejected 2.00 came back whole: only the paid 1.05 left the balance
    expect(now.balance.available_fen).toBe(before.balance.available_fen - 105)
  })

  test('past the daily count the API refuses with withdraw_daily_limit, shown with its message', async () => {
    as('demo_a')
    const { withdraw_rules: rules } = await distributionMe(demoA.token)
    const today = (await mp.api('GET', '/api/v1/distribution/withdrawals?page_size=100', { token: demoA.token })).items
      .filter((w) => w.status !== 'rejected' && format.date(w.created_at) === format.date(new Date().toISOString())).length
    const page = await open('pages/distribution/withdraw')
    let outcome = null
    for (let i = today; i <= rules.daily_count; i++) {
      page.instance.onAmountInput({ detail: { value: '1' } })
      outcome = await page.instance.onSubmit()
      if (i < rules.daily_count) expect(outcome.status).toBe('ok')
    }
    expect(outcome).toMatchObject({ status: 'refused', code: 'withdraw_daily_limit', message: `每天最多提现 ${rules.daily_count} 次` })
    expect(mp.text(page, '.wd__message')).toBe(outcome.message)
  })

  test('a shopper who is not a distributor cannot open the withdraw form', async () => {
    const page = await open('pages/distribution/withdraw')
    expect(mp.text(page, '.state')).toBe('成为分销员后才能提现')
  })
})

describe('确认收款 of a 商家转账 bill', () => {
  // demo_b, an approved distributor with settled commission, asks for ¥1.00 and finance approves it.
  async function approvedBill() {
    const demoB = await mp.loginAs('demo_b')
    const w = await mp.api('POST', '/api/v1/distribution/withdrawals', { token: demoB.token, body: { amount_fen: 100 } })
    const approved = await mp.admin('POST', `/api/v1/admin/withdrawals/${w.id}/approve`)
    expect(approved.status).toBe('awaiting_confirmation')
    as('demo_b')
    return { demoB, w }
  }

  function rowOf(page, w) {
    return mp.rows(page, '.wrow').find((r) => mp.text(r, '.wrow__no') === w.withdrawal_no)
  }

  test('with wx.requestMerchantTransfer: WeChat gets the bill\'s package, the distributor confirms, it is 已到账', async () => {
    const { demoB, w } = await approvedBill()
    const page = await open('pages/distribution/withdrawals')
    const row = rowOf(page, w)
    expect(mp.text(row, '.wrow__status')).toBe('待确认收款')
    expect(mp.text(row, '.wrow__confirm-btn')).toBe('确认收款')

    const transfer = await mp.api('GET', `/api/v1/distribution/withdrawals/${w.id}/transfer`, { token: demoB.token })
    // Outside the sandbox, as on a phone: the page hands the package to WeChat, and WeChat does its part.
    fakeWx.alterNextAnswer('GET', /\/transfer$/, (data) => Object.assign({}, data, { sandbox: false }))
    fakeWx.merchantTransferAnswers.push((options) => confirmAtSandbox({ package: options.package }))
    const outcome = await page.instance.onConfirmReceipt({ currentTarget: { dataset: { id: w.id } } })
    await fakeWx.idle()

    expect(fakeWx.merchantTransfers.map((o) => [o.mchId, o.appId, o.package])).toEqual([
      [transfer.mch_id, transfer.app_id, transfer.package]])
    expect(outcome).toMatchObject({ status: 'confirmed', withdrawal: { id: w.id, status: 'paid' } })
    const after = rowOf(page, w)
    expect(mp.text(after, '.wrow__status')).toBe('已到账')
    expect(mp.all(after, '.wrow__confirm-btn')).toHaveLength(0)
    expect(fakeWx.toasts.map((t) => t.title)).toContain('已到账微信零钱')
    const [mine] = (await mp.api('GET', '/api/v1/distribution/withdrawals', { token: demoB.token })).items
      .filter((x) => x.id === w.id)
    expect([mine.status, mine.actions]).toEqual(['paid', []])
  })

  test('without wx.requestMerchantTransfer (an older WeChat): a clear message, nothing is confirmed', async () => {
    const { demoB, w } = await approvedBill()
    const page = await open('pages/distribution/withdrawals')
    delete global.wx.requestMerchantTransfer
    fakeWx.alterNextAnswer('GET', /\/transfer$/, (data) => Object.assign({}, data, { sandbox: false }))
    const outcome = await page.instance.onConfirmReceipt({ currentTarget: { dataset: { id: w.id } } })
    await fakeWx.idle()

    expect(outcome.status).toBe('unsupported')
    expect(fakeWx.modals.pop()).toMatchObject({
      title: '无法确认收款',
      content: '当前微信版本过低，无法确认收款。请将微信升级到最新版本后，再回到提现记录点“确认收款”。',
    })
    expect(fakeWx.merchantTransfers).toEqual([])
    const [still] = (await mp.api('GET', '/api/v1/distribution/withdrawals', { token: demoB.token })).items
      .filter((x) => x.id === w.id)
    expect([still.status, still.actions]).toEqual(['awaiting_confirmation', ['confirm_receipt']])
    expect(mp.text(rowOf(page, w), '.wrow__status')).toBe('待确认收款')

    // In the sandbox (DevTools) the fake WeChat confirms instead, after the distributor agrees.
    const sandboxed = await page.instance.onConfirmReceipt({ currentTarget: { dataset: { id: w.id } } })
    await fakeWx.idle()
    expect(fakeWx.modals.pop()).toMatchObject({ title: '沙箱确认收款', content: '模拟在微信中确认收款 ¥1.00，确认吗？' })
    expect(sandboxed).toMatchObject({ status: 'confirmed', withdrawal: { id: w.id, status: 'paid' } })
    expect(fakeWx.requests.filter((q) => q.url.endsWith('/transfer/confirm')).map((q) => q.data)).toEqual([
      { package: expect.any(String) }])
  })
})
