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
