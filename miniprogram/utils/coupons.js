// Coupons as the shopper sees them, for the 领券中心, 我的优惠券 and the product page's 领券 sheet: the ticket each
// one is drawn as (components/coupon-ticket), and claiming with its feedback. What a coupon gives, whether it can be
// claimed and why not are the API's (`summary`, `can_claim`, `refusal`); this only puts them into words.
const api = require('./api')
const { paths } = api
const format = require('./format')
const status = require('./status')

const DAY_MS = 24 * 3600 * 1000
const EXPIRING_DAYS = 3 // an unused coupon this close to its end says so

// 2000 → '20', 1050 → '10.5', 999 → '9.99': the big figure of a ticket, without the zeros a shop leaves off.
function shortYuan(fen) {
  return format.yuan(fen).replace(/\.00$/, '').replace(/(\.\d)0$/, '$1')
}

// Basis points off as the shop's 折, by integer arithmetic: 1000 → '9', 1500 → '8.5', 1250 → '8.75'.
function discountRate(percentOffBp) {
  const rate = 10000 - Math.max(0, Math.min(10000, Math.floor(Number(percentOffBp) || 0)))
  const rest = rate % 1000
  const whole = String(Math.floor(rate / 1000))
  if (!rest) return whole
  return `${whole}.${String(1000 + rest).slice(1).replace(/0+$/, '')}`
}

// The left of a ticket: '¥' and '20' for a fixed amount, '8.5' and '折' for a percentage; the threshold under it.
function faceOf(c) {
  const percent = c.kind === 'percent'
  return {
    amount: percent ? discountRate(c.percent_off_bp) : shortYuan(c.value_fen),
    unit: percent ? '折' : '¥',
    condition: c.threshold_fen > 0 ? `满${shortYuan(c.threshold_fen)}可用` : '无门槛',
    cap: percent && c.cap_fen ? `最高减${shortYuan(c.cap_fen)}` : '',
  }
}

function scopeText(scope) {
  const s = scope || {}
  return (s.product_ids && s.product_ids.length) || (s.category_ids && s.category_ids.length) ? '指定商品可用' : '全场通用'
}

// A template's validity: a window, or so many days from claiming.
function templateValidity(t) {
  if (t.valid_days) return `领取后 ${t.valid_days} 天内有效`
  if (t.valid_from && t.valid_to) return `${format.date(t.valid_from)} 至 ${format.date(t.valid_to)}`
  return t.valid_to ? `有效期至 ${format.date(t.valid_to)}` : ''
}

// A held coupon's validity, as dates in Shanghai.
function couponValidity(c) {
  const to = format.date(c.valid_to)
  const from = format.date(c.valid_from)
  return from && from !== to ? `${from} 至 ${to}` : `有效期至 ${to}`
}

// The button of a coupon in the 领券中心, from the API's can_claim and refusal. One the shopper holds and cannot
// claim again is for using (去使用), stamped 已领取.
function claimButton(t) {
  if (t.can_claim) return { button: { text: t.claimed_by_me ? '再领一张' : '立即领取', state: 'primary' }, stamp: '' }
  if (t.claimed_by_me) return { button: { text: '去使用', state: 'ghost' }, stamp: '已领取' }
  const words = status.COUPON_CLAIM_REFUSAL[t.refusal]
  return { button: { text: words ? words.button : '不可领取', state: 'off' }, stamp: t.refusal === 'coupon_sold_out' ? '已抢光' : '' }
}

// A template of GET /coupons/claimable as a ticket with its claim button and how much of it is gone.
function claimableTicket(t) {
  const claimedPercent = t.total_quantity ? Math.min(100, Math.floor((t.claimed * 100) / t.total_quantity)) : -1
  return Object.assign({
    id: t.id,
    name: t.name,
    summary: t.summary,
    scope: scopeText(t.scope),
    validity: templateValidity(t),
    description: t.description || '',
    badge: t.can_claim && t.claimed_by_me ? `已领 ${t.claimed_by_me} 张` : '', // stamped 已领取 once at the limit
    progress: claimedPercent,
    progressText: claimedPercent >= 0 ? `已抢 ${claimedPercent}%` : '',
    muted: !t.can_claim && !t.claimed_by_me,
    refusal: t.refusal || '',
  }, faceOf(t), claimButton(t))
}

// A coupon of GET /me/coupons as a ticket: unused ones are for using, a locked one leads to the unpaid order that
// holds it, used and expired ones are stamped.
function heldTicket(c, now = Date.now()) {
  const end = format.parseTime(c.valid_to)
  const daysLeft = end === null ? -1 : Math.ceil((end - now) / DAY_MS)
  const unused = c.status === 'unused'
  const ticket = {
    id: c.id,
    status: c.status,
    orderId: c.order_id || 0,
    name: c.name,
    summary: c.summary,
    scope: scopeText(c.scope),
    validity: couponValidity(c),
    description: c.description || '',
    badge: unused && daysLeft >= 0 && daysLeft <= EXPIRING_DAYS ? (daysLeft <= 1 ? '即将到期' : `${daysLeft}天后到期`) : '',
    progress: -1,
    progressText: '',
    muted: c.status === 'used' || c.status === 'expired',
    stamp: c.status === 'used' || c.status === 'expired' ? status.COUPON_STATUS[c.status] : '',
    button: null,
  }
  if (unused) ticket.button = { text: '去使用', state: 'primary' }
  if (c.status === 'locked') {
    ticket.badge = `${status.COUPON_STATUS.locked} · 订单待支付`
    ticket.button = { text: '去支付', state: 'ghost' }
  }
  return Object.assign(ticket, faceOf(c))
}

// What a ticket that cannot be claimed says when tapped.
function refusalText(ticket) {
  const words = status.COUPON_CLAIM_REFUSAL[ticket.refusal]
  return words ? words.toast : '这张券暂时不能领取'
}

// Claims one coupon of a template, with the feedback the shopper sees: 领取成功, or why not (sold out, limit
// reached, stopped) → { ok: true, coupon } | { ok: false, code, message }.
function claim(templateId) {
  return api.post(paths.couponClaim(templateId), {}, { toast: false }).then((coupon) => {
    wx.showToast({ title: '领取成功', icon: 'success' })
    return { ok: true, coupon }
  }, (err) => {
    const words = status.COUPON_CLAIM_REFUSAL[err.code]
    const message = words ? words.toast : err.message
    wx.showToast({ title: message, icon: 'none', duration: 2500 })
    return { ok: false, code: err.code, message }
  })
}

// GET /coupons/claimable (for one product with its id) → the tickets.
function claimableTickets(productId) {
  const query = productId ? { product_id: productId } : null
  return api.get(paths.couponsClaimable, query, { toast: false }).then((res) => res.items.map(claimableTicket))
}

module.exports = { shortYuan, discountRate, faceOf, claimableTicket, heldTicket, refusalText, claim, claimableTickets }
