"""Staging helper: each awsdocs/<repo>.py file lists the example records of one AWS documentation page, trimmed to
the fields policygen reads (values as published). build.py turns the staging files into records.jsonl."""
import json, os

OUT = []


def page(repo, path, commit, split):
    OUT.append({'repo': repo, 'path': path, 'commit': commit, 'split': split, 'records': []})


def rec(source, name, region='us-east-1', req=None, resp=None, ident=None, **extra):
    r = {'eventVersion': extra.pop('version', '1.08'),
         'userIdentity': ident or {'type': 'IAMUser', 'arn': 'arn:aws:iam::111122223333:user/JaneDoe',
                                   'accountId': '111122223333'},
         'eventTime': extra.pop('time', '2020-01-01T00:00:00Z'),
         'eventSource': source, 'eventName': name, 'awsRegion': region,
         'requestParameters': req, 'responseElements': resp,
         'eventType': extra.pop('type', 'AwsApiCall'),
         'recipientAccountId': extra.pop('account', '111122223333')}
    r.update(extra)
    OUT[-1]['records'].append(r)


def page2(repo, path, commit):
    """Round 2 (issue 13): the split follows from the repository name alone, `sha256(repo) % 3 == 0` -> held-out,
    so it is fixed before the page is read."""
    import hashlib
    split = 'heldout' if int(hashlib.sha256(repo.encode()).hexdigest(), 16) % 3 == 0 else 'tune'
    page(repo, path, commit, split)


def who(arn, kind=None, account=None):
    """A userIdentity with the fields policygen reads."""
    kind = kind or ('AssumedRole' if ':assumed-role/' in arn else 'Root' if arn.endswith(':root') else 'IAMUser')
    return {'type': kind, 'arn': arn, 'accountId': account or arn.split(':')[4]}


def page3(repo, path, commit):
    """Round 2, a repository whose files are independent sources (detection-rule test fixtures): the split follows
    from repository and path, `sha256(repo + '/' + path) % 3 == 0` -> held-out, fixed before the file is read."""
    import hashlib
    key = (repo + '/' + path).encode()
    split = 'heldout' if int(hashlib.sha256(key).hexdigest(), 16) % 3 == 0 else 'tune'
    page(repo, path, commit, split)
