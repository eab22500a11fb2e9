// 用户隐私保护指引: what personal data the shop collects, for what, where it is kept, and the shopper's rights.
// The same items are entered in mp.weixin.qq.com (设置 → 服务内容声明 → 用户隐私保护指引), which is what
// wx.openPrivacyContract shows; docs/wechat-review.md lists them with the code that asks for each.
const api = require('../../utils/api')
const { paths } = api

// What is collected, by purpose, and the WeChat API or form that asks for it.
const COLLECTED = [
  { what: '微信昵称、头像和 OpenID', why: '登录并识别你的账号、在团队和订单中显示你', how: '登录时由微信提供' },
  { what: '手机号', why: '绑定账号，并在发货和售后时联系你', how: '「我的」页面手机号旁的「绑定」（微信手机号快速验证）' },
  { what: '收货人姓名、手机号、收货地址', why: '为你配送商品、处理售后', how: '收货地址编辑页' },
  { what: '真实姓名、手机号', why: '审核你的分销员申请，用于提现实名', how: '分销中心的申请表' },
  { what: '开户银行、开户人姓名、银行卡号', why: '把佣金提现到你的银行卡', how: '提现页选择「银行卡」时' },
  { what: '选中的照片', why: '申请售后时向商家说明商品问题', how: '售后申请页上传照片时' },
  { what: '相册（仅写入）权限', why: '把推广海报保存到你的相册', how: '推广海报页「保存到相册」' },
  { what: '剪切板', why: '复制邀请码、订单号和快递单号', how: '点击「复制」时' },
]

const SECTIONS = [
  {
    title: '你的权益',
    lines: [
      '你可以在「我的」和「收货地址」中查看、更正和删除你的信息。',
      '你可以在微信「设置 → 隐私」中撤回授权，或联系客服撤回同意、注销账号；撤回后我们不再收集，已收集的信息按你的要求删除。',
    ],
  },
  {
    title: '信息的存储',
    lines: [
      '信息存储在中国境内的服务器，保存至你注销账号为止（法律法规要求保存更久的，如交易记录，按其要求）。',
      '手机号、姓名、收货地址和银行卡号加密存储；商家员工按岗位只能看到完成工作所需的信息，查看完整银行卡号会留下记录。',
    ],
  },
  {
    title: '信息的使用和对外提供',
    lines: [
      '我们只在上述目的范围内使用你的信息；用于其他目的前，会再次征得你的同意。',
      '收货人姓名、电话和地址会提供给承运的快递公司，仅用于配送；付款由微信支付完成，我们不接触你的支付密码和银行卡信息。',
      '除此以外，我们不会向任何第三方共享、转让或公开你的信息；确需提供时，会事先征得你的单独同意。',
    ],
  },
]

Component({
  data: {
    shopName: '本店',
    servicePhone: '',
    collected: COLLECTED,
    sections: SECTIONS,
    updated: '2026 年 12 月 1 日',
  },

  methods: {
    onLoad() {
      return api.get(paths.home, null, { auth: false, toast: false }).then(
        (home) => this.setData({ shopName: home.shop_name, servicePhone: home.service_phone }),
        () => {}, // the guide reads the same without the shop's name
      )
    },

    onCall() {
      if (this.data.servicePhone) wx.makePhoneCall({ phoneNumber: this.data.servicePhone })
    },
  },
})
