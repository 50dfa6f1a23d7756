#!/usr/bin/env python3
"""Generate policygen's service maps.

  python3 generate.py                 write event-sources.json and one <prefix>.json per IAM prefix
  python3 generate.py --check         write nothing; exit 1 listing files that differ, are missing or extra
  python3 generate.py coverage F.jsonl [--all]
                                      share of distinct eventSource/eventName pairs of API-call records that the
                                      maps cover (grants / none / internal), and the list of unmapped pairs

Inputs: sources/ (pinned, trimmed public data, see PROVENANCE.md) and overrides.json (hand-written rules).
python3 stdlib only; deterministic (no clock, no randomness, sorted iteration).
"""
import copy
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, 'sources')
PRA = {'Partition', 'Region', 'Account'}
PH_RE = re.compile(r'\$\{([A-Za-z0-9_]+)\}')
EXPR_RE = re.compile(r'^(req|resp|add):([^|]+)(?:\|([A-Za-z0-9_]+))?$|^res:([^|]+)(?:\|([A-Za-z0-9_]+))?$|^lit:(.*)$'
                     r'|^caller:(?:user|issuer)(?:\|([A-Za-z0-9_]+))?$')
# an expression is one term or terms joined by ' + ' whose values are concatenated
TERM_SEP = ' + '

# placeholder names too generic to bind from a same-named request member without a hand-written rule
GENERIC_PH = {'Id', 'Name', 'Arn', 'ResourceName', 'ResourceId', 'ResourceArn', 'Key', 'Version', 'Path', 'Type',
              'ResourceType', 'Identifier', 'TagKey'}
ROLE_ARN = '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.'
# request members that name a role the call passes to the service; prefixes whose role members are no passing
ROLE_MEMBER = re.compile(r'(?i)(rolearn|role)$')
# structure members of a write call that can carry the role it passes (jobUpdate, ...Input, ...Configuration)
NESTED_MEMBER = re.compile(r'(Update|Input|Configuration|Config|Settings|Definition|Specification|Spec|Details|'
                           r'Properties|Request|Command)$')
NESTED_ROLE_KEYS = ['role', 'roleArn']
TAG_MEMBERS = {'tags', 'taglist', 'tagspecifications', 'resourcetags'}
KMS_MEMBER = re.compile(r'(?i)kms.*key')
KEY_ID = '^(?:mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$'
NO_PASS_ROLE_PREFIXES = {'iam', 'sts', 'organizations', 'sso', 'identitystore', 'access-analyzer'}
NOT_ARN = '^(?:[^a]|a[^r]|ar[^n]|arn[^:]|.{0,3}$)'
IS_ARN = '^arn:'
# protocols whose CloudTrail requestParameters are not simply the API members with a lowercase first letter
NO_GENERIC_BIND_PROTOCOLS = {'ec2', 'rest-xml'}


class GenError(Exception):
    pass


def canon(obj):
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + '\n'


def load(name):
    with open(os.path.join(SRC, name), encoding='utf-8') as f:
        return json.load(f)


def lower_first(s):
    return s[:1].lower() + s[1:] if s else s


def member_path(tpl_path):
    """SDK member path (Targets[].RoleArn) -> CloudTrail path (targets[].roleArn)."""
    out = []
    for part in tpl_path.split('.'):
        arr = part.endswith('[]')
        base = part[:-2] if arr else part
        if not re.match(r'^[A-Za-z0-9_-]+$', base):
            return None
        out.append(lower_first(base) + ('[]' if arr else ''))
    return '.'.join(out)


class Generator:
    def __init__(self):
        self.cat = load('catalogue.json')['services']
        self.boto = load('botocore-index.json')['services']
        self.ct = load('cloudtrail-service-mappings.json')['cloudtrail_service_mappings']
        self.rename = load('autopilot-service-rename.json')['RenameServicesServiceReference']
        mj = load('iam-dataset-map.json')
        self.sentences = load('permission-sentences.json')['rows']
        with open(os.path.join(HERE, 'overrides.json'), encoding='utf-8') as f:
            self.ovr = json.load(f)
        self.fas = load('autopilot-fas-maps.json')['maps']
        # action lookup: lower-case "prefix:name" -> exact "prefix:Name"
        self.exact = {}
        for p, s in self.cat.items():
            for a in s['actions']:
                self.exact[(p + ':' + a).lower()] = p + ':' + a
        # iam-dataset map.json indexed by (iam prefix, SDK operation)
        self.mapjs = {}
        sdk_prefix = mj['sdk_service_mappings']
        for k in sorted(mj['sdk_method_iam_mappings']):
            cls, _, op = k.partition('.')
            p = sdk_prefix.get(cls)
            if p:
                self.mapjs.setdefault((p, op), mj['sdk_method_iam_mappings'][k])
        self.sent = {}
        for r in self.sentences:
            self.sent.setdefault((r['service'], r['operation']), r['actions'])

    # ---------------------------------------------------------------- helpers
    def resolve(self, action):
        return self.exact.get(action.lower())

    def action_info(self, action):
        p, _, n = action.partition(':')
        return self.cat[p]['actions'][n]

    def type_arn(self, action, rtype):
        p = action.partition(':')[0]
        return self.cat[p]['resource_types'][rtype]['arn']

    def boto_prefix(self, svc, info):
        bo = self.ovr.get('botocore_services', {})
        if svc in bo:
            return bo[svc]['prefix']
        if svc in self.rename and self.rename[svc] in self.cat:
            return self.rename[svc]
        for c in (info['signingName'], info['endpointPrefix'], svc):
            if c in self.cat:
                return c
        return None

    # ---------------------------------------------------------------- event sources
    def event_sources(self):
        es = {}
        for h, p in sorted(self.ct.items()):
            if p in self.cat:
                es[h] = p
        for svc in sorted(self.boto):
            info = self.boto[svc]
            p = self.boto_prefix(svc, info)
            if not p:
                continue
            for h in (info['endpointPrefix'], info['signingName']):
                if h and '.' not in h and re.match(r'^[a-z0-9-]+$', h):
                    es.setdefault(h + '.amazonaws.com', p)
        for svc in sorted(self.boto):
            info = self.boto[svc]
            p = self.boto_prefix(svc, info)
            h = info['endpointPrefix']
            if p and h and '.' in h and re.match(r'^[a-z0-9.-]+$', h):
                es.setdefault(h + '.amazonaws.com', p)
        # a host named after an IAM prefix is that service's (kafka-cluster, cloudshell, sqlworkbench)
        for p in sorted(self.cat):
            es.setdefault(p + '.amazonaws.com', p)
        for h, v in sorted(self.ovr.get('event_sources', {}).items()):
            if v.get('prefix') is None:
                es.pop(h, None)
            else:
                es[h] = v['prefix']
        for h, p in es.items():
            if p not in self.cat:
                raise GenError('event source %s maps to %s, which is not in the catalogue' % (h, p))
        return es

    # ---------------------------------------------------------------- generated events
    def primary_actions(self, svc, p, op):
        if p == 'apigateway':
            m = (self.boto[svc]['operations'][op].get('method') or '').upper()
            if m in self.cat[p]['actions']:
                return ['apigateway:' + m], 'API Gateway management actions are the HTTP verb of the call'
            return [], None
        if op in self.cat[p]['actions']:
            return [p + ':' + op], 'same name'
        ents = self.mapjs.get((p, op)) or []
        acts = []
        for e in ents:
            a = self.resolve(e['action'])
            if a and a.startswith(p + ':') and not e.get('conditional') and a not in acts:
                acts.append(a)
        if acts:
            return sorted(acts), 'iam-dataset map.json'
        s = [self.resolve(a) for a in self.sent.get((svc, op), [])]
        s = [a for a in s if a]
        if s:
            return sorted(set(s)), 'botocore documentation'
        a = self.resolve(p + ':' + op)
        if a:
            return [a], 'same name (case)'
        return [], None

    def bind_for(self, p, svc, op, action, members, mj_entry, only=None):
        """Resource binding for a generated grant: list of grants (1 or 2) or None when not confident. `only`:
        consider just these resource types."""
        info = self.action_info(action)
        if not info['resources']:
            return None
        if p == 'apigateway':
            return self.http_path_bind(svc, op, action, members)
        proto = self.boto[svc]['protocol']
        defaults = self.ovr.get('services', {}).get(p, {}).get('bind_defaults', {})
        lmembers = {lower_first(m): m for m in members}
        ci_members = {m.lower(): m for m in members}
        # whole-ARN override from map.json: ${Member}
        if mj_entry and mj_entry.get('arn') and proto not in NO_GENERIC_BIND_PROTOCOLS:
            m = re.match(r'^\$\{([A-Za-z0-9]+)\}$', mj_entry['arn'])
            if m and m.group(1) in members and m.group(1).endswith('Arn'):
                return [{'resources': [{'arn': 'req:' + lower_first(m.group(1))}]}]
        order = sorted((r for r in info['resources'] if only is None or r['type'] in only),
                       key=lambda r: (not r['required'],))
        for r in order:
            arn = self.type_arn(action, r['type'])
            phs = [x for x in PH_RE.findall(arn) if x not in PRA]
            if not phs or ', ' in arn:
                continue
            bind, nara = {}, None
            ok = True
            for ph in phs:
                d = defaults.get(ph)
                if d is not None:
                    need = d.get('member')
                    if need is not None and need not in members:
                        ok = False
                        break
                    if need is None and isinstance(d.get('expr'), str) and d['expr'].startswith('req:') and d['expr'][4:].split('.')[0].split('[')[0] not in lmembers:
                        ok = False
                        break
                    if (d.get('arn_pattern') or d.get('arn_exprs')) and len(phs) == 1:
                        nara = d
                    if 'expr' not in d and not (d.get('arn_exprs') and len(phs) == 1):
                        ok = False
                        break
                    bind[ph] = d['expr'] if isinstance(d.get('expr'), list) else d.get('expr', '') + ('|' + d['name_pattern'] if d.get('name_pattern') else '')
                    continue
                if proto in NO_GENERIC_BIND_PROTOCOLS or ph in GENERIC_PH:
                    ok = False
                    break
                tpl = (mj_entry or {}).get('bind', {}).get(ph) if mj_entry else None
                if tpl is not None:
                    mm = re.match(r'^\$\{([A-Za-z0-9]+)\}$', tpl)
                    if not mm or mm.group(1) not in members or mm.group(1).endswith('Arn'):
                        ok = False
                        break
                    bind[ph] = 'req:' + lower_first(mm.group(1)) + '|plain'
                    continue
                m = ci_members.get(ph.lower())
                if m and not m.endswith('Arn'):
                    bind[ph] = 'req:' + lower_first(m) + '|plain'
                    continue
                ok = False
                break
            if not ok:
                continue
            if nara and nara.get('arn_exprs'):
                return [{'resources': [{'arn': list(nara['arn_exprs'])}]}]
            if nara:
                q = nara.get('qualifier') or {}
                return self.name_or_arn(r['type'], phs[0], nara['expr'], nara.get('name_pattern'), nara['arn_pattern'],
                                        q.get('expr') if q.get('member') in members else None)
            return [{'resources': self.any_path(p, [{'type': r['type'], 'bind': bind}])}]
        return None

    def any_path(self, p, resources):
        """bind_defaults with `any_path` (IAM names): where a resource is bound the default way, a name read from
        the request (the `any_path` expression) names NAME under some path, so the resource is written as NAME and
        as `*/NAME`, marked narrow: an ARN the principal's records name settles it. With `caller`, a call without
        the name acts on the caller (an IAM call without UserName): that expression is the last alternative."""
        defaults = self.ovr.get('services', {}).get(p, {}).get('bind_defaults', {})
        out = []
        for r in resources:
            r = copy.deepcopy(r)
            copies = []
            for ph, alts in sorted(r.get('bind', {}).items()):
                d = defaults.get(ph, {})
                name = d.get('any_path')
                # only the default binding: a rule that reads the path from the request (a create) is exact
                if not name or as_list(alts) != as_list(d.get('expr')):
                    continue
                alts = as_list(alts)
                if d.get('caller') and d['caller'] not in alts:
                    alts = alts + [d['caller']]
                r['bind'][ph] = alts
                r['narrow'] = True
                other = copy.deepcopy(r)
                other['bind'][ph] = [('lit:*/' + TERM_SEP + x) if x == name else x for x in alts]
                copies.append(other)
            out.append(r)
            out.extend(copies)
        return out

    def http_path_bind(self, svc, op, action, members):
        """API Gateway's management actions are HTTP verbs (apigateway:POST) that support every resource type of the
        service: the one a call acts on is the type whose ARN path is the call's request URI (POST
        /restapis/{restapi_id}/stages -> arn:...::/restapis/${RestApiId}/stages), each path variable bound to the
        request member of that name. No type with that path: None ('*', reported), never a neighbour's type."""
        uri = (self.boto[svc]['operations'][op].get('uri') or '').split('?')[0]
        segs = [x for x in re.sub(r'^/v2(?=/)', '', uri).split('/') if x]
        norm = lambda x: re.sub(r'[^a-z0-9]', '', x.lower())
        by_norm = {norm(m): lower_first(m) for m in members}
        for r in self.action_info(action)['resources']:
            for fmt in self.type_arn(action, r['type']).split(', '):
                path = [x for x in fmt.split(':/', 1)[-1].split('/') if x] if ':/' in fmt else None
                if path is None or len(path) != len(segs):
                    continue
                bind = {}
                for want, got in zip(path, segs):
                    var = re.match(r'^\{([A-Za-z0-9_]+)\+?\}$', got)
                    ph = re.match(r'^\$\{([A-Za-z0-9]+)\}$', want)
                    if ph and var and norm(var.group(1)) in by_norm:
                        bind[ph.group(1)] = 'req:' + by_norm[norm(var.group(1))] + '|plain'
                    elif ph or var or want != got:
                        break
                else:
                    return [{'resources': [{'type': r['type'], 'bind': bind}]}]
        return None

    def required_types(self, p, svc, op, action, members, mj_entry, grants):
        """An action with several required resource types is authorised on each of them (Service Authorization
        Reference: a required type must be in the statement's Resource), so a grant that binds one of them gets the
        others too: bound from the request where a member names them, else with `*` for what the request cannot
        name (reported as a wildcard segment). A grant whose resource type cannot be told (a whole ARN from a
        member) or a required type with several ARN formats leaves the grant unbound ('*', reported)."""
        required = [r['type'] for r in self.action_info(action)['resources'] if r['required']]
        if len(required) < 2:
            return grants
        out = []
        for g in grants:
            res = g.get('resources')
            if not res:
                out.append(g)
                continue
            have = {r.get('type') for r in res}
            if None in have:
                # name_or_arn alternatives: the ARN form's type is the typed sibling's
                sib = {r.get('type') for x in grants for r in x.get('resources', []) if r.get('type')}
                have = (have - {None}) | sib if len(sib) == 1 else have
            if None in have:
                out.append({k: v for k, v in g.items() if k != 'resources'})
                continue
            extra = []
            for t in required:
                if t in have:
                    continue
                arn = self.type_arn(action, t)
                if ', ' in arn:
                    extra = None
                    break
                b = self.bind_for(p, svc, op, action, members, mj_entry, only={t})
                if b and len(b) == 1 and all(r.get('type') == t for r in b[0]['resources']):
                    extra.extend(b[0]['resources'])
                else:
                    extra.append({'type': t, 'bind': {ph: 'lit:*' for ph in PH_RE.findall(arn) if ph not in PRA}})
            g = dict(g)
            if extra is None:
                g.pop('resources')
            else:
                g['resources'] = list(res) + extra
            out.append(g)
        return out

    @staticmethod
    def name_or_arn(rtype, ph, expr, name_pattern, arn_pattern, qualifier=None):
        """A name or an ARN; with `qualifier` (a request member naming a version or alias, as Lambda's
        Qualifier), the call is evaluated on the qualified ARN NAME:QUALIFIER when the member is given."""
        arn = expr + '|' + arn_pattern
        name = expr + ('|' + name_pattern if name_pattern else '')
        qualified = (lambda x: [x + TERM_SEP + 'lit::' + TERM_SEP + qualifier, x]) if qualifier else (lambda x: x)
        return [
            {'when': {'matches': [expr, IS_ARN]}, 'resources': [{'arn': qualified(arn)}]},
            {'when': {'matches': [expr, NOT_ARN]},
             'resources': [{'type': rtype, 'bind': {ph: qualified(name)}}]},
            # an optional member the record does not carry: no ARN, so '*' rather than no grant at all
            {'when': {'absent': expr}},
        ]

    def generated_events(self, p):
        events = {}
        svcs = sorted((s for s in self.boto if self.boto_prefix(s, self.boto[s]) == p),
                      key=lambda s: (s != p, self.boto[s]['signingName'] != p, s))
        for svc in svcs:
            info = self.boto[svc]
            for op in sorted(info['operations']):
                if op in events:
                    continue
                o = info['operations'][op]
                acts, why = self.primary_actions(svc, p, op)
                if not acts:
                    continue
                members = o.get('input', [])
                ents = self.mapjs.get((p, op)) or []
                grants = []
                for a in acts:
                    mj_entry = next((e for e in ents if self.resolve(e['action']) == a), None)
                    bound = self.bind_for(p, svc, op, a, members, mj_entry)
                    if bound:
                        bound = self.required_types(p, svc, op, a, members, mj_entry, bound)
                        for g in bound:
                            g = dict(g)
                            g['action'] = a
                            grants.append(g)
                    else:
                        grants.append({'action': a})
                # extra iam:PassRole grants that map.json lists with a whole-ARN role member
                if self.boto[svc]['protocol'] not in NO_GENERIC_BIND_PROTOCOLS:
                    seen = set()
                    for e in ents:
                        if e['action'] != 'iam:PassRole' or not e.get('arn'):
                            continue
                        mm = re.match(r'^\$\{([A-Za-z0-9\[\]\.]+)\}$', e['arn'])
                        if not mm:
                            continue
                        path = member_path(mm.group(1))
                        if not path or path.split('.')[0].rstrip('[]') not in {lower_first(x) for x in members} or path in seen:
                            continue
                        seen.add(path)
                        grants.append({'action': 'iam:PassRole', 'when': {'exists': 'req:' + path},
                                       'resources': [{'arn': 'req:' + path}]})
                ent = {'grants': grants}
                if why != 'same name':
                    ent['note'] = 'generated: action from %s' % why
                events[op] = ent
        return events

    def pass_role(self, p, events):
        """iam:PassRole for every generated event that passes a role and has no PassRole grant: on every role ARN
        of the request (at any depth) when the Service Authorization Reference lists iam:PassRole as a dependent
        action of its action; else, for a write action, on the role ARN of each top-level member named like a role
        (roleArn, ExecutionRoleArn, ServiceRole). Every PassRole grant of a prefix whose service principal is known
        (overrides.json pass_role_services) gets the iam:PassedToService fact."""
        principal = self.ovr.get('pass_role_services', {}).get(p, {}).get('principal')
        members = {}
        for svc in sorted(self.boto):
            if self.boto_prefix(svc, self.boto[svc]) == p:
                for op, o in self.boto[svc]['operations'].items():
                    members.setdefault(op, o.get('input', []))
        for name in sorted(events):
            grants = events[name].get('grants', [])
            passes = [g for g in grants if g['action'] == 'iam:PassRole']
            own = [self.action_info(g['action']) for g in grants if g['action'].startswith(p + ':')]
            why = None
            if passes or p in NO_PASS_ROLE_PREFIXES:
                pass
            elif any('iam:PassRole' in a.get('dependent', []) for a in own):
                g = {'action': 'iam:PassRole', 'when': {'matches': ['req:**', ROLE_ARN]},
                     'resources': [{'arn': 'req:**|iam_role_arn'}]}
                passes = [g]
                why = 'each role ARN of the request (the Service Authorization Reference lists iam:PassRole as a ' \
                    'dependent action)'
            elif any(a['access'] in ('Write', 'Permissions management') for a in own):
                for m in members.get(name, []):
                    if ROLE_MEMBER.search(m):
                        path = 'req:' + lower_first(m)
                        passes.append({'action': 'iam:PassRole', 'when': {'matches': [path, ROLE_ARN]},
                                       'resources': [{'arn': path + '|iam_role_arn'}]})
                        if m.lower() == 'servicerole':
                            # a service role member takes the role's name with its path as well as its ARN
                            # (AWS Batch, CodeBuild, EMR API references): the role in the caller's account
                            passes.append({'action': 'iam:PassRole', 'when': {'matches': [path, NOT_ARN]},
                                           'resources': [{'type': 'role', 'bind': {'RoleNameWithPath': path}}]})
                if passes:
                    why = 'the role ARN of %s (a write call that passes a role)' % ', '.join(
                        lower_first(m) for m in members[name] if ROLE_MEMBER.search(m))
                elif any(NESTED_MEMBER.search(m) for m in members.get(name, [])):
                    # a role inside a structure member (Glue UpdateJob's jobUpdate.role)
                    for key in NESTED_ROLE_KEYS:
                        path = 'req:**.' + key
                        passes.append({'action': 'iam:PassRole', 'when': {'matches': [path, ROLE_ARN]},
                                       'resources': [{'arn': path + '|iam_role_arn'}]})
                    why = 'the role ARN of a nested %s member (a write call that passes a role in a structure)' % \
                        ' or '.join(NESTED_ROLE_KEYS)
            if why:
                grants.extend(passes)
                note = events[name].get('note', 'generated: same name')
                events[name]['note'] = note + '; iam:PassRole on ' + why
            if principal:
                for g in passes:
                    g.setdefault('facts', {}).setdefault('iam:PassedToService', principal)

    def dependents(self, p, events):
        """The other dependent actions of the Service Authorization Reference that a generated event's request
        shows it needs (each grant conditional on the member that triggers it):
        - tag on create: the prefix's tagging dependent (TagResource, AddTags, CreateTags, ...) when the request
          carries tags, on the primary grant's resources when the tagging action supports their type;
        - KMS: the kms:* dependents when a member names a KMS key (KmsKeyId, SseKmsKeyId, ...), on that key
          (its ARN, or key/<id> for a bare key id; `*` for an alias), with kms:ViaService."""
        members = {}
        endpoint = {}
        for svc in sorted(self.boto):
            if self.boto_prefix(svc, self.boto[svc]) == p:
                for op, o in self.boto[svc]['operations'].items():
                    if op not in members:
                        members[op] = o.get('input', [])
                        endpoint[op] = self.boto[svc]['endpointPrefix']
        proto = {op: None for op in members}
        for name in sorted(events):
            grants = events[name].get('grants', [])
            primary = [g for g in grants if g['action'].startswith(p + ':')]
            if not primary or name not in members:
                continue
            info = self.action_info(primary[0]['action'])
            have = {g['action'] for g in grants}
            added = []
            tag_members = [m for m in members[name] if m.lower() in TAG_MEMBERS]
            for dep in info.get('dependent', []):
                if dep in have or not dep.startswith(p + ':') or not self.resolve(dep) == dep:
                    continue
                if self.action_info(dep)['access'] != 'Tagging' or not tag_members:
                    continue
                types = {r['type'] for r in self.action_info(dep)['resources']}
                for m in tag_members:
                    g = {'action': dep, 'when': {'exists': 'req:' + lower_first(m)}}
                    res = [r for r in primary[0].get('resources', []) if r.get('type') in types]
                    if res and len(res) == len(primary[0].get('resources', [])):
                        g['resources'] = copy.deepcopy(res)
                        if 'when' in primary[0]:
                            g['when'] = {'all': [primary[0]['when'], g['when']]}
                    grants.append(g)
                added.append('%s when the request carries %s' % (dep, ', '.join(lower_first(m) for m in tag_members)))
            kms = [d for d in info.get('dependent', []) if d.startswith('kms:') and d not in have and self.resolve(d) == d
                   and 'key' in {r['type'] for r in self.action_info(d)['resources']}]
            key_members = [m for m in members[name] if KMS_MEMBER.search(m)]
            if kms and key_members and self.boto_protocol(p, name) not in NO_GENERIC_BIND_PROTOCOLS:
                via = endpoint[name] + '.${Region}.amazonaws.com'
                for dep in kms:
                    for m in key_members:
                        e = 'req:' + lower_first(m)
                        facts = {'kms:ViaService': via}
                        grants.append({'action': dep, 'when': {'matches': [e, IS_ARN]}, 'resources': [{'arn': e + '|kms_key_arn'}], 'facts': dict(facts)})
                        grants.append({'action': dep, 'when': {'matches': [e, KEY_ID]}, 'resources': [{'type': 'key', 'bind': {'KeyId': e}}], 'facts': dict(facts)})
                        grants.append({'action': dep, 'when': {'matches': [e, '^alias/']}, 'facts': dict(facts)})
                added.append('%s on the key of %s' % (', '.join(kms), ', '.join(lower_first(m) for m in key_members)))
            if added:
                note = events[name].get('note', 'generated: same name')
                events[name]['note'] = note + '; dependent actions (Service Authorization Reference): ' + '; '.join(added)

    def boto_protocol(self, p, op):
        for svc in sorted(self.boto):
            if self.boto_prefix(svc, self.boto[svc]) == p and op in self.boto[svc]['operations']:
                return self.boto[svc]['protocol']
        return None

    # ---------------------------------------------------------------- overrides
    def expand_override_entry(self, p, name, ent):
        ent = copy.deepcopy(ent)
        if 'note' not in ent:
            raise GenError('overrides: %s %s has no note' % (p, name))
        if 'grants' in ent:
            out = []
            defaults = self.ovr.get('services', {}).get(p, {}).get('bind_defaults', {})
            for g in ent['grants']:
                if isinstance(g, str):
                    g = {'action': g}
                idp = g.pop('by_id_prefix', None)
                if idp:
                    out.extend(self.by_id_prefix(p, g, idp))
                    continue
                noa = g.pop('name_or_arn', None)
                if noa:
                    base = {k: v for k, v in g.items() if k != 'resources'}
                    for x in self.name_or_arn(noa['type'], noa['placeholder'], noa['expr'], noa.get('name_pattern'),
                                              noa['arn_pattern'], noa.get('qualifier')):
                        y = dict(base)
                        if 'when' in base:
                            y['when'] = {'all': [base['when'], x['when']]}
                        else:
                            y['when'] = x['when']
                        if 'resources' in x:
                            y['resources'] = x['resources']
                        out.append(y)
                    continue
                # fill binds from the service's bind_defaults: {"type": "bucket"} -> bind BucketName
                for r in g.get('resources', []):
                    if 'type' in r:
                        b = r.setdefault('bind', {})
                        a = self.resolve(g['action'])
                        if a and r['type'] in self.cat[a.partition(':')[0]]['resource_types']:
                            for ph in PH_RE.findall(self.type_arn(a, r['type'])):
                                if ph not in PRA and ph not in b and 'expr' in defaults.get(ph, {}):
                                    d = defaults[ph]
                                    b[ph] = d['expr'] if isinstance(d['expr'], list) else d['expr'] + ('|' + d['name_pattern'] if d.get('name_pattern') else '')
                out.append(g)
            for g in out:
                if g.get('resources'):
                    g['resources'] = self.any_path(g['action'].partition(':')[0], g['resources'])
            ent['grants'] = self.tag_on_create(p, out)
        return ent

    def id_prefix_table(self, p, action):
        """(type, placeholder, id prefix) for the action's resource types named by services.<p>.id_prefixes."""
        table = self.ovr['services'][p].get('id_prefixes', {}).get('map', {})
        a = self.resolve(action)
        types = {r['type'] for r in self.action_info(a)['resources']}
        rows = []
        for pre, rtype in sorted(table.items()):
            if rtype not in types:
                continue
            phs = [x for x in PH_RE.findall(self.type_arn(a, rtype)) if x not in PRA]
            if len(phs) != 1:
                raise GenError('id_prefixes: %s has %d placeholders' % (rtype, len(phs)))
            rows.append((rtype, phs[0], pre))
        return rows

    def by_id_prefix(self, p, g, expr):
        """One grant per resource type whose ids start with a known prefix (i- instance, vol- volume, ...), each
        binding only the ids of that form; plus a '*' grant when some id has no known prefix."""
        out = []
        rows = self.id_prefix_table(p, g['action'])
        for rtype, ph, pre in rows:
            y = copy.deepcopy(g)
            cond = {'matches': [expr, ID_RE % rx_escape(pre)]}
            y['when'] = {'all': [g['when'], cond]} if 'when' in g else cond
            y['resources'] = [{'type': rtype, 'bind': {ph: expr + '|' + id_pattern_name(pre)}}]
            out.append(y)
        y = copy.deepcopy(g)
        cond = {'matches': [expr, unknown_id_regex([pre for _, _, pre in rows])]}
        y['when'] = {'all': [g['when'], cond]} if 'when' in g else cond
        y.pop('resources', None)
        out.append(y)
        return out

    def arn_suffix(self, p, table, grants):
        """services.<p>.arn_suffix: a resource type IAM evaluates with a suffix its catalogue ARN lacks (a
        CloudWatch Logs log group is evaluated as log-group:NAME:*). Every binding of the type's last
        placeholder, in grants of this prefix other than the listed exceptions, gets the suffix."""
        def walk(r, action):
            for x in r.get('first', []):
                walk(x, action)
            conv = table.get(r.get('type'))
            if not conv or action in conv.get('except', []):
                return
            last = PH_RE.findall(self.cat[p]['resource_types'][r['type']]['arn'])[-1]
            alts = as_list(r['bind'][last])
            r['bind'][last] = [x + TERM_SEP + 'lit:' + conv['suffix'] for x in alts]
        for g in grants:
            if g['action'].startswith(p + ':'):
                for r in g.get('resources', []):
                    walk(r, g['action'])

    def account_from(self, p, expr, grants):
        """services.<p>.account_from: a request member that names the resource owner's account (ECR registryId).
        A grant with a typed resource of this prefix that does not bind Account becomes two: the original when the
        member is absent, and one binding Account to it when present."""
        out = []
        for g in grants:
            typed = [r for r in g.get('resources', []) if 'type' in r and 'Account' not in r.get('bind', {})
                     and g['action'].startswith(p + ':')
                     and '${Account}' in self.type_arn(g['action'], r['type'])]
            if not typed:
                out.append(g)
                continue
            a = copy.deepcopy(g)
            a['when'] = {'all': [g['when'], {'absent': expr}]} if 'when' in g else {'absent': expr}
            b = copy.deepcopy(g)
            b['when'] = {'all': [g['when'], {'exists': expr}]} if 'when' in g else {'exists': expr}
            for r in b['resources']:
                if 'type' in r and 'Account' not in r.get('bind', {}):
                    r.setdefault('bind', {})['Account'] = expr
            out.extend([a, b])
        return out

    def tag_on_create(self, p, grants):
        """services.<p>.tag_on_create: a tag-on-create grant (action + create-action fact, no resources) becomes
        one grant per resource type named in the request's tag specifications, on <type>/* (the new resource's id
        is not known when IAM authorises the call), plus a '*' grant for any other type named there."""
        spec = self.ovr['services'].get(p, {}).get('tag_on_create')
        if not spec:
            return grants
        out = []
        for g in grants:
            fact = (g.get('facts') or {}).get(spec['fact'])
            if g.get('action') != spec['action'] or not fact or g.get('resources') or \
                    g.get('when') != {'exists': spec['type_expr']}:
                out.append(g)
                continue
            created = self.resolve(p + ':' + fact)
            tag_types = {r['type'] for r in self.action_info(spec['action'])['resources']}
            names = []
            for r in self.action_info(created)['resources'] if created else []:
                if r['type'] not in tag_types:
                    continue
                phs = [x for x in PH_RE.findall(self.type_arn(spec['action'], r['type'])) if x not in PRA]
                if len(phs) != 1:
                    continue
                y = copy.deepcopy(g)
                y['when'] = {'matches': [spec['type_expr'], '^' + rx_escape(r['type']) + '$']}
                y['resources'] = [{'type': r['type'], 'bind': {phs[0]: 'lit:*'}}]
                out.append(y)
                names.append(r['type'])
            y = copy.deepcopy(g)
            if names:
                y['when'] = {'matches': [spec['type_expr'], not_in_regex(names)]}
            out.append(y)
        return out

    # ---------------------------------------------------------------- assemble + validate
    def lambda_suffixes(self):
        out = set()
        for o in self.boto['lambda']['operations'].values():
            m = re.match(r'^/(\d{4})-(\d{2})-(\d{2})/', o.get('uri') or '')
            if m:
                d = ''.join(m.groups())
                out.update([d, d + 'v2'])
        return out

    def build(self):
        files = {}
        es = self.event_sources()
        files['event-sources.json'] = es
        sv = self.ovr.get('services', {})
        for p in sv:
            if p not in self.cat:
                raise GenError('overrides: unknown prefix %s' % p)
        for p in sorted(self.cat):
            c = self.cat[p]
            o = sv.get(p, {})
            events = self.generated_events(p)
            self.pass_role(p, events)
            self.dependents(p, events)
            for name, ent in sorted(o.get('events', {}).items()):
                events[name] = self.expand_override_entry(p, name, ent)
            if o.get('arn_suffix'):
                for name in sorted(events):
                    self.arn_suffix(p, o['arn_suffix'], events[name].get('grants', []))
            if o.get('account_from'):
                for name in sorted(events):
                    if 'grants' in events[name]:
                        events[name]['grants'] = self.account_from(p, o['account_from']['expr'], events[name]['grants'])
            patterns = dict(self.ovr.get('patterns', {}))
            patterns.update(o.get('patterns', {}))
            for pre in o.get('id_prefixes', {}).get('map', {}):
                patterns[id_pattern_name(pre)] = '^(%s-[0-9a-fA-F]+)$' % rx_escape(pre)
            suffixes = set(o.get('event_name_suffixes', []))
            if p == 'lambda':
                suffixes |= self.lambda_suffixes()
            used = set()
            for ent in events.values():
                for e in walk_exprs(ent):
                    for term in e.split(TERM_SEP):
                        m = EXPR_RE.match(term)
                        if m and (m.group(3) or m.group(5) or m.group(7)):
                            used.add(m.group(3) or m.group(5) or m.group(7))
            out = {
                'prefix': p,
                'name': c['name'],
                'resource_types': c['resource_types'],
                'actions': c['actions'],
                'event_name_suffixes': sorted(suffixes),
                'patterns': {k: v for k, v in sorted(patterns.items()) if k in used},
                'events': events,
                'facts': self.facts(p, c, o.get('facts', {})),
            }
            self.validate(p, out)
            self.check_resource_types(p, out, set(o.get('events', {})))
            files[p + '.json'] = out
        check_links(files)
        return files

    def facts(self, p, c, given):
        """What the emitter needs to know about a service beyond its catalogue (README, "Facts"). `regional`:
        whether aws:RequestedRegion may restrict it, read from the catalogue: one of its own ARN formats has a
        ${Region} (a catalogue that lists another service's resource, as Route 53 lists EC2's vpc, is judged by
        its own formats when it has any). Global services (IAM, CloudFront, Route 53) have none, nor do services
        without resource types: a region condition on them would deny their calls. The rest comes from
        overrides.json services.<p>.facts, checked against the catalogue."""
        arns = [t['arn'] for _, t in sorted(c['resource_types'].items())]
        own = [a for a in arns if a.split(':')[2:3] == [p]]
        out = {'regional': any('${Region}' in a for a in (own or arns))}
        errs = []
        for k in sorted(set(given) - {'condition_resource_types', 'request_tags'}):
            errs.append('%s facts: unknown key %s' % (p, k))
        for key, v in sorted(given.get('condition_resource_types', {}).items()):
            if not isinstance(v, dict) or set(v) != {'types', 'note'} or not v['types']:
                errs.append('%s facts: condition_resource_types.%s needs types and a note' % (p, key))
                continue
            for t in v['types']:
                if t not in c['resource_types']:
                    errs.append('%s facts: %s names unknown resource type %s' % (p, key, t))
        rt = given.get('request_tags')
        if rt is not None:
            if 'note' not in rt or set(rt) - {'every_action', 'created_only', 'except', 'note'}:
                errs.append('%s facts: request_tags takes every_action, created_only, except and a note' % p)
            for a in rt.get('except', []):
                if a not in c['actions']:
                    errs.append('%s facts: request_tags.except names unknown action %s' % (p, a))
        if errs:
            raise GenError('\n'.join(errs))
        out.update(copy.deepcopy(given))
        return out

    def check_resource_types(self, p, f, overridden):
        """A generated binding must name the resources the call acts on: every required resource type of its action
        when the action has several (or none, '*'), and for API Gateway's HTTP-verb actions, which support every
        type of the service, the type whose ARN path is the call's request URI. A binding that names a neighbour
        (CreateStage on the documentation parts) allows something else and denies the call: unsound."""
        errs = []
        ops = {}
        for svc in sorted(self.boto):
            if self.boto_prefix(svc, self.boto[svc]) == p:
                for op, o in self.boto[svc]['operations'].items():
                    ops.setdefault(op, o)
        for name, ent in sorted(f['events'].items()):
            for g in ent.get('grants', []):
                a = g['action']
                typed = [r for r in g.get('resources', []) if 'type' in r]
                if a.startswith('apigateway:') and name in ops and typed:
                    uri = re.sub(r'^/v2(?=/)', '', (ops[name].get('uri') or '').split('?')[0])
                    shape = lambda path: [('{}' if x.startswith(('{', '$')) else x) for x in path.split('/') if x]
                    for r in typed:
                        fmts = self.type_arn(a, r['type']).split(', ')
                        if not any(shape(x.split(':/', 1)[-1]) == shape(uri) for x in fmts if ':/' in x):
                            errs.append('%s event %s: %s on %s, whose ARN path is not the request URI %s'
                                        % (p, name, a, r['type'], uri))
                if name in overridden or not g.get('resources') or a.partition(':')[0] != p:
                    continue
                required = {r['type'] for r in self.action_info(a)['resources'] if r['required']}
                named = {r.get('type') for r in g['resources']}
                # a whole ARN from the request stands for one type
                wholes = sum(1 for r in g['resources'] if 'type' not in r)
                if len(required) > 1 and len(required - named) > wholes:
                    errs.append('%s event %s: %s binds %s but its action requires %s'
                                % (p, name, a, sorted(t for t in named if t), sorted(required)))
        if errs:
            raise GenError('\n'.join(errs))

    def validate(self, p, f):
        errs = []
        for k, rx in f['patterns'].items():
            check_regex(rx, '%s pattern %s' % (p, k), errs)
        for name, ent in f['events'].items():
            where = '%s event %s' % (p, name)
            keys = set(ent) - {'note', 'reveals'}
            if len(keys) != 1 or not keys <= {'grants', 'none', 'internal', 'console'}:
                errs.append('%s: must be exactly one of grants/none/internal/console: %s' % (where, sorted(ent)))
                continue
            for k in ent:
                if k not in ('grants', 'none', 'internal', 'console', 'note', 'reveals'):
                    errs.append('%s: unknown key %s' % (where, k))
            for rv in ent.get('reveals', []):
                if set(rv) != {'link', 'key', 'to'} or not isinstance(rv['link'], str):
                    errs.append('%s: a reveal needs link, key and to: %r' % (where, rv))
                    continue
                for e in as_list(rv['key']):
                    self.check_expr(e, f, where, errs)
                self.check_resource(p, rv['to'], set(self.cat[p]['resource_types']), p + ' reveal', f, where, errs,
                                    links=False)
            if 'grants' not in ent:
                if not isinstance(ent.get('none', ent.get('internal', ent.get('console'))), str):
                    errs.append('%s: none/internal/console needs a reason string' % where)
                continue
            if not ent['grants']:
                errs.append('%s: empty grants' % where)
            for g in ent['grants']:
                for k in g:
                    if k not in ('action', 'when', 'resources', 'facts'):
                        errs.append('%s: unknown grant key %s' % (where, k))
                a = g.get('action', '')
                if self.exact.get(a.lower()) != a:
                    errs.append('%s: action %r not in catalogue (case-exact)' % (where, a))
                    continue
                ap = a.partition(':')[0]
                info = self.action_info(a)
                types = {r['type'] for r in info['resources']}
                if 'when' in g:
                    self.check_when(g['when'], f, where, errs)
                for r in g.get('resources', []):
                    self.check_resource(ap, r, types, a, f, where, errs)
                for fk, fv in (g.get('facts') or {}).items():
                    if not isinstance(fv, str):
                        errs.append('%s: fact %s must be a string' % (where, fk))
        for s in f['event_name_suffixes']:
            if not re.match(r'^[0-9][0-9_]*v?[0-9]*$', s):
                errs.append('%s: odd suffix %r' % (p, s))
        if errs:
            raise GenError('\n'.join(errs))

    def check_resource(self, ap, r, types, a, f, where, errs, links=True):
        """A resource of a grant of action a (prefix ap), or the target of a reveal (links=False)."""
        if links and set(r) == {'first'} and isinstance(r['first'], list) and r['first']:
            for x in r['first']:
                self.check_resource(ap, x, types, a, f, where, errs)
            return
        if set(r) - {'narrow'} == {'arn'}:
            for e in as_list(r['arn']):
                self.check_expr(e, f, where, errs)
        elif set(r) - {'narrow'} <= {'type', 'bind'} and 'type' in r:
            if r['type'] not in types:
                errs.append('%s: %s resource type %r not one of %s' % (where, a, r['type'], sorted(types)))
                return
            arn = self.cat[ap]['resource_types'][r['type']]['arn']
            phs = set(PH_RE.findall(arn))
            b = r.get('bind', {})
            # a type with several ARN formats (API Gateway's REST and HTTP paths): the mapper fills the first
            # format whose placeholders are all bound
            fmts = [set(PH_RE.findall(x)) - PRA for x in arn.split(', ')]
            if not any(x <= set(b) for x in fmts):
                for ph in sorted(min(fmts, key=lambda x: len(x - set(b))) - set(b)):
                    errs.append('%s: %s %s placeholder ${%s} unbound' % (where, a, r['type'], ph))
            for ph, e in b.items():
                if ph not in phs:
                    errs.append('%s: %s binds unknown placeholder %s' % (where, a, ph))
                for x in as_list(e):
                    self.check_expr(x, f, where, errs)
        elif links and set(r) == {'link', 'key'} and isinstance(r['link'], str):
            for e in as_list(r['key']):
                self.check_expr(e, f, where, errs)
        else:
            errs.append('%s: bad resource %r' % (where, r))
        if 'narrow' in r and r['narrow'] is not True:
            errs.append('%s: narrow is true or absent: %r' % (where, r))

    def check_when(self, w, f, where, errs):
        if not isinstance(w, dict) or len(w) != 1:
            errs.append('%s: bad when %r' % (where, w))
            return
        (k, v), = w.items()
        if k in ('exists', 'absent'):
            self.check_expr(v, f, where, errs)
        elif k == 'matches':
            if not (isinstance(v, list) and len(v) == 2):
                errs.append('%s: bad matches %r' % (where, v))
                return
            self.check_expr(v[0], f, where, errs)
            check_regex(v[1], where + ' when', errs)
        elif k == 'all':
            for x in v:
                self.check_when(x, f, where, errs)
        else:
            errs.append('%s: unknown when %s' % (where, k))

    def check_expr(self, e, f, where, errs):
        terms = e.split(TERM_SEP) if isinstance(e, str) else [None]
        if len(terms) > 1 and all(t.startswith('lit:') for t in terms):
            errs.append('%s: %r joins only literals' % (where, e))
        seg = r'(?:\*\*|[A-Za-z0-9_@$:-]+(\[(?:[A-Za-z0-9_]+=[A-Za-z0-9_-]+)?\])?)'
        for term in terms:
            m = EXPR_RE.match(term) if isinstance(term, str) else None
            if not m:
                errs.append('%s: bad expression %r' % (where, e))
                return
            pat = m.group(3) or m.group(5) or m.group(7)
            if pat and pat not in f['patterns']:
                errs.append('%s: pattern %r undefined' % (where, pat))
            if m.group(2) and not re.match(r'^%s(\.%s)*$' % (seg, seg), m.group(2)):
                errs.append('%s: bad path in %r' % (where, e))


def check_links(files):
    """Every link a grant waits for is made by a reveal of some event."""
    made, used = set(), {}
    for name, f in files.items():
        for ev, ent in f.get('events', {}).items() if isinstance(f, dict) else []:
            for rv in ent.get('reveals', []):
                made.add(rv['link'])
            for g in ent.get('grants', []):
                for r in g.get('resources', []):
                    for x in [r] + r.get('first', []):
                        if 'link' in x:
                            used.setdefault(x['link'], '%s %s' % (name, ev))
    missing = sorted(set(used) - made)
    if missing:
        raise GenError('\n'.join('%s waits for link %r, which no event reveals' % (used[k], k) for k in missing))


ID_RE = '^%s-[0-9a-fA-F]+$'


def id_pattern_name(pre):
    return 'id_' + re.sub(r'[^A-Za-z0-9]', '_', pre)


def rx_escape(text):
    """Escapes regex metacharacters (not '-', which is literal outside classes) for Python re and Rust regex."""
    return re.sub(r'([.^$*+?()\[\]{}|\\])', r'\\\1', text)


def rx_class(chars):
    """Characters for a [^...] class: '-' first, so it is literal without escaping."""
    chars = sorted(chars)
    return ('-' if '-' in chars else '') + ''.join(rx_escape(c) if c in '^]\\[' else c for c in chars if c != '-')


def trie_complement(words, tail):
    """Regex alternatives (no lookaround) for strings that do not start with any of words (tail='') or are not
    exactly one of them (tail='$')."""
    trie = {}
    for w in words:
        t = trie
        for ch in w:
            t = t.setdefault(ch, {})
        t[''] = True
    alts = []

    def walk(t, path):
        if '' in t:
            if tail:
                for ch in sorted(k for k in t if k):
                    walk(t[ch], path + ch)
                cs = rx_class(k for k in t if k)
                alts.append(rx_escape(path) + ('[^%s]' % cs if cs else '.'))
            return
        cs = rx_class(k for k in t if k)
        alts.append(rx_escape(path) + '[^%s]' % cs)
        alts.append(rx_escape(path) + '$')
        for ch in sorted(k for k in t if k):
            walk(t[ch], path + ch)
    walk(trie, '')
    return alts


def not_in_regex(words):
    """Matches any string that is not exactly one of words."""
    return '^(?:' + '|'.join(trie_complement(words, '$')) + ')'


def unknown_id_regex(prefixes):
    """Matches an id that is not <prefix>-<hex> for any of prefixes."""
    starts = [x + '-' for x in prefixes]
    alts = trie_complement(starts, '')
    alts.append('(?:%s)-(?:.*[^0-9a-fA-F].*)?$' % '|'.join(rx_escape(x) for x in sorted(prefixes)))
    return '^(?:' + '|'.join(alts) + ')'


def as_list(x):
    return x if isinstance(x, list) else [x]


def walk_resource(r):
    for x in r.get('first', []):
        yield from walk_resource(x)
    if 'arn' in r:
        yield from as_list(r['arn'])
    if 'key' in r:
        yield from as_list(r['key'])
    for v in r.get('bind', {}).values():
        yield from as_list(v)


def walk_exprs(ent):
    for g in ent.get('grants', []):
        for r in g.get('resources', []):
            yield from walk_resource(r)
        yield from walk_when(g.get('when'))
    for rv in ent.get('reveals', []):
        yield from as_list(rv['key'])
        yield from walk_resource(rv['to'])


def walk_when(w):
    if not w:
        return
    for k, v in w.items():
        if k in ('exists', 'absent'):
            yield v
        elif k == 'matches':
            yield v[0]
        elif k == 'all':
            for x in v:
                yield from walk_when(x)


def check_regex(rx, where, errs):
    # keep to the common subset of Python re and the Rust regex crate
    if re.search(r'\(\?[=!<]|\(\?P?<[=!]|\\[1-9]|\(\?P=', rx):
        errs.append('%s: regex %r uses lookaround or backreferences' % (where, rx))
    try:
        re.compile(rx)
    except re.error as e:
        errs.append('%s: regex %r does not compile: %s' % (where, rx, e))


# -------------------------------------------------------------------- coverage
API_TYPES = {'AwsApiCall', 'AwsConsoleSignIn', 'AwsConsoleAction', 'AwsVpceEvent', None}


def coverage(path, files, show_all=False):
    es = files['event-sources.json']
    pairs = {}
    for line in open(path, encoding='utf-8'):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        if r.get('eventType') not in API_TYPES and r.get('eventType') != 'AwsServiceEvent':
            continue
        if r.get('eventCategory') == 'Insight':
            continue
        k = (r.get('eventSource') or '', r.get('eventName') or '')
        pairs.setdefault(k, r.get('eventType'))
    mapped, unmapped = [], []
    for (src, name), et in sorted(pairs.items()):
        p = es.get(src)
        ent = None
        if p:
            ev = files[p + '.json']['events']
            ent = ev.get(name)
            if ent is None:
                for s in sorted(files[p + '.json']['event_name_suffixes'], key=len, reverse=True):
                    if name.endswith(s) and name[:-len(s)] in ev:
                        ent = ev[name[:-len(s)]]
                        break
        (mapped if ent else unmapped).append((src, name, et, p, ent))
    n = len(pairs)
    print('distinct eventSource/eventName pairs: %d, mapped: %d (%.1f%%)' % (n, len(mapped), 100.0 * len(mapped) / max(n, 1)))
    kinds = {'grants': 0, 'none': 0, 'internal': 0, 'console': 0}
    for m in mapped:
        for k in kinds:
            if k in m[4]:
                kinds[k] += 1
    print('  by kind:', ', '.join('%s %d' % kv for kv in sorted(kinds.items())))
    known_ops = {}
    g = Generator()
    for svc, info in g.boto.items():
        px = g.boto_prefix(svc, info)
        if px:
            known_ops.setdefault(px, set()).update(info['operations'])
    fake = 0
    for src, name, et, p, _ in unmapped:
        tag = '' if p else ' [unknown eventSource]'
        if p and name not in known_ops.get(p, ()):
            tag = ' [not an API operation of this eventSource]'
            fake += 1
        print('UNMAPPED %s %s (%s)%s' % (src, name, et, tag))
    if fake:
        print('excluding %d pairs whose eventName is no API operation of their eventSource: %d/%d mapped (%.1f%%)'
              % (fake, len(mapped), n - fake, 100.0 * len(mapped) / max(n - fake, 1)))
    if show_all:
        for src, name, et, p, ent in mapped:
            print('mapped %s %s -> %s' % (src, name, json.dumps(ent, sort_keys=True)[:200]))
    return len(mapped), n


def main(argv):
    g = Generator()
    try:
        files = g.build()
    except GenError as e:
        sys.stderr.write('generate.py: validation failed:\n%s\n' % e)
        return 2
    if argv[:1] == ['coverage']:
        coverage(argv[1], files, '--all' in argv)
        return 0
    check = '--check' in argv
    want = {name: canon(obj) for name, obj in files.items()}
    keep = {'README.md', 'PROVENANCE.md', 'SCHEMA-NOTES.md', 'overrides.json'}
    have = {f for f in os.listdir(HERE) if f.endswith('.json') and f not in keep}
    bad = []
    for name, text in sorted(want.items()):
        pth = os.path.join(HERE, name)
        cur = open(pth, encoding='utf-8').read() if os.path.exists(pth) else None
        if cur != text:
            bad.append(('missing' if cur is None else 'differs', name))
            if not check:
                with open(pth, 'w', encoding='utf-8') as f:
                    f.write(text)
    for name in sorted(have - set(want)):
        bad.append(('extra', name))
        if not check:
            os.remove(os.path.join(HERE, name))
    if check:
        for kind, name in bad:
            print('%s: %s' % (kind, name))
        return 1 if bad else 0
    print('wrote %d files (%d changed)' % (len(want), len(bad)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
