// Jest globalTeardown: stop the backend; its logs are kept in tests/_artifacts (git-ignored) for a failed CI run.
const path = require('path')
const { ROOT, stopBackend } = require('./backend')

module.exports = async function globalTeardown() {
  const backend = globalThis.__MALL_BACKEND__
  if (backend) await stopBackend(backend, { keepLogsIn: path.join(ROOT, 'tests', '_artifacts') })
}
