// Where the mini-program talks to, and as whom in the sandbox: the one place to change for a demo.
module.exports = {
  // API base URL without a trailing slash. On a phone, use the computer's LAN address instead of 127.0.0.1.
  apiBase: 'http://127.0.0.1:8000',

  // Sandbox: the backend runs against the fake WeChat server, which accepts login codes `sandbox-<name>`.
  sandbox: true,

  // The fake WeChat server itself (python -m backend sandbox). When POST /orders/{id}/pay answers
  // `sandbox: true`, the mini-program "pays" by asking it to send the signed payment notification
  // (POST {sandboxUrl}/pay/confirm {prepay_id}) instead of calling wx.requestPayment.
  sandboxUrl: 'http://127.0.0.1:8100',

  // Sandbox login name, e.g. 'demo_c' to act as a seeded shopper. Empty: one random name per device,
  // kept in storage, so that each device is one user.
  sandboxLoginName: '',
}
