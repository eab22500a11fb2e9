// The real backend as processes: a fresh database (SQLite in a temp dir, or MALL_DATABASE_URL's PostgreSQL with
// its schema reset), migrated and seeded with the demo shop, then the WeChat sandbox and the API.
const { spawn, spawnSync } = require('child_process')
const fs = require('fs')
const net = require('net')
const os = require('os')
const path = require('path')

const ROOT = path.resolve(__dirname, '..', '..', '..')
const PYTHON = process.env.MALL_PYTHON || path.join(ROOT, '.venv', 'bin', 'python')

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function tail(text, lines = 40) {
  return String(text || '').trim().split('\n').slice(-lines).join('\n')
}

function python(args, env, what, input) {
  const res = spawnSync(PYTHON, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 180000, input })
  if (res.status !== 0) {
    const detail = res.error ? res.error.message : `${tail(res.stdout)}\n${tail(res.stderr)}`
    throw new Error(`${what} failed (exit ${res.status}):\n${detail}`)
  }
  return res.stdout
}

const RESET_SCHEMA = `
import os
import sqlalchemy as sa
engine = sa.create_engine(os.environ["MALL_DATABASE_URL"])
with engine.begin() as conn:
    conn.execute(sa.text("SET lock_timeout = '30s'"))
    conn.execute(sa.text("DROP SCHEMA public CASCADE"))
    conn.execute(sa.text("CREATE SCHEMA public"))
engine.dispose()
`

// Migrate and seed; on PostgreSQL first drop everything. Another test run may share that database
// (pytest during development), so a failed round is retried.
function prepareDatabase(env) {
  const postgres = env.MALL_DATABASE_URL.startsWith('postgresql')
  const attempts = postgres ? 3 : 1
  for (let attempt = 1; ; attempt++) {
    try {
      if (postgres) python(['-c', RESET_SCHEMA], env, 'resetting the PostgreSQL schema')
      python(['-m', 'backend', 'migrate'], env, 'python -m backend migrate')
      python(['-m', 'backend', 'seed', '--demo'], env, 'python -m backend seed --demo')
      return
    } catch (err) {
      if (attempt >= attempts) throw err
    }
  }
}

// The tests' own staff account, made the way an operator makes one (the password on stdin).
const TEST_STAFF = { username: 'mp_test_owner', password: 'mp-test-owner-pass-2026', role: 'owner' }

function createStaff(env, { username, password, role }) {
  python(['-m', 'backend', 'create-staff', username, '--role', role, '--display-name', '小程序测试'], env,
    `python -m backend create-staff ${username}`, `${password}\n`)
}

async function waitHealthy(url, child, logFile, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs
  let last = null
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url} exited with ${child.exitCode}:\n${tail(fs.readFileSync(logFile, 'utf8'))}`)
    }
    try {
      const res = await fetch(url)
      if (res.status < 500) return
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not come up: ${last}\n${tail(fs.readFileSync(logFile, 'utf8'))}`)
}

function spawnService(name, args, env, varDir) {
  const logFile = path.join(varDir, `${name}.log`)
  const log = fs.openSync(logFile, 'w')
  const child = spawn(PYTHON, ['-m', 'backend', ...args], { cwd: ROOT, env, stdio: ['ignore', log, log] })
  fs.closeSync(log)
  return { name, child, logFile }
}

async function stopService(service) {
  const { child } = service
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
  await exited
  clearTimeout(timer)
}

/** Starts everything; returns { apiBase, sandboxBase, databaseUrl, varDir, services, staff }. */
async function startBackend() {
  const varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mall-miniprogram-'))
  const [sandboxPort, apiPort] = [await freePort(), await freePort()]
  const apiBase = `http://127.0.0.1:${apiPort}`
  const sandboxBase = `http://127.0.0.1:${sandboxPort}`
  const databaseUrl = process.env.MALL_DATABASE_URL || `sqlite:///${path.join(varDir, 'mall.db')}`
  const env = Object.assign({}, process.env, {
    PYTHONUNBUFFERED: '1',
    MALL_VAR_DIR: varDir,
    MALL_DATABASE_URL: databaseUrl,
    MALL_WECHAT_MODE: 'sandbox',
    MALL_WECHAT_SANDBOX_URL: `${sandboxBase}/`,
    MALL_PUBLIC_URL: apiBase,
    MALL_RATE_LIMIT_LOGIN_PER_MINUTE: '0',
    MALL_RATE_LIMIT_BIND_PER_MINUTE: '0',
  })
  prepareDatabase(env)
  createStaff(env, TEST_STAFF)

  const services = []
  try {
    services.push(spawnService('sandbox', ['sandbox', '--port', String(sandboxPort)], env, varDir))
    services.push(spawnService('api', ['serve', '--port', String(apiPort)], env, varDir))
    await waitHealthy(`${sandboxBase}/healthz`, services[0].child, services[0].logFile)
    await waitHealthy(`${apiBase}/healthz`, services[1].child, services[1].logFile)
  } catch (err) {
    await Promise.all(services.map(stopService))
    throw err
  }
  return { apiBase, sandboxBase, databaseUrl, varDir, services, staff: TEST_STAFF }
}

async function stopBackend(backend, { keepLogsIn } = {}) {
  await Promise.all(backend.services.map(stopService))
  if (keepLogsIn) {
    fs.mkdirSync(keepLogsIn, { recursive: true })
    for (const s of backend.services) fs.copyFileSync(s.logFile, path.join(keepLogsIn, `miniprogram-${s.name}.log`))
  }
  fs.rmSync(backend.varDir, { recursive: true, force: true })
}

module.exports = { ROOT, startBackend, stopBackend }
