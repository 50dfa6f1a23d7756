// Dev-only: evaluates requests against identity policies with @cloud-copilot/iam-simulate (AGPL-3.0), an
// IAM evaluator policygen did not write. Run through run.sh, which installs the pinned package under
// target/; policygen never links, ships or needs it.
//
// Input (file argument or stdin): a JSON array of
//   {"policy": {...}, "action": "s3:GetObject", "resource": "arn:...", "context": {"aws:...": "..."},
//    "resourcePolicy": {...} (optional)}
// Output (stdout): a JSON array of the decisions, in order: "Allowed", "ImplicitlyDenied",
// "ExplicitlyDenied", or "error: ..." when the simulator rejects the request.
'use strict';
const fs = require('fs');
const { runSimulation, runUnsafeSimulation } = require('@cloud-copilot/iam-simulate');

// The checked simulation refuses ARNs it cannot tie to exactly one resource type of the action (a Lambda
// alias ARN matches both `function` and `function alias`; AWS-owned SSM documents have no account). The
// same engine then evaluates without that validation.
const UNTYPED = ['no.resource.types', 'multiple.resource.types'];

const DEFAULT_ACCOUNT = '123456789012';

// The caller is put in the resource's account: these checks are about identity policies alone, and a
// cross-account request would also need a resource policy.
function accountOf(resource) {
  const parts = resource.split(':');
  return parts.length > 4 && /^[0-9]{12}$/.test(parts[4]) ? parts[4] : DEFAULT_ACCOUNT;
}

// KMS authorises a key only if its key policy trusts the account; every key gets AWS's default key policy
// unless its owner wrote another, so a request on a key is evaluated with that one.
function defaultKeyPolicy(resource, account) {
  if (!/^arn:[^:]+:kms:[^:]*:[0-9]{12}:key\//.test(resource)) {
    return undefined;
  }
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

async function decide(item) {
  const account = accountOf(item.resource);
  const simulation = {
    request: {
      principal: `arn:aws:iam::${account}:user/policygen-check`,
      action: item.action,
      resource: { resource: item.resource, accountId: account },
      contextVariables: item.context || {},
    },
    identityPolicies: [{ name: 'policy', policy: item.policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: item.resourcePolicy || defaultKeyPolicy(item.resource, account),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error' && UNTYPED.includes(result.errors.message)) {
    return runUnsafeSimulation(simulation, {});
  }
  if (result.resultType === 'error') {
    return 'error: ' + JSON.stringify(result.errors).slice(0, 300);
  }
  return result.overallResult;
}

async function main() {
  const text = fs.readFileSync(process.argv[2] || 0, 'utf8');
  const out = [];
  for (const item of JSON.parse(text)) {
    try {
    out.push(await decide(item));
    } catch (e) {
    out.push('error: ' + String(e && e.message ? e.message : e));
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(2);
});
