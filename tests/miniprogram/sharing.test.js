// Sharing: the home and product pages' cards for a friend and for Moments are recorded (POST /shares) and carry my
// invite code and the share (`invite`, `s`); the shop's name and share text come from the settings; a product
// poster is made by the API; opening a share (a link or a poster's code) records the visit after the login that
// binds. Sharing, a visit and a binding earn nothing, and no share button or card promises a reward.
const fs = require('fs')
const path = require('path')
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47])
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

const EARBUDS = '降噪蓝牙耳机'

function as(name) {
  getApp().session.setSandboxLoginName(name || mp.uniqueName('share'))
  return getApp().ready()
}

async function open(route, query = {}) {
  const page = mp.loadPage(route)
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

function calls(method, pattern) {
  return fakeWx.requests.filter((r) => r.method === method && pattern.test(r.url))
    .map((r) => Object.assign({ path: r.url.replace(mp.harness().apiBase, '') }, r.data ? { body: r.data } : {}))
}

async function product(title = EARBUDS) {
  return mp.productTitled(title)
}

function shareAs(token, body) {
  return mp.api('POST', '/api/v1/shares', { token, body })
}

function funnel() {
  return mp.admin('GET', '/api/v1/admin/share-rewards/funnel')
}

test('the home card for a friend is recorded and carries my invite and the share, titled by the settings', async () => {
  const user = await as()
  const rules = await mp.api('GET', '/api/v1/share-rewards/rules')
  const page = await open('pages/index/index')
  expect(fakeWx.titles).toContain(rules.shop_name) // the navigation bar names the shop from the settings

  const card = page.instance.onShareAppMessage()
  // What WeChat shows at once, before the share is recorded: my invite already.
  expect(card).toMatchObject({ title: rules.share_text, path: `/pages/index/index?invite=${user.invite_code}` })
  const recorded = await card.promise
  const [share] = calls('POST', /\/api\/v1\/shares$/)
  expect(share.body).toEqual({ target: 'shop', channel: 'friend' })
  const id = Number(/s=(\d+)$/.exec(recorded.path)[1])
  expect(recorded).toEqual({ title: rules.share_text, path: `/pages/index/index?invite=${user.invite_code}&s=${id}` })
})

test('the share text is the merchant’s own, from 分享有礼 settings', async () => {
  const before = await mp.admin('GET', '/api/v1/admin/share-rewards/settings')
  await mp.admin('PUT', '/api/v1/admin/share-rewards/settings', { share_text: '春季上新，来看看' })
  try {
    await as()
    const page = await open('pages/index/index')
    const card = page.instance.onShareAppMessage()
    expect(card.title).toBe('春季上新，来看看')
    expect((await card.promise).title).toBe('春季上新，来看看')
    expect(page.instance.onShareTimeline().title).toBe('春季上新，来看看')
    await fakeWx.idle()
  } finally {
    await mp.admin('PUT', '/api/v1/admin/share-rewards/settings', { share_text: before.share_text })
  }
})

test('a Moments share is recorded at each tap; the next one carries the share id of the one before', async () => {
  const user = await as()
  const page = await open('pages/index/index')
  const first = page.instance.onShareTimeline()
  await fakeWx.idle()
  expect(first.query).toBe(`invite=${user.invite_code}`)
  const [recorded] = calls('POST', /\/api\/v1\/shares$/)
  expect(recorded.body).toEqual({ target: 'shop', channel: 'timeline' })

  const second = page.instance.onShareTimeline()
  await fakeWx.idle()
  const firstId = JSON.parse(fakeWx.storage.get('timeline_shares'))
  expect(Object.values(firstId)).toHaveLength(1)
  expect(second.query).toMatch(new RegExp(`^invite=${user.invite_code}&s=\\d+$`))
  expect(calls('POST', /\/api\/v1\/shares$/)).toHaveLength(2)
})

test('a product card for a friend and for Moments carries the product, my invite and the share', async () => {
  const user = await as()
  const p = await product()
  const page = await open('pages/product/detail', { id: String(p.id) })

  const card = page.instance.onShareAppMessage()
  expect(card).toMatchObject({
    title: p.title, imageUrl: p.images[0], path: `/pages/product/detail?id=${p.id}&invite=${user.invite_code}`,
  })
  const recorded = await card.promise
  const [share] = calls('POST', /\/api\/v1\/shares$/)
  expect(share.body).toEqual({ target: 'product', product_id: p.id, channel: 'friend' })
  expect(recorded.path).toMatch(new RegExp(`^/pages/product/detail\\?id=${p.id}&invite=${user.invite_code}&s=\\d+$`))
  expect(recorded.title).toBe(p.title)

  const moments = page.instance.onShareTimeline()
  expect(moments).toEqual({ title: p.title, imageUrl: p.images[0], query: `id=${p.id}&invite=${user.invite_code}` })
  await fakeWx.idle()
  expect(calls('POST', /\/api\/v1\/shares$/)[1].body).toEqual({ target: 'product', product_id: p.id, channel: 'timeline' })
})

test('the product page’s share sheet offers a friend, a poster, and where Moments is', async () => {
  await as()
  const p = await product()
  const page = await open('pages/product/detail', { id: String(p.id) })
  await mp.tap(page.querySelector('.summary__share'))
  expect(mp.texts(page, '.share-sheet__label')).toEqual(['发给朋友', '生成海报'])
  expect(mp.text(page, '.share-sheet__hint')).toBe('分享到朋友圈：点右上角「···」，选择「分享到朋友圈」')
  await mp.tap(page.querySelector('.share-sheet__poster'))
  expect(fakeWx.navigations).toEqual([{ type: 'navigateTo', url: `/pages/member/poster?id=${p.id}` }])
  expect(page.querySelector('.share-sheet')).toBeUndefined()
})

test('the poster page records a poster share, downloads the API’s poster with my token, and saves it', async () => {
  await as()
  const p = await product()
  const page = await open('pages/member/poster', { id: String(p.id) })

  const [share] = calls('POST', /\/api\/v1\/shares$/)
  expect(share.body).toEqual({ target: 'product', product_id: p.id, channel: 'poster' })
  const [download] = fakeWx.downloads
  expect(download.url).toMatch(new RegExp(`/api/v1/shares/\\d+/poster$`))
  expect(download.header.Authorization).toBe(`Bearer ${wx.getStorageSync('token')}`)
  expect(download.statusCode).toBe(200)
  expect(fs.readFileSync(page.data.posterPath).subarray(0, 4).equals(PNG_MAGIC)).toBe(true)

  await mp.tap(page.querySelector('.actions__btn'))
  await fakeWx.idle()
  expect(fakeWx.savedImages).toEqual([page.data.posterPath])
  expect(fakeWx.toasts.pop().title).toBe('已保存到相册')
  // Making and saving a poster earns nothing.
  expect((await mp.api('GET', '/api/v1/me', { token: wx.getStorageSync('token') })).member.growth).toBe(0)
})

test('opened from a share link: the login carries the invite, then the visit is recorded once', async () => {
  const sharer = await mp.loginAs('demo_a')
  const p = await product()
  const share = await shareAs(sharer.token, { target: 'product', product_id: p.id, channel: 'friend' })
  const before = await funnel()
  getApp().session.setSandboxLoginName(mp.uniqueName('visitor'))

  // A cold start: WeChat calls onLaunch and onShow with the same query, and the page loads with it.
  const query = { id: String(p.id), invite: sharer.user.invite_code, s: String(share.share_id) }
  getApp().onLaunch({ path: 'pages/product/detail', query, scene: 1007 })
  getApp().onShow({ path: 'pages/product/detail', query, scene: 1007 })
  await open('pages/product/detail', query)

  const sent = fakeWx.requests.filter((r) => r.method === 'POST').map((r) => r.url.replace(mp.harness().apiBase, ''))
  expect(sent).toEqual(['/api/v1/auth/login', `/api/v1/shares/${share.share_id}/visits`])
  expect(fakeWx.requests.find((r) => /auth\/login/.test(r.url)).data.invite_code).toBe(sharer.user.invite_code)
  const me = await mp.api('GET', '/api/v1/me', { token: wx.getStorageSync('token') })
  expect(me.inviter_id).toBe(sharer.user.id)
  const after = await funnel()
  expect([after.visits - before.visits, after.bound - before.bound]).toEqual([1, 1])
  // Neither the visit nor the binding earns anyone anything.
  expect(me.member.growth).toBe(0)
  expect(after.rewards_pending).toBe(before.rewards_pending)
})

test('opened from a product poster’s code: the scene gives the product, the invite and the share', async () => {
  const sharer = await mp.loginAs('demo_b')
  const p = await product('陶瓷马克杯 350ml')
  const share = await shareAs(sharer.token, { target: 'product', product_id: p.id, channel: 'poster' })
  getApp().session.setSandboxLoginName(mp.uniqueName('scanner'))
  const scene = encodeURIComponent(`p=${p.id}&i=${sharer.user.invite_code}&s=${share.share_id}`)

  const page = await open('pages/product/detail', { scene })

  expect(mp.text(page, '.summary__title')).toBe(p.title)
  expect(fakeWx.requests.find((r) => /auth\/login/.test(r.url)).data.invite_code).toBe(sharer.user.invite_code)
  expect(calls('POST', /\/visits$/).map((c) => c.path)).toEqual([`/api/v1/shares/${share.share_id}/visits`])
  expect((await mp.api('GET', '/api/v1/me', { token: wx.getStorageSync('token') })).inviter_id).toBe(sharer.user.id)
})

test('the sharer’s own tap on the link is no visit, and a visit is counted once per visitor', async () => {
  await as()
  const token = wx.getStorageSync('token')
  const share = await mp.api('POST', '/api/v1/shares', { token, body: { target: 'shop', channel: 'friend' } })
  const before = await funnel()
  await open('pages/index/index', { s: String(share.share_id) })
  expect(calls('POST', /\/visits$/)).toHaveLength(1) // sent; the API ignores the sharer's own
  expect((await funnel()).visits).toBe(before.visits)
})

// Every share button, and every card my pages give, in the shopper's words: none promises anything for sharing
// (WeChat's 运营规范 5.1). Rewards are spoken of on 分享有礼's own page only, after its complete rules.
const PROMISE = /[得赚奖礼送领返]|红包|现金|佣金|积分|成长值/

test('no share button and no share card promises a reward', async () => {
  const pages = path.join(mp.path('pages'))
  const wxml = []
  for (const dir of fs.readdirSync(pages)) {
    for (const file of fs.readdirSync(path.join(pages, dir)).filter((f) => f.endsWith('.wxml'))) {
      wxml.push(fs.readFileSync(path.join(pages, dir, file), 'utf8'))
    }
  }
  const buttons = wxml.flatMap((text) => [...text.matchAll(/<button[^>]*open-type="share"[^>]*>([\s\S]*?)<\/button>/g)]
    .map((m) => m[1].replace(/<[^>]+>/g, '').replace(/\s+/g, '')))
  expect(buttons.length).toBeGreaterThanOrEqual(3)
  for (const label of buttons) expect(label).not.toMatch(PROMISE)

  await as()
  const p = await product()
  const home = await open('pages/index/index')
  const detail = await open('pages/product/detail', { id: String(p.id) })
  const invite = await open('pages/member/invite')
  const cards = [home.instance.onShareAppMessage(), home.instance.onShareTimeline(),
    detail.instance.onShareTimeline(), invite.instance.onShareAppMessage()]
  const recorded = await Promise.all([cards[0].promise, cards[3].promise])
  for (const card of cards.concat(recorded)) expect(card.title).not.toMatch(PROMISE)
  await fakeWx.idle()
})

// 分享有礼: the one page that speaks of rewards, with the complete rules first.
test('分享有礼 shows the complete rules from the settings, then the merchant’s words, before its share button', async () => {
  const rules = await mp.api('GET', '/api/v1/share-rewards/rules')
  expect(rules.enabled).toBe(true) // the demo shop gives a coupon
  await as()
  const page = await open('pages/member/invite')
  expect(mp.text(page, '.hero__headline')).toBe(`好友首单完成后可得 ${rules.reward}`)
  expect(mp.texts(page, '.rule__text')).toEqual(rules.rules)
  expect(mp.texts(page, '.rule__no')).toEqual(rules.rules.map((_, i) => `${i + 1}.`))
  expect(mp.text(page, '.rules__note')).toBe(rules.note)
  // The rules come before the button in the page, and the button says only what it does.
  const html = page.dom.innerHTML
  expect(html.indexOf(rules.rules[rules.rules.length - 1])).toBeLessThan(html.indexOf('分享店铺给好友'))
  expect(mp.text(page, '.rules__share')).toBe('分享店铺给好友')
})

test('分享有礼 lists my invitees and my rewards as the API counts them', async () => {
  await as('demo_a') // the demo: demo_d's reward granted, demo_f's pending
  const { token } = await mp.loginAs('demo_a')
  const [summary, invitees, rewards] = await Promise.all([
    mp.api('GET', '/api/v1/me/share-rewards/summary', { token }),
    mp.api('GET', '/api/v1/me/invitees', { token }),
    mp.api('GET', '/api/v1/me/share-rewards', { token }),
  ])
  const page = await open('pages/member/invite')
  expect(mp.texts(page, '.total__value').map(Number)).toEqual([
    summary.invitees, summary.pending, summary.granted, summary.granted_coupons, summary.granted_points])
  expect(summary.granted).toBeGreaterThanOrEqual(1)
  expect(summary.pending).toBeGreaterThanOrEqual(1)
  const words = { pending: '已下单，奖励待发放', granted: '奖励已发放', cancelled: '订单已退款' }
  expect(mp.rows(page, '.friend').map((r) => [mp.text(r, '.friend__name'), mp.text(r, '.friend__state')])).toEqual(
    invitees.items.map((i) => [i.nickname, i.reward_status ? words[i.reward_status] : (i.first_order_paid ? '已下单' : '未下单')]))

  await mp.tap(mp.all(page, '.tab')[1])
  await fakeWx.idle()
  const shown = mp.rows(page, '.reward').map((r) => [mp.text(r, '.reward__what'), mp.text(r, '.reward__state')])
  expect(shown).toEqual(rewards.items.map((r) => [
    r.kind === 'coupon' ? `优惠券「${r.coupon_name}」` : `${r.points} 成长值`,
    { pending: '待发放', granted: '已发放', cancelled: '已取消' }[r.status]]))
  expect(shown.map((s) => s[1])).toEqual(expect.arrayContaining(['已发放', '待发放']))
})

test('with no reward set, 分享有礼 says so and that sharing earns nothing', async () => {
  const before = await mp.admin('GET', '/api/v1/admin/share-rewards/settings')
  await mp.admin('PUT', '/api/v1/admin/share-rewards/settings', { share_reward_kind: 'none' })
  try {
    await as()
    const page = await open('pages/member/invite')
    expect(mp.text(page, '.hero__headline')).toBe('本店暂未开展分享有礼活动')
    expect(mp.texts(page, '.rule__text')).toEqual((await mp.api('GET', '/api/v1/share-rewards/rules')).rules)
    expect(mp.texts(page, '.rule__text').join('')).toContain('均不获得任何奖励')
  } finally {
    await mp.admin('PUT', '/api/v1/admin/share-rewards/settings', { share_reward_kind: before.share_reward_kind })
  }
})
