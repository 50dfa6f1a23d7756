// Scores the policies `cargo bench --bench forward` wrote with an independent IAM simulator
// (@cloud-copilot/iam-simulate): the same next-week calls and siblings, evaluated by another implementation
// of IAM's rules. Run by benches/forward/simulate.sh; prints figures, asserts nothing.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const WINDOWS = [
  ['mid-month', '2026-11-23', '2026-11-30'],
  ['rollover', '2026-11-30', '2026-12-07'],
]
const ACCOUNT = '111122223333'
const data = process.argv[2]

const lines = (path) =>
  readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))

// KMS needs its key policy to delegate to IAM; the default key policy does (KMS Developer Guide,
// "Default key policy"), so the keys of the workloads have it.
const defaultKeyPolicy = (account) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
  ],
})

async function allowed(policy, role, action, resource) {
  const account = resource.split(':')[4] || ACCOUNT
  const kmsKey = resource.startsWith('arn:aws:kms:')
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'policygen', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(kmsKey ? { resourcePolicy: defaultKeyPolicy(account) } : {}),
      request: {
        action,
        principal: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        resource: { resource, accountId: account },
        contextVariables: {},
      },
    },
    {},
  )
  if (response.resultType === 'error') return 'error'
  return response.overallResult === 'Allowed'
}

const totals = {}
for (const name of readdirSync(data).sort()) {
  const dir = join(data, name)
  if (!existsSync(join(dir, 'meta.json'))) continue
  const role = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).role
  const calls = lines(join(dir, 'calls.jsonl'))
  const siblings = lines(join(dir, 'siblings.jsonl'))
  for (const [window, from, until] of WINDOWS) {
    const file = join(dir, `${window}.policy.json`)
    if (!existsSync(file)) continue
    const policy = JSON.parse(readFileSync(file, 'utf8'))
    const score = { allowed: 0, total: 0, denied: 0, siblings: 0, errors: 0, missed: new Set() }
    for (const call of calls) {
      const day = call.time.slice(0, 10)
      if (day < from || day >= until) continue
      const ok = await allowed(policy, role, call.action, call.resource)
      if (ok === 'error') score.errors++
      score.total++
      if (ok === true) score.allowed++
      else score.missed.add(`${call.action} ${call.resource}`)
    }
    for (const s of siblings) {
      const ok = await allowed(policy, role, s.action, s.resource)
      if (ok === 'error') score.errors++
      score.siblings++
      if (ok !== true) score.denied++
    }
    const pct = (a, b) => (b ? (100 * a) / b : 100).toFixed(1)
    const missed = [...score.missed].slice(0, 2).join('; ')
    console.log(
      `${name.padEnd(20)} ${window.padEnd(10)} forward ${pct(score.allowed, score.total).padStart(5)}% tightness ${pct(score.denied, score.siblings).padStart(5)}% simulator errors ${score.errors}  ${missed}`,
    )
    const t = (totals[window] ??= { allowed: 0, total: 0, denied: 0, siblings: 0, working: 0, workloads: 0 })
    t.allowed += score.allowed
    t.total += score.total
    t.denied += score.denied
    t.siblings += score.siblings
    t.working += score.allowed === score.total ? 1 : 0
    t.workloads++
  }
}
for (const [window, t] of Object.entries(totals)) {
  console.log(
    `overall ${window}: forward ${((100 * t.allowed) / t.total).toFixed(2)}% (${t.allowed}/${t.total}), tightness ${((100 * t.denied) / t.siblings).toFixed(1)}% (${t.denied}/${t.siblings}), ${t.working}/${t.workloads} workloads fully working`,
  )
}
