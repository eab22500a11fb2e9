// 分享有礼 (我的邀请奖励): the complete rules first (GET /share-rewards/rules, written from the settings the shop
// applies, then the merchant's own words), my totals, and two lists: the friends bound to me and my rewards.
// WeChat's 运营规范 5.1: a reward only ever follows a friend's own paid first order, so this is the one page that
// speaks of rewards, and it shows the rules before its share button; the button itself promises nothing.
const api = require('../../utils/api')
const { paths } = api
const format = require('../../utils/format')
const status = require('../../utils/status')
const share = require('../../utils/share')
const pagedList = require('../../behaviors/paged-list')

const TABS = [
  { key: 'invitees', title: '邀请记录' },
  { key: 'rewards', title: '奖励记录' },
]

function inviteeRow(friend) {
  let state = '未下单'
  if (friend.reward_status) state = status.label(status.INVITEE_STATUS, friend.reward_status)
  else if (friend.first_order_paid) state = '已下单'
  return Object.assign({}, friend, {
    key: `${friend.nickname}:${friend.bound_at}`,
    initial: (friend.nickname || '友').slice(0, 1),
    bound: friend.bound_at ? `${format.date(friend.bound_at)} 绑定` : '',
    state,
    rewarded: friend.reward_status === 'granted',
  })
}

function rewardRow(reward) {
  return Object.assign({}, reward, {
    key: reward.id,
    what: reward.kind === 'coupon' ? `优惠券「${reward.coupon_name || ''}」` : `${reward.points} 成长值`,
    state: status.label(status.SHARE_REWARD_STATUS, reward.status),
    when: reward.granted_at ? `${format.date(reward.granted_at)} 发放` : `${reward.reward_day} 下单`,
  })
}

Component({
  behaviors: [pagedList],

  data: {
    loading: true,
    rules: null,
    headline: '',
    summary: null,
    tabs: TABS,
    tab: 'invitees',
  },

  methods: {
    onLoad(query) {
      this.setData({ tab: query && query.tab === 'rewards' ? 'rewards' : 'invitees' })
      // The rules need no login: they show even when it fails.
      const mine = getApp().ready().then(() => Promise.all([this.loadSummary(), this.loadPage(1)]),
        () => this.setData({ status: 'error' }))
      return Promise.all([this.loadRules(), mine])
    },

    reload() {
      return Promise.all([this.loadRules(), this.loadSummary(), this.loadPage(1)])
    },

    loadRules() {
      return api.get(paths.shareRewardRules, null, { auth: false, toast: false }).then((rules) => {
        this.setData({
          loading: false,
          rules,
          headline: rules.enabled ? `好友首单完成后可得 ${rules.reward}` : '本店暂未开展分享有礼活动',
        })
      }, () => this.setData({ loading: false }))
    },

    loadSummary() {
      return api.get(paths.myShareRewardSummary, null, { toast: false })
        .then((summary) => this.setData({ summary }), () => {})
    },

    fetch(page, pageSize) {
      const path = this.data.tab === 'rewards' ? paths.myShareRewards : paths.myInvitees
      return api.get(path, { page, page_size: pageSize }, { toast: false })
    },

    mapItem(item) {
      return this.data.tab === 'rewards' ? rewardRow(item) : inviteeRow(item)
    },

    onTab(e) {
      const tab = e.currentTarget.dataset.tab
      if (tab === this.data.tab) return Promise.resolve()
      this.setData({ tab, items: [] })
      return this.loadPage(1)
    },

    // The share button under the rules: the shop's card, recorded like every share; it earns nothing by itself.
    onShareAppMessage() {
      const rules = this.data.rules
      return share.friendCard({ target: 'shop', title: rules ? rules.share_text || rules.shop_name : '' })
    },
  },
})
