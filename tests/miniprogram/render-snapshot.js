// Prints the rendered pages as indented markup, to look at what the shopper gets: the home, a product, me, and the
// shopping, order and distribution pages with real data made through the API first.
// Run: npx jest --runInBand --testMatch '**/tests/miniprogram/render-snapshot.js'
// With RENDER_HTML_DIR=/some/dir it also writes each page as a static HTML file (750px = 750rpx wide, images as
// grey boxes) for a browser screenshot, e.g. chromium --headless --screenshot --window-size=750,1600 page.html
const fs = require('fs')
const path = require('path')
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

// The simulator prefixes classes with the tag name of the component that owns them (main-- for the page).
const OWNERS = ['main', 'product-card', 'price', 'list-footer', 'goods-line', 'privacy-popup', 'coupon-ticket']
const PREFIX = new RegExp(`^(${OWNERS.join('|')})--`)

// Rough stand-ins for WeChat's built-in components, and app.wxss made to match the simulator's prefixed classes.
const BUILTINS = `
  body { margin: 0; width: 750px; }
  wx-view, wx-scroll-view, wx-swiper, wx-input, wx-picker, wx-navigator, wx-textarea { display: block; }
  wx-text { display: inline; }
  wx-image { display: inline-block; width: 320px; height: 240px; background: #e8e4df; }
  wx-swiper { height: 750px; overflow: hidden; }
  wx-swiper-item { display: block; width: 100%; height: 100%; }
  wx-swiper-item + wx-swiper-item { display: none; }
  wx-scroll-view { overflow: hidden; }
  wx-input { min-height: 1.4em; line-height: 1.4; color: #1f1f1f; }
  wx-textarea { min-height: 3em; }
  wx-switch { display: inline-block; width: 84px; height: 50px; border-radius: 25px; background: #f2270c; position: relative; }
  wx-switch::after { content: ''; position: absolute; right: 3px; top: 3px; width: 44px; height: 44px; border-radius: 50%; background: #fff; }
  wx-button { display: flex; align-items: center; justify-content: center; border: none; }
  .main--search__input:empty::before { content: '搜索商品'; color: #999; }
`

function appStyles() {
  const css = fs.readFileSync(mp.path('app.wxss'), 'utf8').replace(/(\d+(?:\.\d+)?)rpx/g, '$1px').replace(/\bpage\b/g, 'body')
  return css
    .replace(/^view, text, image, input, button, scroll-view, swiper \{/m, 'wx-view, wx-text, wx-image, wx-input, wx-button, wx-scroll-view, wx-swiper {')
    .replace(/\.([a-z][\w-]*)/g, (_, cls) => `:is(${OWNERS.map((p) => `.${p}--${cls}`).join(', ')})`)
}

// The simulator keeps no image sources; images that matter (the poster, the QR code) are drawn from their files.
function pngSize(buffer) {
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) }
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47])

function withImages(dom, images) {
  const copy = dom.cloneNode(true)
  for (const [cls, file] of Object.entries(images || {})) {
    if (!file) continue
    const picture = fs.readFileSync(file)
    const isPng = picture.subarray(0, 4).equals(PNG_MAGIC) // otherwise a JPEG (banners), shown in its CSS box
    for (const el of copy.querySelectorAll(`.main--${cls}`)) {
      // set as text: jsdom's style parser drops a data: URL in the background shorthand
      el.setAttribute('style', `${el.getAttribute('style') || ''};background: #fff url(data:image/${isPng ? 'png' : 'jpeg'};base64,${picture.toString('base64')}) center / ${isPng ? 'contain' : 'cover'} no-repeat`)
      if (isPng) {
        const { width: w, height: h } = pngSize(picture)
        el.setAttribute('data-ratio', String(h / w))
      }
    }
  }
  return copy
}

// The first banner's picture, downloaded from the API's /media, for the home page's carousel.
async function bannerPicture() {
  const home = await mp.api('GET', '/api/v1/home')
  if (!home.banners.length) return null
  const res = await fetch(home.banners[0].image_url)
  const file = path.join(require('os').tmpdir(), `render-banner-${process.pid}.jpg`)
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  return file
}

function writeHtml(name, page, images) {
  const dir = process.env.RENDER_HTML_DIR
  if (!dir) return
  fs.mkdirSync(dir, { recursive: true })
  const styles = Array.from(document.querySelectorAll('style')).map((s) => s.textContent).join('\n')
  // widthFix images: the height follows the width (set by the page's CSS) and the picture's ratio
  const script = `<script>document.querySelectorAll('[data-ratio]').forEach((el) => { el.style.height = Math.round(el.getBoundingClientRect().width * Number(el.dataset.ratio)) + 'px' })</script>`
  const html = `<!doctype html><meta charset="utf-8"><style>${BUILTINS}\n${appStyles()}\n${styles}</style>${withImages(page.dom, images).outerHTML}${script}`
  fs.writeFileSync(path.join(dir, `${name}.html`), html)
}

function markup(el, depth = 0) {
  const pad = '  '.repeat(depth)
  const lines = []
  for (const node of el.childNodes) {
    if (node.nodeType === 3) {
      const t = node.textContent.trim()
      if (t) lines.push(pad + t)
      continue
    }
    if (node.nodeType !== 1) continue
    const cls = (node.getAttribute('class') || '').split(/\s+/).filter(Boolean)
      .map((c) => c.replace(PREFIX, '')).join(' ')
    const tag = node.tagName.toLowerCase().replace(/^wx-/, '')
    const data = Array.from(node.attributes).filter((a) => a.name.startsWith('data-')).map((a) => ` ${a.name}="${a.value}"`).join('')
    const inner = markup(node, depth + 1)
    const open = `${pad}<${tag}${cls ? ` class="${cls}"` : ''}${data}>`
    if (inner.length === 1 && !inner[0].trim().startsWith('<')) lines.push(`${open}${inner[0].trim()}</${tag}>`)
    else if (!inner.length) lines.push(`${open}</${tag}>`)
    else lines.push(open, ...inner, `${pad}</${tag}>`)
  }
  return lines
}

async function show(route, query = {}, { name, after, images } = {}) {
  const page = mp.loadPage(route)
  await page.instance.onLoad(query)
  await fakeWx.idle()
  if (after) {
    await after(page)
    await fakeWx.idle()
  }
  if (page.instance.stopCountdown) page.instance.stopCountdown()
  const file = name || route.replace(/\//g, '_')
  writeHtml(file, page, images && images(page))
  console.log(`===== ${file} ${JSON.stringify(query)} =====\n${markup(page.dom).join('\n')}`)
  return page
}

function as(name) {
  getApp().session.reset()
  getApp().session.setSandboxLoginName(name)
  return getApp().ready().then(() => wx.getStorageSync('token'))
}

test('render the pages', async () => {
  let token = await as('demo_a')
  const banner = await bannerPicture()
  await show('pages/index/index', {}, { images: () => ({ banner__image: banner }) })
  await show('pages/index/index', {}, {
    name: 'pages_index_index_history',
    images: () => ({ banner__image: banner }),
    after: async (p) => {
      for (const word of ['保温杯', '普洱', '蓝牙耳机']) {
        p.instance.onSearchInput({ detail: { value: word } })
        await p.instance.onSearch()
      }
      await p.instance.onSortTap({ currentTarget: { dataset: { key: 'price' } } })
      p.instance.onSearchInput({ detail: { value: '' } })
      p.instance.onSearchFocus()
    },
  })
  await show('pages/privacy/index')
  const tee = await mp.productTitled('纯棉圆领短袖T恤')
  await show('pages/product/detail', { id: String(tee.id) })
  await show('pages/me/me', {}, { name: 'pages_me_me_distributor' })
  // 会员中心, 签到 and 分享有礼 of demo_a (a granted and a pending reward), the product's share sheet and poster
  await show('pages/member/center')
  await show('pages/member/checkin')
  await show('pages/member/invite')
  await show('pages/member/invite', { tab: 'rewards' }, { name: 'pages_member_invite_rewards' })
  await show('pages/member/profile')
  await show('pages/product/detail', { id: String(tee.id) }, { name: 'pages_product_detail_share', after: (p) => p.instance.onOpenShare() })
  await show('pages/member/poster', { id: String(tee.id) }, { images: (p) => ({ poster__img: p.data.posterPath }) })

  // A shopper with a cart, an address, and orders in several states
  token = await as(mp.uniqueName('shot'))
  await mp.api('POST', '/api/v1/addresses', { token, body: mp.addressBody({ name: '张小凡', phone: '13812345678', detail: '张江高科技园区 博云路 2 号 3 栋 1201 室' }) })
  const [mug, nuts, cable] = [await mp.skuOf('陶瓷马克杯 350ml'), await mp.skuOf('每日坚果 混合装 30袋'), await mp.skuOf('编织数据线 1.5m 两条装')]
  for (const [sku, quantity] of [[tee.skus[4], 2], [mug, 1], [cable, 3]]) {
    await mp.api('POST', '/api/v1/cart/items', { token, body: { sku_id: sku.id, quantity } })
  }
  const cart = await mp.api('GET', '/api/v1/cart', { token })
  await mp.api('PUT', `/api/v1/cart/items/${cart.items.find((l) => l.sku_id === cable.id).id}`, { token, body: { selected: false } })
  await show('pages/cart/cart')
  await show('pages/order/checkout', { from_cart: '1' })
  await show('pages/order/checkout', { sku_id: String(cable.id), quantity: '1' }, { name: 'pages_order_checkout_buy_now' })

  await mp.placeOrder(token, [{ sku_id: mug.id, quantity: 1 }])
  const shipped = await mp.paidOrder(token, [{ sku_id: tee.skus[4].id, quantity: 2 }, { sku_id: nuts.id, quantity: 1 }])
  await mp.shipOrder(shipped.id, 'SF1400223344')
  await mp.admin('POST', `/api/v1/admin/orders/${shipped.id}/tracking-events`, { text: '【上海市】快件已到达 上海浦东集散中心' })
  await mp.admin('POST', `/api/v1/admin/orders/${shipped.id}/tracking-events`, { text: '【上海市】快递员 李师傅 正在派件（13900000000）' })
  await mp.api('POST', `/api/v1/orders/${shipped.id}/refunds`, {
    token, body: { lines: [{ order_line_id: shipped.lines[0].id, quantity: 1 }], reason: '商品质量问题：领口开线' },
  })
  const pending = await mp.placeOrder(token, [{ sku_id: nuts.id, quantity: 2 }], { remark: '请周末送货' })

  await show('pages/order/list')
  await show('pages/order/detail', { id: String(shipped.id) })
  await show('pages/order/detail', { id: String(pending.id) }, { name: 'pages_order_detail_pending' })
  await show('pages/order/detail', { id: String(shipped.id) }, { name: 'pages_order_detail_refund_sheet', after: (p) => p.instance.onOpenRefund() })
  // A return (退货退款) the shop approved: its address, and the form for the return parcel
  const returned = await mp.paidOrder(token, [{ sku_id: mug.id, quantity: 2 }])
  await mp.shipOrder(returned.id, 'SF1400223355')
  await mp.admin('PUT', '/api/v1/admin/settings', { return_address: '退货仓 王五 13700137000 浙江省杭州市余杭区文一西路 100 号' })
  const goingBack = await mp.api('POST', `/api/v1/orders/${returned.id}/refunds`, {
    token, body: { lines: [{ order_line_id: returned.lines[0].id, quantity: 1 }], reason: '商品质量问题：杯口有裂纹', kind: 'return_and_refund' },
  })
  await mp.admin('POST', `/api/v1/admin/refunds/${goingBack.id}/approve`)
  await show('pages/order/detail', { id: String(returned.id) }, { name: 'pages_order_detail_return' })
  await show('pages/order/detail', { id: String(shipped.id) }, {
    name: 'pages_order_detail_return_sheet',
    after: (p) => {
      p.instance.onOpenRefund()
      p.instance.onKind({ currentTarget: { dataset: { key: 'return_and_refund' } } })
    },
  })
  await show('pages/order/logistics', { id: String(shipped.id) })
  await show('pages/order/result', { id: String(shipped.id) })
  await show('pages/address/list', { select: '1' })
  await show('pages/address/edit', {}, { name: 'pages_address_edit_new' })
  await show('pages/me/me')
  await show('pages/distribution/index', {}, { name: 'pages_distribution_index_none' })

  // The distributor
  token = await as('demo_a')
  await show('pages/distribution/index')
  await show('pages/distribution/poster', {}, {
    images: (p) => ({ poster__img: p.data.posterPath, share__qr: p.data.qrcodePath }),
  })
  await show('pages/distribution/team')
  await show('pages/distribution/team', { level: '2' }, { name: 'pages_distribution_team_level2' })
  await show('pages/distribution/orders')
  await show('pages/distribution/commissions')
  await show('pages/distribution/withdraw', {}, {
    after: async (p) => {
      p.instance.onAmountInput({ detail: { value: '0.5' } })
      await p.instance.onSubmit()
    },
  })
  await mp.api('POST', '/api/v1/distribution/withdrawals', { token, body: { amount_fen: 1000, method: 'wechat' } })
  const w = await mp.api('POST', '/api/v1/distribution/withdrawals', {
    token, body: { amount_fen: 500, method: 'bank', bank: { bank_name: '招商银行上海分行', account_name: '林晓', account_no: '6225880123456789' } },
  })
  await mp.admin('POST', `/api/v1/admin/withdrawals/${w.id}/reject`, { reason: '户名与实名不一致' })
  await show('pages/distribution/withdrawals')

  // Marketing: a product under a limited-time price, the 领券中心, 我的优惠券 and the checkout's coupon picker, as a
  // shopper who has claimed some coupons and has an unpaid order holding one
  token = await as(mp.uniqueName('coupons'))
  const buds = await mp.productTitled('降噪蓝牙耳机')
  await show('pages/product/detail', { id: String(buds.id) }, { name: 'pages_product_detail_promo' })
  const oranges = await mp.productTitled('赣南脐橙 新鲜当季')
  await show('pages/product/detail', { id: String(oranges.id) }, {
    name: 'pages_product_detail_coupon_sheet', after: (p) => p.instance.onOpenCoupons(),
  })
  const centre = (await mp.api('GET', '/api/v1/coupons/claimable', { token })).items
  const templateNamed = (name) => centre.find((c) => c.name === name).id
  const held = []
  for (const name of ['满199减20', '满100享9折', '生鲜满50减8']) {
    held.push(await mp.api('POST', `/api/v1/coupons/${templateNamed(name)}/claim`, { token, body: {} }))
  }
  await show('pages/marketing/coupons')
  await show('pages/index/index', {}, {
    name: 'pages_index_index_promo',
    after: async (p) => {
      p.instance.onSearchInput({ detail: { value: '杯' } })
      await p.instance.onSearch()
    },
  })
  const bag = await mp.skuOf('真皮通勤双肩包', 2)
  await mp.placeOrder(token, [{ sku_id: bag.id, quantity: 1 }], { coupon_id: held[1].id })
  await show('pages/marketing/mine')
  await show('pages/order/checkout', { sku_id: String(bag.id), quantity: '1' }, {
    name: 'pages_order_checkout_coupon_picker', after: (p) => p.instance.onOpenCoupons(),
  })
  await show('pages/order/checkout', { sku_id: String(bag.id), quantity: '1' }, {
    name: 'pages_order_checkout_coupon_chosen',
    after: (p) => p.instance.onPickCoupon({ currentTarget: { dataset: { id: held[0].id } } }),
  })

  // Last, as it leaves WeChat's authorization pending: a shopper who has not agreed taps 绑定 (the phone number).
  await as(mp.uniqueName('privacy'))
  fakeWx.privacy.needAuthorization = true
  await show('pages/me/me', {}, { name: 'pages_me_me_privacy_popup', after: () => { fakeWx.privacyGate('getPhoneNumber') } })
})
