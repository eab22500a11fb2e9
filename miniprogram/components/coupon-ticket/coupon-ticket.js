// A coupon drawn as a ticket: what it gives on the left (¥20 / 8.5折, and its threshold), its name, scope and
// validity, and one button on the right. The ticket is a view from utils/coupons.js (claimableTicket, heldTicket);
// the button's tap is the page's (`bindaction`, detail { id }).
Component({
  options: { addGlobalClass: true },
  properties: {
    // { id, amount, unit: '¥' | '折', condition, cap, name, scope, validity, description, badge, progress,
    //   progressText, muted, stamp, button: { text, state: primary | ghost | off } | null }
    ticket: { type: Object, value: {} },
  },
  methods: {
    onButton() {
      this.triggerEvent('action', { id: this.data.ticket.id })
    },
  },
})
