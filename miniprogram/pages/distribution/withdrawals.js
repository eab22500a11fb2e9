// 提现记录: each withdrawal with its status (待审核/已同意/待确认收款/已到账/已驳回/失败), method and the reason when
// refused. A WeChat payout approved by finance becomes a 商家转账 bill that waits for the distributor: 确认收款
// (offered when the API lists the action `confirm_receipt`) fetches the bill's package and hands it to
// wx.requestMerchantTransfer, where WeChat shows the transfer and the distributor confirms; WeChat then tells the
// backend, and the withdrawal becomes 已到账. In the sandbox the fake WeChat confirms instead. A WeChat too old to
// have wx.requestMerchantTransfer gets a clear message and nothing is sent.
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const status = require('../../utils/status')
const pagedList = require('../../behaviors/paged-list')

const POLL_TRIES = 6
const POLL_DELAY_MS = 400
const TOO_OLD = '当前微信版本过低，无法确认收款。请将微信升级到最新版本后，再回到提现记录点“确认收款”。'

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms))
}

function ask(title, content, confirmText) {
  return new Promise((resolve) => {
    wx.showModal({
      title, content, confirmText, cancelText: '取消',
      success: (res) => resolve(!!res.confirm),
      fail: () => resolve(false),
    })
  })
}

function tell(title, content) {
  wx.showModal({ title, content, showCancel: false, confirmText: '知道了' })
}

// → 'confirmed' | 'cancelled' | 'failed'
function requestMerchantTransfer(transfer) {
  return new Promise((resolve) => {
    wx.requestMerchantTransfer({
      mchId: transfer.mch_id,
      appId: transfer.app_id,
      package: transfer.package,
      success: () => resolve('confirmed'),
      fail: (err) => resolve(/cancel/i.test((err && err.errMsg) || '') ? 'cancelled' : 'failed'),
    })
  })
}

function sandboxConfirm(transfer) {
  return new Promise((resolve) => {
    wx.request({
      url: api.sandboxTransferConfirmUrl(),
      method: 'POST',
      data: { package: transfer.package },
      header: { 'content-type': 'application/json' },
      success: (res) => resolve(res.statusCode === 200 ? 'confirmed' : 'failed'),
      fail: () => resolve('failed'),
    })
  })
}

Component({
  behaviors: [pagedList],

  data: {
    confirming: 0, // the withdrawal whose 确认收款 is under way
  },

  methods: {
    onLoad() {
      return getApp().ready().then(() => this.loadPage(1), () => this.setData({ status: 'error' }))
    },

    onShow() {
      if (this.data.page) return this.loadPage(1)
      return Promise.resolve()
    },

    fetch(page, pageSize) {
      return api.get(paths.distributionWithdrawals, { page, page_size: pageSize }, { toast: false })
    },

    mapItem(w) {
      return Object.assign({}, w, {
        statusText: status.label(status.WITHDRAWAL_STATUS, w.status),
        methodText: w.method === 'bank' ? `银行卡 ${w.bank_name} ${w.account_no_masked}`.trim() : '微信零钱',
        amount: format.price(w.amount_fen),
        payout: format.price(w.payout_fen),
        fee: w.fee_fen ? format.price(w.fee_fen) : '',
        created: format.dateTime(w.created_at),
        reason: w.status === 'rejected' ? w.reject_reason : (w.status === 'failed' ? w.failure : ''),
        canConfirm: (w.actions || []).indexOf('confirm_receipt') >= 0,
      })
    },

    // 确认收款 → { status: 'confirmed' | 'pending' | 'cancelled' | 'failed' | 'unsupported', withdrawal?, message? }
    async onConfirmReceipt(e) {
      const id = Number(e.currentTarget.dataset.id)
      if (this.data.confirming) return { status: 'busy' }
      this.setData({ confirming: id })
      try {
        return await this.confirmReceipt(id)
      } finally {
        this.setData({ confirming: 0 })
      }
    },

    async confirmReceipt(id) {
      let transfer
      try {
        transfer = await api.get(paths.distributionWithdrawalTransfer(id), null, { toast: false })
      } catch (err) {
        wx.showToast({ title: err.message, icon: 'none', duration: 2500 })
        await this.loadPage(1) // it may have been settled meanwhile
        return { status: 'failed', message: err.message }
      }
      let outcome
      if (transfer.sandbox) {
        const row = this.data.items.find((w) => w.id === id)
        const ok = await ask('沙箱确认收款', `模拟在微信中确认收款 ${row ? row.payout : ''}，确认吗？`, '确认收款')
        outcome = ok ? await sandboxConfirm(transfer) : 'cancelled'
      } else if (typeof wx.requestMerchantTransfer !== 'function') {
        tell('无法确认收款', TOO_OLD)
        return { status: 'unsupported', message: TOO_OLD }
      } else {
        outcome = await requestMerchantTransfer(transfer)
      }
      if (outcome !== 'confirmed') {
        const message = outcome === 'cancelled' ? '已取消，可稍后在提现记录中确认收款' : '确认收款未完成，请稍后重试'
        wx.showToast({ title: message, icon: 'none', duration: 2500 })
        return { status: outcome, message }
      }
      wx.showLoading({ title: '确认到账结果', mask: true })
      const withdrawal = await this.waitSettled(id)
      wx.hideLoading()
      if (withdrawal && withdrawal.status === 'paid') {
        wx.showToast({ title: '已到账微信零钱', icon: 'success' })
        return { status: 'confirmed', withdrawal }
      }
      return { status: 'pending', withdrawal, message: '到账确认中，请稍后刷新' }
    },

    // WeChat tells the backend a moment after the distributor confirms: reload until the row has moved on.
    async waitSettled(id) {
      let row = null
      for (let i = 0; i < POLL_TRIES; i++) {
        await this.loadPage(1)
        row = this.data.items.find((w) => w.id === id) || row
        if (row && row.status !== 'awaiting_confirmation') return row
        await sleep(POLL_DELAY_MS)
      }
      return row
    },
  },
})
