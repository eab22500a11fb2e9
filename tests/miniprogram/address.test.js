// 收货地址 against the running backend: the list, a new address (POST), editing (PUT, wx.request has no PATCH),
// the region picker and the default switch, and deleting.
const mp = require('./harness/mp')
const fakeWx = require('./harness/wx')

async function shopperToken() {
  await getApp().ready()
  return wx.getStorageSync('token')
}

async function open(route, query = {}) {
  const page = mp.loadPage(route)
  await page.instance.onLoad(query)
  await fakeWx.idle()
  return page
}

function fill(page, field, value) {
  page.instance.onInput({ currentTarget: { dataset: { field } }, detail: { value } })
}

test('a new address: the form checks the phone, then POSTs it', async () => {
  const token = await shopperToken()
  const list = await open('pages/address/list')
  expect(mp.text(list, '.state')).toContain('还没有收货地址')
  await mp.tap(list.querySelector('.bottom__btn'))
  expect(fakeWx.navigations.pop()).toEqual({ type: 'navigateTo', url: '/pages/address/edit' })

  const edit = await open('pages/address/edit')
  expect(fakeWx.titles).toEqual(['新增收货地址'])
  fill(edit, 'name', '赵六')
  fill(edit, 'phone', '1380013800')
  fill(edit, 'detail', '中山北路 3663 号')
  expect(await edit.instance.onSave()).toBeNull()
  expect(fakeWx.toasts.pop().title).toBe('请填写正确的 11 位手机号')
  fill(edit, 'phone', '13800138001')
  expect(await edit.instance.onSave()).toBeNull()
  expect(fakeWx.toasts.pop().title).toBe('请选择所在地区')
  edit.instance.onRegionChange({ detail: { value: ['上海市', '上海市', '普陀区'] } })
  expect(mp.text(edit, '.field__region')).toBe('上海市 上海市 普陀区')
  edit.instance.onDefaultChange({ detail: { value: true } })

  const saved = await edit.instance.onSave()
  expect(fakeWx.navigations.pop()).toEqual({ type: 'navigateBack', delta: 1 })
  expect(await mp.api('GET', '/api/v1/addresses', { token })).toEqual([saved])
  expect(saved).toMatchObject({ name: '赵六', phone: '13800138001', province: '上海市', city: '上海市', district: '普陀区', detail: '中山北路 3663 号', is_default: true })

  await list.instance.onShow() // back on the list
  expect(mp.texts(list, '.addr__name')).toEqual(['赵六'])
  expect(mp.text(list, '.addr__text')).toBe('上海市上海市普陀区中山北路 3663 号')
  expect(mp.text(list, '.tag')).toBe('默认')
})

test('editing an address PUTs the change; deleting asks first', async () => {
  const token = await shopperToken()
  const address = await mp.api('POST', '/api/v1/addresses', { token, body: mp.addressBody() })
  const list = await open('pages/address/list')
  await mp.tap(list.querySelector('.addr__edit'))
  expect(fakeWx.navigations.pop()).toEqual({ type: 'navigateTo', url: `/pages/address/edit?id=${address.id}` })

  const edit = await open('pages/address/edit', { id: String(address.id) })
  expect(edit.data).toMatchObject({ name: address.name, phone: address.phone, region: ['上海市', '上海市', '浦东新区'], detail: address.detail })
  fill(edit, 'detail', '张江路 88 号')
  await edit.instance.onSave()
  expect(fakeWx.requests.filter((r) => r.url.endsWith(`/addresses/${address.id}`)).map((r) => r.method)).toEqual(['GET', 'PUT'])
  expect((await mp.api('GET', `/api/v1/addresses/${address.id}`, { token })).detail).toBe('张江路 88 号')

  fakeWx.modalAnswers.push({ confirm: false })
  expect(await edit.instance.onDelete()).toBe(false)
  expect(await edit.instance.onDelete()).toBe(true)
  expect(await mp.api('GET', '/api/v1/addresses', { token })).toEqual([])
})
