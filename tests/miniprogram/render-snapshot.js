// Prints the rendered pages (home, a product detail, me) as indented markup, to look at what the shopper gets.
// Run: npx jest --runInBand --testMatch '**/tests/miniprogram/render-snapshot.js'
// With RENDER_HTML_DIR=/some/dir it also writes each page as a static HTML file (750px = 750rpx wide, images as
// grey boxes) for a browser screenshot, e.g. chromium --headless --screenshot --window-size=750,1600 page.html
const fs = require('fs')
const path = require('path')
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

// Rough stand-ins for WeChat's built-in components, and app.wxss made to match the simulator's prefixed classes.
const BUILTINS = `
  body { margin: 0; width: 750px; }
  wx-view, wx-scroll-view, wx-swiper, wx-input { display: block; }
  wx-text { display: inline; }
  wx-image { display: inline-block; width: 320px; height: 240px; background: #e8e4df; }
  wx-swiper { height: 750px; overflow: hidden; }
  wx-swiper-item { display: block; width: 100%; height: 100%; }
  wx-swiper-item + wx-swiper-item { display: none; }
  wx-scroll-view { overflow: hidden; }
  wx-input { line-height: 68px; color: #999; }
  wx-input:empty::before { content: '搜索商品'; }
`

function appStyles() {
  const css = fs.readFileSync(mp.path('app.wxss'), 'utf8').replace(/(\d+(?:\.\d+)?)rpx/g, '$1px').replace(/\bpage\b/g, 'body')
  return css.replace(/\.([a-z][\w-]*)/g, (_, cls) => `:is(${['main', 'product-card', 'price', 'list-footer'].map((p) => `.${p}--${cls}`).join(', ')})`)
}

function writeHtml(route, page) {
  const dir = process.env.RENDER_HTML_DIR
  if (!dir) return
  fs.mkdirSync(dir, { recursive: true })
  const styles = Array.from(document.querySelectorAll('style')).map((s) => s.textContent).join('\n')
  const html = `<!doctype html><meta charset="utf-8"><style>${BUILTINS}\n${appStyles()}\n${styles}</style>${page.dom.outerHTML}`
  fs.writeFileSync(path.join(dir, `${route.replace(/\//g, '_')}.html`), html)
}

// The simulator prefixes classes with the tag name of the component that owns them (main-- for the page).
const PREFIX = /^(main|product-card|price|list-footer)--/

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

async function show(route, query, before) {
  if (before) before()
  const page = mp.loadPage(route)
  await page.instance.onLoad(query)
  await fakeWx.idle()
  writeHtml(route, page)
  console.log(`===== ${route} ${JSON.stringify(query)} =====\n${markup(page.dom).join('\n')}\n\ndata: ${JSON.stringify(page.data, null, 1).slice(0, 1500)}`)
}

test('render the pages', async () => {
  getApp().session.setSandboxLoginName('demo_a')
  await show('pages/index/index', {})
  const tee = (await mp.allProducts()).find((p) => p.title.includes('T恤'))
  await show('pages/product/detail', { id: String(tee.id) })
  await show('pages/me/me', {})
})
