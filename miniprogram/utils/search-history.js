// The home page's search history, kept on the device only: newest first, each keyword once, at most ten.
const KEY = 'search_history'
const LIMIT = 10

function list() {
  const stored = wx.getStorageSync(KEY)
  return Array.isArray(stored) ? stored : []
}

// Puts `keyword` first (moving it up if it was there already) and returns the new list.
function add(keyword) {
  const word = String(keyword || '').trim()
  if (!word) return list()
  const next = [word].concat(list().filter((w) => w !== word)).slice(0, LIMIT)
  wx.setStorageSync(KEY, next)
  return next
}

function clear() {
  wx.removeStorageSync(KEY)
  return []
}

module.exports = { list, add, clear, LIMIT }
