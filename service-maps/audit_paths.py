#!/usr/bin/env python3
"""Audit of every req:/resp:/add: path that overrides.json reads, against the shape CloudTrail writes.

  python3 service-maps/audit_paths.py > /tmp/audit.md      (the table in AUDIT.md, "Request paths")

Evidence, strongest first, for each (prefix, path):
  record   the path occurs in a real or documented CloudTrail record of that event source in tests/data/real or
           tests/data/unseen (the record names the file it came from)
  member   no record at hand, but the path's first key is a member of the API operation's input in the pinned
           botocore model with its first letter lower-cased, which is how CloudTrail writes requestParameters for
           the json, rest-json, query and rest-xml protocols (not for ec2, whose lists become xxxSet.items)
  response the path reads responseElements, which mirror the API output the same way (not checked further)
  UNVERIFIED none of the above: the rule may be written against a shape CloudTrail does not log
Known shape rewrites are listed in AUDIT.md (DynamoDB batches/transactions, EC2 lists, S3 headers).
"""
import collections, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EXPR = re.compile(r'\b(req|resp|add):([A-Za-z0-9_@$:\-\[\]=.*]+)')


def paths_of(value, prefix=''):
    out = set()
    if isinstance(value, dict):
        for k, v in value.items():
            p = prefix + '.' + k if prefix else k
            out.add(p)
            out |= paths_of(v, p)
    elif isinstance(value, list):
        out.add(prefix + '[]')
        for v in value:
            out |= paths_of(v, prefix + '[]')
    return out


def normal(path):
    """requestItems[operation=Put].tableName -> requestItems[].tableName (filters select, they do not rename)"""
    return re.sub(r'\[[^\]]*=[^\]]*\]', '[]', path)


def main():
    ovr = json.load(open(os.path.join(HERE, 'overrides.json')))
    boto = json.load(open(os.path.join(HERE, 'sources', 'botocore-index.json')))['services']
    sources = json.load(open(os.path.join(HERE, 'event-sources.json')))
    seen = collections.defaultdict(set)  # (prefix, body, path) -> files
    seen_event = collections.defaultdict(set)  # (prefix, event, body, path) -> files
    for corpus in ('tests/data/real/records.jsonl', 'tests/data/unseen/records.jsonl'):
        path = os.path.join(ROOT, corpus)
        if not os.path.exists(path):
            continue
        for line in open(path):
            r = json.loads(line)
            p = sources.get(r.get('eventSource') or '') or sources.get((r.get('eventSource') or '').lower())
            for body, key in (('req', 'requestParameters'), ('resp', 'responseElements'), ('add', 'additionalEventData')):
                for x in paths_of(r.get(key)):
                    # documented records write a member's first letter in either case
                    for y in (x, x[:1].swapcase() + x[1:]):
                        seen[(p, body, y)].add(corpus.split('/')[2])
                        seen_event[(p, r.get('eventName'), body, y)].add(corpus.split('/')[2])
    members = collections.defaultdict(set)
    protocol = {}
    for svc, info in boto.items():
        for op, o in info['operations'].items():
            for m in o.get('input', []):
                members[op].add(m[:1].lower() + m[1:])
        protocol[svc] = info['protocol']
    rows = collections.defaultdict(lambda: {'events': set(), 'status': None, 'why': ''})
    for p, svc in sorted(ovr['services'].items()):
        for name, ent in sorted(svc.get('events', {}).items()):
            for m in EXPR.finditer(json.dumps(ent)):
                body, path = m.group(1), m.group(2)
                rows[(p, body, path)]['events'].add(name)
        for key in ('bind_defaults', 'account_from', 'tag_on_create'):
            for m in EXPR.finditer(json.dumps(svc.get(key, {}))):
                rows[(p, m.group(1), m.group(2))]['events'].add('<%s>' % key)
    counts = collections.Counter()
    for (p, body, path), row in rows.items():
        n = normal(path)
        first = path.split('.')[0].split('[')[0]
        events = [e for e in row['events'] if not e.startswith('<')]
        same = set().union(*[seen_event.get((p, e, body, n), set()) for e in events]) if events else set()
        if path == '**':
            row['status'], row['why'] = 'member', 'every value of the request (role ARNs, filtered by pattern)'
        elif same:
            row['status'], row['why'] = 'record', ', '.join(sorted(same))
        elif (p, body, n) in seen:
            row['status'], row['why'] = 'record of another event', ', '.join(sorted(seen[(p, body, n)])) + \
                ' (same service, same shape)'
        elif body == 'resp':
            row['status'], row['why'] = 'response', 'responseElements mirror the API output'
        elif body == 'req' and any(first in members[e] for e in events):
            row['status'], row['why'] = 'member', 'top-level input member of ' + ', '.join(
                sorted(e for e in events if first in members[e]))[:80]
        elif not events and any(first in m for m in members.values()):
            row['status'], row['why'] = 'member', 'bind default: used only for operations that have this member'
        elif p == 'ec2' and ('Set.items[]' in path or first.endswith('Request')):
            row['status'], row['why'] = 'ec2 shape', 'EC2 logs lists as xxxSet.items[] and newer operations wrapped ' \
                'in <Operation>Request with SDK-case members'
        elif p == 's3' and first.startswith('x-amz-'):
            row['status'], row['why'] = 's3 header', 'S3 logs the request headers it received under their names ' \
                '(x-amz-acl, x-amz-copy-source, x-amz-server-side-encryption... in the records at hand)'
        elif p == 's3' and first[:1].isupper():
            row['status'], row['why'] = 's3 body', 'S3 logs an XML request body under its element names ' \
                '(LifecycleConfiguration, ReplicationConfiguration)'
        else:
            row['status'], row['why'] = 'UNVERIFIED', ''
        counts[row['status']] += 1
    print('| prefix | path | events | evidence | detail |')
    print('|---|---|---|---|---|')
    order = {'UNVERIFIED': 0, 'record': 1, 'record of another event': 2, 'member': 3, 'response': 4,
             'ec2 shape': 5, 's3 header': 6, 's3 body': 7}
    for (p, body, path), row in sorted(rows.items(), key=lambda kv: (order[kv[1]['status']], kv[0])):
        ev = sorted(row['events'])
        evs = ', '.join(ev[:4]) + (' +%d' % (len(ev) - 4) if len(ev) > 4 else '')
        print('| %s | `%s:%s` | %s | %s | %s |' % (p, body, path, evs, row['status'], row['why']))
    sys.stderr.write('%s\n' % dict(counts))


if __name__ == '__main__':
    main()
