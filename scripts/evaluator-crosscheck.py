#!/usr/bin/env python3
"""Cross-checks policygen's policy evaluator against an independent one.

tests/data/evaluator-cases.json lists IAM's documented evaluation rules as (policy, request, expected
decision); src/policy.rs asserts its evaluator gives every expected decision. This script runs the same
requests through @cloud-copilot/iam-simulate (scripts/iam-simulate, dev-only, pinned) and reports where it
disagrees. A request marked `iam_simulate` documents a known, explained difference and is not counted.

  scripts/evaluator-crosscheck.py      # exit 1 on an unexplained disagreement

Needs node and npm (the first run installs the pinned simulator under target/); optional in CI.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = {'Allowed': 'Allowed', 'ImplicitDeny': 'ImplicitlyDenied', 'ExplicitDeny': 'ExplicitlyDenied'}


def main():
    cases = json.load(open(os.path.join(ROOT, 'tests/data/evaluator-cases.json'), encoding='utf-8'))['cases']
    items, owners = [], []
    for case in cases:
        for req in case['requests']:
            context = {k: v for k, v in req.get('context', {}).items()}
            items.append({'policy': case['policy'], 'action': req['action'], 'resource': req['resource'],
                          'context': context})
            owners.append((case['name'], req))
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump(items, f)
        path = f.name
    try:
        run = subprocess.run([os.path.join(ROOT, 'scripts/iam-simulate/run.sh'), path],
                             capture_output=True, text=True)
    finally:
        os.unlink(path)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        return 2
    decisions = json.loads(run.stdout)
    agree = explained = 0
    problems = []
    for (name, req), got in zip(owners, decisions):
        want = NAMES[req['expect']]
        if got == want:
            agree += 1
        elif 'iam_simulate' in req:
            explained += 1
            print('known difference: %s: %s on %s: iam-simulate %s, documented %s (%s)'
                  % (name, req['action'], req['resource'], got, want, req['iam_simulate']))
        else:
            problems.append('%s: %s on %s: iam-simulate %s, documented %s'
                            % (name, req['action'], req['resource'], got, want))
    print('evaluator cross-check: %d of %d requests agree with @cloud-copilot/iam-simulate, %d known differences'
          % (agree, len(decisions), explained))
    for line in problems:
        print('DISAGREES ' + line)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
