#!/usr/bin/env python3
"""Scores policygen's resource precision on a case set (tests/precision/held-out.json by default).

For each case: policygen runs on the case's records (its principal, a window around them) and prints a policy;
the independent evaluator @cloud-copilot/iam-simulate (scripts/iam-simulate, dev-only) then evaluates every
`allow` request (must be Allowed) and every `deny` request (must not be). A case scores when all of them hold.

  scripts/precision-score.py [--bin target/debug/policygen] [--cases FILE] [--verbose] [-- EXTRA POLICYGEN ARGS]

Extra arguments after `--` go to policygen (`-- --exact` keeps every observed name instead of generalising
per-run identifiers).

Needs python3, node and npm (the first run installs the pinned simulator under target/). Prints the share of
cases that score, per kind and overall; exits 0 (the score is a figure, not a test).
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', default=os.path.join(ROOT, 'target/debug/policygen'))
    ap.add_argument('--cases', default=os.path.join(ROOT, 'tests/precision/held-out.json'))
    ap.add_argument('--verbose', action='store_true')
    ap.add_argument('extra', nargs='*', help='arguments for policygen, after --')
    args = ap.parse_args()
    cases = json.load(open(args.cases, encoding='utf-8'))['cases']
    items, owners, policies = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            path = os.path.join(tmp, case['id'] + '.json')
            with open(path, 'w', encoding='utf-8') as f:
                json.dump({'Records': case['records']}, f)
            run = subprocess.run([args.bin, '--principal', case['principal'], '--from', '2000-01-01',
                                  '--to', '2100-01-01', '--logs', path] + args.extra,
                                 capture_output=True, text=True)
            try:
                policy = json.loads(run.stdout)
            except ValueError:
                policy = {'Version': '2012-10-17', 'Statement': []}
            policies[case['id']] = (policy, run.stderr)
            for want, key in (('allow', 'allow'), ('deny', 'deny')):
                for req in case[key]:
                    if not policy.get('Statement'):
                        # IAM rejects an empty Statement; nothing is allowed.
                        owners.append((case['id'], want, req, 'ImplicitlyDenied'))
                        continue
                    items.append({'policy': policy, 'action': req['action'], 'resource': req['resource'],
                                  'context': req.get('context', {})})
                    owners.append((case['id'], want, req, None))
        req_file = os.path.join(tmp, 'requests.json')
        with open(req_file, 'w', encoding='utf-8') as f:
            json.dump(items, f)
        sim = subprocess.run([os.path.join(ROOT, 'scripts/iam-simulate/run.sh'), req_file],
                             capture_output=True, text=True)
        if sim.returncode != 0:
            sys.stderr.write(sim.stderr)
            return 2
        decisions = iter(json.loads(sim.stdout))
    failures = collections.defaultdict(list)
    for cid, want, req, fixed in owners:
        decision = fixed or next(decisions)
        ok = decision == 'Allowed' if want == 'allow' else decision != 'Allowed'
        if decision.startswith('error'):
            ok = False
        if not ok:
            failures[cid].append('%s %s %s -> %s' % (want, req['action'], req['resource'], decision))
    by_kind = collections.defaultdict(lambda: [0, 0])
    for case in cases:
        by_kind[case['kind']][1] += 1
        if case['id'] not in failures:
            by_kind[case['kind']][0] += 1
    passed = sum(v[0] for v in by_kind.values())
    sources = {r['eventSource'] for c in cases for r in c['records']}
    print('resource precision: %d/%d cases (%.1f%%) allowed and siblings denied, %d event sources%s'
          % (passed, len(cases), 100.0 * passed / len(cases), len(sources),
             ' (policygen %s)' % ' '.join(args.extra) if args.extra else ''))
    for kind, (ok, n) in sorted(by_kind.items()):
        print('  %-20s %3d/%-3d' % (kind, ok, n))
    for case in cases:
        if case['id'] in failures:
            print('FAIL %s (%s)' % (case['id'], case['kind']))
            for line in failures[case['id']]:
                print('     ' + line)
            if args.verbose:
                policy, stderr = policies[case['id']]
                for st in policy.get('Statement', []):
                    print('     policy: %s %s' % (st.get('Action'), st.get('Resource')))
    return 0


if __name__ == '__main__':
    sys.exit(main())
