// The mini-program's shape: every route exists and is registered, the tab pages are in the main package and
// the distribution and order pages in subpackages, and the main package stays small.
const fs = require('fs')
const path = require('path')
const mp = require('./harness/mp')
const nav = require(mp.path('utils/nav'))

const app = JSON.parse(fs.readFileSync(mp.path('app.json'), 'utf8'))
const subpackagePages = (app.subpackages || []).flatMap((p) => p.pages.map((page) => `${p.root}/${page}`))
const registered = app.pages.concat(subpackagePages)

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(full) : [full]
  })
}

test('every route of utils/nav.js is a registered page with its four files', () => {
  for (const [name, route] of Object.entries(nav.ROUTES)) {
    expect({ name, registered: registered.includes(route.slice(1)) }).toEqual({ name, registered: true })
    for (const ext of ['js', 'json', 'wxml', 'wxss']) expect(fs.existsSync(mp.path(`${route.slice(1)}.${ext}`))).toBe(true)
  }
  expect(registered.slice().sort()).toEqual(Object.values(nav.ROUTES).map((r) => r.slice(1)).sort())
})

test('the tab pages are in the main package; orders, addresses, the distribution centre, coupons and members are subpackages', () => {
  for (const tab of app.tabBar.list) expect(app.pages).toContain(tab.pagePath)
  expect(app.subpackages.map((p) => p.root)).toEqual(['pages/order', 'pages/address', 'pages/distribution', 'pages/marketing',
    'pages/member'])
  for (const rule of Object.values(app.preloadRule)) {
    for (const name of rule.packages) expect(app.subpackages.map((p) => p.name)).toContain(name)
  }
})

test('the main package stays small (well under WeChat’s 2 MB limit)', () => {
  const roots = app.subpackages.map((p) => mp.path(p.root) + path.sep)
  const main = filesUnder(mp.path('.')).filter((f) => !roots.some((r) => f.startsWith(r)) && !f.endsWith('README.md'))
  const bytes = main.reduce((n, f) => n + fs.statSync(f).size, 0)
  expect(bytes).toBeLessThan(200 * 1024)
})

test('no page or component uses a float on an amount in its template', () => {
  const templates = filesUnder(mp.path('.')).filter((f) => f.endsWith('.wxml'))
  for (const file of templates) {
    const text = fs.readFileSync(file, 'utf8')
    expect({ file, float: /_fen\s*[/*]\s*100/.test(text) }).toEqual({ file, float: false })
  }
})
