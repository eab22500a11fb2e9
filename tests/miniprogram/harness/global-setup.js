// Jest globalSetup: one real backend for the whole run. Tests find it through the file named in
// MALL_MINIPROGRAM_HARNESS (workers inherit the environment).
const fs = require('fs')
const path = require('path')
const { startBackend } = require('./backend')

module.exports = async function globalSetup() {
  const backend = await startBackend()
  globalThis.__MALL_BACKEND__ = backend
  // If jest dies without its teardown, do not leave servers behind.
  process.on('exit', () => backend.services.forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL')))

  const stateFile = path.join(backend.varDir, 'harness.json')
  const { apiBase, sandboxBase, databaseUrl, staff } = backend
  fs.writeFileSync(stateFile, JSON.stringify({ apiBase, sandboxBase, databaseUrl, staff }))
  process.env.MALL_MINIPROGRAM_HARNESS = stateFile
}
