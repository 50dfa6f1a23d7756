#!/usr/bin/env python3
"""Builds tests/data/unseen/ from staging/: records.jsonl (one record a line), records.meta.jsonl (same line:
source repository, path, commit, split, sha256 of the record), and one CloudTrail file per split
(tune/records.json, heldout/records.json) for `policygen maps coverage --logs`. Deterministic. `--check`: write
nothing, fail when a committed file differs from what would be written."""
import glob, hashlib, importlib.util, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'staging'))
import _lib  # noqa: E402

for f in sorted(glob.glob(os.path.join(HERE, 'staging', 'p*.py'))):
    spec = importlib.util.spec_from_file_location(os.path.basename(f)[:-3], f)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))

lines, meta, splits = [], [], {}
for page in _lib.OUT:
    for i, r in enumerate(page['records']):
        text = json.dumps(r, sort_keys=True, ensure_ascii=False)
        lines.append(text)
        meta.append(json.dumps({'repo': page['repo'], 'path': page['path'], 'commit': page['commit'],
                                'index': i, 'split': page['split'],
                                'sha256': hashlib.sha256(text.encode()).hexdigest()}, sort_keys=True))
        splits.setdefault(page['split'], []).append(r)
out = {'records.jsonl': '\n'.join(lines) + '\n', 'records.meta.jsonl': '\n'.join(meta) + '\n'}
for split, records in sorted(splits.items()):
    out[os.path.join(split, 'records.json')] = json.dumps({'Records': records}, indent=1, sort_keys=True,
                                                          ensure_ascii=False) + '\n'
if '--check' in sys.argv[1:]:
    stale = []
    for name, text in sorted(out.items()):
        try:
            with open(os.path.join(HERE, name)) as f:
                same = f.read() == text
        except FileNotFoundError:
            same = False
        if not same:
            stale.append(name)
    if stale:
        sys.exit('build.py --check: stale %s; run python3 tests/data/unseen/build.py' % ', '.join(stale))
    sys.exit(0)
for name, text in sorted(out.items()):
    os.makedirs(os.path.dirname(os.path.join(HERE, name)), exist_ok=True)
    with open(os.path.join(HERE, name), 'w') as f:
        f.write(text)
print('%d records; %s' % (len(lines), ', '.join('%s %d' % (k, len(v)) for k, v in sorted(splits.items()))))
