#!/usr/bin/env python3
"""Writes held-out.json: the held-out resource-precision set (docs/resource-precision.md).

Each case is one principal's records in a window, as CloudTrail logs them, plus the requests IAM evaluates
for those calls (`allow`: action and the ARN IAM checks) and sibling requests that must stay denied (`deny`).
scripts/precision-score.py runs policygen on the records and an independent evaluator on the requests.

The set was written before the issue-14 work, from the AWS documentation of each service's CloudTrail
records and IAM evaluation, and is not tuned against: it is scored once before and once after.
Deterministic: python3 make_held_out.py > held-out.json
"""
import json
import sys

A = '111122223333'      # the principal's account
B = '444455556666'      # another account
R = 'us-east-1'

ROLE = 'arn:aws:iam::%s:role/ci/deployer' % A
USER = 'arn:aws:iam::%s:user/ops/alice' % A


def identity(who):
    if who == ROLE:
        return {
            'type': 'AssumedRole', 'principalId': 'AROAEXAMPLEROLEID:gh-run-4411',
            'arn': 'arn:aws:sts::%s:assumed-role/deployer/gh-run-4411' % A, 'accountId': A,
            'accessKeyId': 'ASIAEXAMPLEKEY',
            'sessionContext': {
                'sessionIssuer': {'type': 'Role', 'principalId': 'AROAEXAMPLEROLEID', 'arn': ROLE,
                                  'accountId': A, 'userName': 'deployer'},
                'webIdFederationData': {},
                'attributes': {'creationDate': '2026-11-10T09:00:00Z', 'mfaAuthenticated': 'false'}}}
    return {'type': 'IAMUser', 'principalId': 'AIDAEXAMPLEUSERID', 'arn': USER, 'accountId': A,
            'accessKeyId': 'AKIAEXAMPLEKEY', 'userName': who.rsplit('/', 1)[1]}


COUNTER = [0]


def rec(source, name, req, resp=None, resources=None, who=ROLE, region=R, read_only=None):
    COUNTER[0] += 1
    n = COUNTER[0]
    r = {
        'eventVersion': '1.09',
        'userIdentity': identity(who),
        'eventTime': '2026-11-10T%02d:%02d:%02dZ' % (10 + n // 3600, (n // 60) % 60, n % 60),
        'eventSource': source + '.amazonaws.com',
        'eventName': name,
        'awsRegion': region,
        'sourceIPAddress': '203.0.113.10',
        'userAgent': 'aws-cli/2.17.0',
        'requestParameters': req,
        'responseElements': resp,
        'requestID': 'req-%04d' % n,
        'eventID': '00000000-0000-4000-8000-%012d' % n,
        'readOnly': bool(read_only) if read_only is not None else name.startswith(('Get', 'Describe', 'List')),
        'eventType': 'AwsApiCall',
        'managementEvent': resources is None,
        'recipientAccountId': A,
        'eventCategory': 'Management' if resources is None else 'Data',
    }
    if resources is not None:
        r['resources'] = [dict(x, accountId=x.get('accountId', A)) for x in resources]
    return r


def arn(service, rest, region=R, account=A):
    return 'arn:aws:%s:%s:%s:%s' % (service, region, account, rest)


CASES = []


def case(cid, kind, records, allow, deny, note=''):
    CASES.append({'id': cid, 'kind': kind, 'note': note,
                  'principal': records[0]['userIdentity'].get('sessionContext', {}).get('sessionIssuer', {}).get('arn')
                  or records[0]['userIdentity']['arn'],
                  'records': records,
                  'allow': [{'action': a, 'resource': r} for a, r in allow],
                  'deny': [{'action': a, 'resource': r} for a, r in deny]})


def sm(name):
    return arn('secretsmanager', 'secret:' + name)


# ---------------------------------------------------------------- Secrets Manager
case('secrets-get-by-name', 'partial-identifier',
     [rec('secretsmanager', 'GetSecretValue', {'secretId': 'prod/db/password'})],
     [('secretsmanager:GetSecretValue', sm('prod/db/password-Xy12Ab'))],
     [('secretsmanager:GetSecretValue', sm('prod/db/password2-Xy12Ab')),
      ('secretsmanager:GetSecretValue', sm('prod/db/admin-Xy12Ab')),
      ('secretsmanager:GetSecretValue', sm('prod/db/password-old-Xy12Ab'))])
case('secrets-get-by-arn', 'plain',
     [rec('secretsmanager', 'GetSecretValue', {'secretId': sm('ci/token-Q1w2E3')})],
     [('secretsmanager:GetSecretValue', sm('ci/token-Q1w2E3'))],
     [('secretsmanager:GetSecretValue', sm('ci/other-Q1w2E3'))])
case('secrets-describe-by-name', 'partial-identifier',
     [rec('secretsmanager', 'DescribeSecret', {'secretId': 'ci-token'})],
     [('secretsmanager:DescribeSecret', sm('ci-token-aB3dE5'))],
     [('secretsmanager:DescribeSecret', sm('ci-token-admin-aB3dE5')),
      ('secretsmanager:DescribeSecret', sm('ci-tokens-aB3dE5'))])
case('secrets-partial-arn', 'partial-identifier',
     [rec('secretsmanager', 'GetSecretValue', {'secretId': sm('app-key'), 'versionStage': 'AWSCURRENT'})],
     [('secretsmanager:GetSecretValue', sm('app-key-Zx9Yw8'))],
     [('secretsmanager:GetSecretValue', sm('app-keys-Zx9Yw8')),
      ('secretsmanager:GetSecretValue', sm('app-key-extra-Zx9Yw8'))],
     'a partial ARN (no random suffix) is allowed by Secrets Manager and names the same secret')
case('secrets-rotate-by-name', 'partial-identifier',
     [rec('secretsmanager', 'RotateSecret', {'secretId': 'svc/api-key', 'rotateImmediately': True},
          {'arn': sm('svc/api-key-Pq7Rs8'), 'name': 'svc/api-key', 'versionId': 'v2'})],
     [('secretsmanager:RotateSecret', sm('svc/api-key-Pq7Rs8'))],
     [('secretsmanager:RotateSecret', sm('svc/api-key2-Pq7Rs8'))])
case('secrets-created-then-read', 'records-reveal',
     [rec('secretsmanager', 'CreateSecret', {'name': 'build/npm-token', 'clientRequestToken': 't-1'},
          {'aRN': sm('build/npm-token-Lm3No4'), 'name': 'build/npm-token', 'versionId': 'v1'}),
      rec('secretsmanager', 'GetSecretValue', {'secretId': 'build/npm-token'})],
     [('secretsmanager:CreateSecret', sm('build/npm-token-Lm3No4')),
      ('secretsmanager:GetSecretValue', sm('build/npm-token-Lm3No4'))],
     [('secretsmanager:GetSecretValue', sm('build/npm-tokens-Lm3No4')),
      ('secretsmanager:GetSecretValue', sm('build/pypi-token-Lm3No4'))])
case('secrets-resource-policy', 'partial-identifier',
     [rec('secretsmanager', 'GetResourcePolicy', {'secretId': 'shared/license'})],
     [('secretsmanager:GetResourcePolicy', sm('shared/license-Tu5Vw6'))],
     [('secretsmanager:GetResourcePolicy', sm('shared/licenses-Tu5Vw6'))])

# ---------------------------------------------------------------- SSM Parameter Store
case('ssm-get-parameter-path-name', 'service-convention',
     [rec('ssm', 'GetParameter', {'name': '/app/prod/db-url', 'withDecryption': True})],
     [('ssm:GetParameter', arn('ssm', 'parameter/app/prod/db-url'))],
     [('ssm:GetParameter', arn('ssm', 'parameter/app/prod/db-url-old')),
      ('ssm:GetParameter', arn('ssm', 'parameter/app/staging/db-url'))],
     'the ARN of /app/prod/db-url is parameter/app/prod/db-url: the leading slash is not doubled')
case('ssm-get-parameter-plain-name', 'plain',
     [rec('ssm', 'GetParameter', {'name': 'release-channel'})],
     [('ssm:GetParameter', arn('ssm', 'parameter/release-channel'))],
     [('ssm:GetParameter', arn('ssm', 'parameter/release-channel-beta'))])
case('ssm-get-parameters-resources', 'resources-only',
     [rec('ssm', 'GetParameters', {'names': ['/ci/npm/token', '/ci/docker/password'], 'withDecryption': True},
          resources=[{'ARN': arn('ssm', 'parameter/ci/npm/token')},
                     {'ARN': arn('ssm', 'parameter/ci/docker/password')}])],
     [('ssm:GetParameters', arn('ssm', 'parameter/ci/npm/token')),
      ('ssm:GetParameters', arn('ssm', 'parameter/ci/docker/password'))],
     [('ssm:GetParameters', arn('ssm', 'parameter/ci/npm/admin-token')),
      ('ssm:GetParameters', arn('ssm', 'parameter/prod/docker/password'))])
case('ssm-put-parameter', 'plain',
     [rec('ssm', 'PutParameter', {'name': '/ci/build-number', 'type': 'String', 'overwrite': True},
          {'version': 12, 'tier': 'Standard'})],
     [('ssm:PutParameter', arn('ssm', 'parameter/ci/build-number'))],
     [('ssm:PutParameter', arn('ssm', 'parameter/ci/build-number-prod'))])
case('ssm-send-command-aws-document', 'service-convention',
     [rec('ssm', 'SendCommand', {'instanceIds': ['i-0123456789abcdef0'], 'documentName': 'AWS-RunShellScript',
                                  'parameters': 'HIDDEN_DUE_TO_SECURITY_REASONS'},
          {'command': {'commandId': 'c-1', 'documentName': 'AWS-RunShellScript',
                       'instanceIds': ['i-0123456789abcdef0']}})],
     [('ssm:SendCommand', arn('ec2', 'instance/i-0123456789abcdef0')),
      ('ssm:SendCommand', 'arn:aws:ssm:%s::document/AWS-RunShellScript' % R)],
     [('ssm:SendCommand', arn('ec2', 'instance/i-0fedcba9876543210')),
      ('ssm:SendCommand', 'arn:aws:ssm:%s::document/AWS-RunPowerShellScript' % R)],
     'AWS-owned SSM documents have no account in their ARN')
case('ssm-get-parameter-arn', 'plain',
     [rec('ssm', 'GetParameter', {'name': arn('ssm', 'parameter/shared/vpc-id')})],
     [('ssm:GetParameter', arn('ssm', 'parameter/shared/vpc-id'))],
     [('ssm:GetParameter', arn('ssm', 'parameter/shared/vpc-ids'))])

# ---------------------------------------------------------------- CloudWatch Logs
LG = lambda name: arn('logs', 'log-group:' + name)
case('logs-create-log-group', 'service-convention',
     [rec('logs', 'CreateLogGroup', {'logGroupName': '/aws/lambda/orders-api'})],
     [('logs:CreateLogGroup', LG('/aws/lambda/orders-api:*'))],
     [('logs:CreateLogGroup', LG('/aws/lambda/orders-api-admin:*')),
      ('logs:CreateLogGroup', LG('/aws/lambda/orders:*'))],
     'log group actions are evaluated on log-group:NAME:* (CloudWatch Logs resources and operations)')
case('logs-create-log-stream', 'service-convention',
     [rec('logs', 'CreateLogStream', {'logGroupName': '/ecs/orders', 'logStreamName': 'web/web/5f1c'})],
     [('logs:CreateLogStream', LG('/ecs/orders:log-stream:web/web/5f1c'))],
     [('logs:CreateLogStream', LG('/ecs/orders-admin:log-stream:web/web/5f1c')),
      ('logs:CreateLogStream', LG('/ecs/payments:log-stream:web/web/5f1c'))])
case('logs-put-retention', 'service-convention',
     [rec('logs', 'PutRetentionPolicy', {'logGroupName': '/ci/builds', 'retentionInDays': 30})],
     [('logs:PutRetentionPolicy', LG('/ci/builds:*'))],
     [('logs:PutRetentionPolicy', LG('/ci/builds-prod:*'))])
case('logs-describe-streams', 'service-convention',
     [rec('logs', 'DescribeLogStreams', {'logGroupName': '/aws/codebuild/app', 'orderBy': 'LastEventTime',
                                          'descending': True})],
     [('logs:DescribeLogStreams', LG('/aws/codebuild/app:*'))],
     [('logs:DescribeLogStreams', LG('/aws/codebuild/app2:*'))])
case('logs-delete-log-group', 'service-convention',
     [rec('logs', 'DeleteLogGroup', {'logGroupName': 'preview-pr-42'})],
     [('logs:DeleteLogGroup', LG('preview-pr-42:*'))],
     [('logs:DeleteLogGroup', LG('preview-pr-421:*')), ('logs:DeleteLogGroup', LG('preview-pr-4:*'))])
case('logs-subscription-filter', 'service-convention',
     [rec('logs', 'PutSubscriptionFilter', {'logGroupName': '/app/audit', 'filterName': 'to-kinesis',
                                             'filterPattern': '',
                                             'destinationArn': arn('kinesis', 'stream/audit')})],
     [('logs:PutSubscriptionFilter', LG('/app/audit:*'))],
     [('logs:PutSubscriptionFilter', LG('/app/audit-archive:*'))])
case('logs-tag-resource-arn', 'service-convention',
     [rec('logs', 'TagResource', {'resourceArn': LG('/app/audit'), 'tags': {'team': 'sec'}})],
     [('logs:TagResource', LG('/app/audit'))],
     [('logs:TagResource', LG('/app/audit2'))],
     'TagResource, UntagResource and ListTagsForResource are evaluated on the log group ARN without :*')
case('logs-start-query', 'service-convention',
     [rec('logs', 'StartQuery', {'logGroupNames': ['/app/web', '/app/worker'], 'startTime': 1, 'endTime': 2,
                                 'queryString': 'fields @message'}, {'queryId': 'q-1'})],
     [('logs:StartQuery', LG('/app/web:*')), ('logs:StartQuery', LG('/app/worker:*'))],
     [('logs:StartQuery', LG('/app/admin:*'))])
case('logs-associate-kms', 'service-convention',
     [rec('logs', 'AssociateKmsKey', {'logGroupName': '/app/secure', 'kmsKeyId': arn('kms', 'key/1234abcd')})],
     [('logs:AssociateKmsKey', LG('/app/secure:*'))],
     [('logs:AssociateKmsKey', LG('/app/secure-2:*'))])

# ---------------------------------------------------------------- Lambda
FN = lambda rest: arn('lambda', 'function:' + rest)
case('lambda-get-function-qualifier', 'qualified-arn',
     [rec('lambda', 'GetFunction20150331v2', {'functionName': 'orders-api', 'qualifier': '7'})],
     [('lambda:GetFunction', FN('orders-api:7'))],
     [('lambda:GetFunction', FN('orders-api:8')), ('lambda:GetFunction', FN('orders-api-admin'))])
case('lambda-config-alias-arn', 'qualified-arn',
     [rec('lambda', 'GetFunctionConfiguration20150331v2', {'functionName': FN('orders-api:live')})],
     [('lambda:GetFunctionConfiguration', FN('orders-api:live'))],
     [('lambda:GetFunctionConfiguration', FN('orders-api:staging')),
      ('lambda:GetFunctionConfiguration', FN('payments-api:live'))])
case('lambda-invoke-alias', 'qualified-arn',
     [rec('lambda', 'Invoke', {'functionName': FN('thumbnailer:prod')},
          resources=[{'type': 'AWS::Lambda::Function', 'ARN': FN('thumbnailer:prod')}])],
     [('lambda:InvokeFunction', FN('thumbnailer:prod'))],
     [('lambda:InvokeFunction', FN('thumbnailer:dev')), ('lambda:InvokeFunction', FN('resizer:prod'))])
case('lambda-add-permission-qualifier', 'qualified-arn',
     [rec('lambda', 'AddPermission20150331v2', {'functionName': 'webhook', 'statementId': 's3-invoke',
                                                 'action': 'lambda:InvokeFunction',
                                                 'principal': 's3.amazonaws.com', 'qualifier': 'live'},
          {'statement': '{"Sid":"s3-invoke"}'})],
     [('lambda:AddPermission', FN('webhook:live'))],
     [('lambda:AddPermission', FN('webhook:dev')), ('lambda:AddPermission', FN('webhook-admin:live'))])
case('lambda-provisioned-concurrency', 'qualified-arn',
     [rec('lambda', 'PutProvisionedConcurrencyConfig', {'functionName': 'checkout', 'qualifier': 'live',
                                                         'provisionedConcurrentExecutions': 5},
          {'requestedProvisionedConcurrentExecutions': 5, 'status': 'IN_PROGRESS'})],
     [('lambda:PutProvisionedConcurrencyConfig', FN('checkout:live'))],
     [('lambda:PutProvisionedConcurrencyConfig', FN('checkout:canary')),
      ('lambda:PutProvisionedConcurrencyConfig', FN('checkout-v2:live'))])
case('lambda-update-code-name', 'plain',
     [rec('lambda', 'UpdateFunctionCode20150331v2', {'functionName': 'orders-api', 'publish': True,
                                                      's3Bucket': 'artifacts', 's3Key': 'orders.zip'},
          {'functionName': 'orders-api', 'functionArn': FN('orders-api:12'), 'version': '12'})],
     [('lambda:UpdateFunctionCode', FN('orders-api'))],
     [('lambda:UpdateFunctionCode', FN('orders-api-admin'))])
case('lambda-delete-version', 'qualified-arn',
     [rec('lambda', 'DeleteFunction20150331', {'functionName': 'report-gen', 'qualifier': '3'})],
     [('lambda:DeleteFunction', FN('report-gen:3'))],
     [('lambda:DeleteFunction', FN('report-gen')), ('lambda:DeleteFunction', FN('report-gen:4'))])
case('lambda-get-policy-name-qualifier', 'qualified-arn',
     [rec('lambda', 'GetPolicy20150331v2', {'functionName': 'api:blue'})],
     [('lambda:GetPolicy', FN('api:blue'))],
     [('lambda:GetPolicy', FN('api:green'))])
case('lambda-layer-version', 'plain',
     [rec('lambda', 'GetLayerVersion20181031', {'layerName': 'shared-deps', 'versionNumber': 4})],
     [('lambda:GetLayerVersion', arn('lambda', 'layer:shared-deps:4'))],
     [('lambda:GetLayerVersion', arn('lambda', 'layer:shared-deps-dev:4'))])

# ---------------------------------------------------------------- IAM
IAMA = lambda rest, account=A: 'arn:aws:iam::%s:%s' % (account, rest)
case('iam-create-access-key-self', 'self',
     [rec('iam', 'CreateAccessKey', None,
          {'accessKey': {'accessKeyId': 'AKIANEWKEY', 'status': 'Active', 'userName': 'alice',
                         'createDate': 'Nov 10, 2026 10:00:00 AM'}}, who=USER)],
     [('iam:CreateAccessKey', USER)],
     [('iam:CreateAccessKey', IAMA('user/ops/bob')), ('iam:CreateAccessKey', IAMA('user/admin'))],
     'without UserName IAM acts on the caller')
case('iam-list-access-keys-self', 'self',
     [rec('iam', 'ListAccessKeys', None, who=USER)],
     [('iam:ListAccessKeys', USER)],
     [('iam:ListAccessKeys', IAMA('user/ops/bob'))])
case('iam-delete-access-key-self', 'self',
     [rec('iam', 'DeleteAccessKey', {'accessKeyId': 'AKIAOLDKEY'}, who=USER)],
     [('iam:DeleteAccessKey', USER)],
     [('iam:DeleteAccessKey', IAMA('user/ops/bob'))])
case('iam-list-mfa-self', 'self',
     [rec('iam', 'ListMFADevices', {}, who=USER)],
     [('iam:ListMFADevices', USER)],
     [('iam:ListMFADevices', IAMA('user/ops/bob'))])
case('iam-change-password', 'self',
     [rec('iam', 'ChangePassword', None, who=USER)],
     [('iam:ChangePassword', USER)],
     [('iam:ChangePassword', IAMA('user/ops/bob'))])
case('iam-get-user-self', 'self',
     [rec('iam', 'GetUser', None, who=USER)],
     [('iam:GetUser', USER)],
     [('iam:GetUser', IAMA('user/ops/bob'))])
case('iam-create-access-key-named', 'plain',
     [rec('iam', 'CreateAccessKey', {'userName': 'svc-backup'},
          {'accessKey': {'accessKeyId': 'AKIANEW2', 'status': 'Active', 'userName': 'svc-backup',
                         'createDate': 'Nov 10, 2026 10:00:00 AM'}})],
     [('iam:CreateAccessKey', IAMA('user/svc-backup'))],
     [('iam:CreateAccessKey', IAMA('user/svc-backup-admin'))])
case('iam-role-path-from-create', 'records-reveal',
     [rec('iam', 'CreateRole', {'roleName': 'app-runner', 'path': '/services/',
                                'assumeRolePolicyDocument': '{}'},
          {'role': {'path': '/services/', 'roleName': 'app-runner', 'roleId': 'AROANEW',
                    'arn': IAMA('role/services/app-runner'), 'createDate': 'Nov 10, 2026 10:00:00 AM',
                    'assumeRolePolicyDocument': '%7B%7D'}}),
      rec('iam', 'AttachRolePolicy', {'roleName': 'app-runner',
                                      'policyArn': 'arn:aws:iam::aws:policy/ReadOnlyAccess'}),
      rec('iam', 'GetRole', {'roleName': 'app-runner'})],
     [('iam:CreateRole', IAMA('role/services/app-runner')),
      ('iam:AttachRolePolicy', IAMA('role/services/app-runner')),
      ('iam:GetRole', IAMA('role/services/app-runner'))],
     [('iam:AttachRolePolicy', IAMA('role/services/app-runner-admin')),
      ('iam:GetRole', IAMA('role/services/other')),
      ('iam:AttachRolePolicy', IAMA('role/app-runner2'))])
case('iam-role-path-from-passrole', 'records-reveal',
     [rec('lambda', 'CreateFunction20150331', {'functionName': 'ingest', 'runtime': 'python3.12',
                                                'role': IAMA('role/lambda/ingest-exec'), 'handler': 'h.h'},
          {'functionName': 'ingest', 'functionArn': FN('ingest'), 'role': IAMA('role/lambda/ingest-exec')}),
      rec('iam', 'PutRolePolicy', {'roleName': 'ingest-exec', 'policyName': 'inline',
                                   'policyDocument': '{}'})],
     [('iam:PutRolePolicy', IAMA('role/lambda/ingest-exec')),
      ('iam:PassRole', IAMA('role/lambda/ingest-exec'))],
     [('iam:PutRolePolicy', IAMA('role/lambda/ingest-exec-admin')),
      ('iam:PutRolePolicy', IAMA('role/lambda/other-exec'))])
case('iam-role-default-path', 'plain',
     [rec('iam', 'UpdateAssumeRolePolicy', {'roleName': 'batch-runner', 'policyDocument': '{}'})],
     [('iam:UpdateAssumeRolePolicy', IAMA('role/batch-runner'))],
     [('iam:UpdateAssumeRolePolicy', IAMA('role/batch-runner-admin')),
      ('iam:UpdateAssumeRolePolicy', IAMA('role/admin'))])
case('iam-user-path-from-create', 'records-reveal',
     [rec('iam', 'CreateUser', {'userName': 'svc-sync', 'path': '/svc/'},
          {'user': {'path': '/svc/', 'userName': 'svc-sync', 'userId': 'AIDANEW',
                    'arn': IAMA('user/svc/svc-sync'), 'createDate': 'Nov 10, 2026 10:00:00 AM'}}),
      rec('iam', 'AttachUserPolicy', {'userName': 'svc-sync',
                                      'policyArn': IAMA('policy/sync-access')})],
     [('iam:CreateUser', IAMA('user/svc/svc-sync')), ('iam:AttachUserPolicy', IAMA('user/svc/svc-sync'))],
     [('iam:AttachUserPolicy', IAMA('user/svc/svc-sync-admin')), ('iam:AttachUserPolicy', IAMA('user/admin'))])
case('iam-instance-profile-path', 'records-reveal',
     [rec('iam', 'CreateInstanceProfile', {'instanceProfileName': 'web', 'path': '/ec2/'},
          {'instanceProfile': {'path': '/ec2/', 'instanceProfileName': 'web', 'instanceProfileId': 'AIPANEW',
                               'arn': IAMA('instance-profile/ec2/web'), 'createDate': 'x', 'roles': []}}),
      rec('iam', 'AddRoleToInstanceProfile', {'instanceProfileName': 'web', 'roleName': 'web'})],
     [('iam:AddRoleToInstanceProfile', IAMA('instance-profile/ec2/web'))],
     [('iam:AddRoleToInstanceProfile', IAMA('instance-profile/ec2/web-admin'))])

# ---------------------------------------------------------------- STS, S3
case('sts-assume-role', 'plain',
     [rec('sts', 'AssumeRole', {'roleArn': IAMA('role/deploy/prod', B), 'roleSessionName': 'gh-4411'},
          {'assumedRoleUser': {'arn': 'arn:aws:sts::%s:assumed-role/prod/gh-4411' % B}})],
     [('sts:AssumeRole', IAMA('role/deploy/prod', B))],
     [('sts:AssumeRole', IAMA('role/deploy/admin', B))])
S3O = lambda b, k: 'arn:aws:s3:::%s/%s' % (b, k)
case('s3-get-object', 'plain',
     [rec('s3', 'GetObject', {'bucketName': 'artifacts', 'key': 'builds/app.zip', 'Host': 'artifacts.s3.amazonaws.com'},
          resources=[{'type': 'AWS::S3::Object', 'ARN': S3O('artifacts', 'builds/app.zip')},
                     {'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::artifacts'}])],
     [('s3:GetObject', S3O('artifacts', 'builds/app.zip'))],
     [('s3:GetObject', S3O('artifacts', 'secrets/app.env')), ('s3:GetObject', S3O('artifacts-prod', 'builds/app.zip'))])
case('s3-key-with-wildcard-chars', 'plain',
     [rec('s3', 'PutObject', {'bucketName': 'reports', 'key': 'q?1/*.csv', 'Host': 'reports.s3.amazonaws.com'},
          resources=[{'type': 'AWS::S3::Object', 'ARN': S3O('reports', 'q?1/*.csv')},
                     {'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::reports'}])],
     [('s3:PutObject', S3O('reports', 'q?1/*.csv'))],
     [('s3:PutObject', S3O('reports', 'qx1/a.csv')), ('s3:PutObject', S3O('reports', 'q?1/x.csv'))],
     'a key containing * and ? stays literal (escaped as ${*} and ${?})')
case('s3-list-bucket', 'plain',
     [rec('s3', 'ListObjects', {'bucketName': 'artifacts', 'prefix': 'builds/', 'list-type': '2',
                                'Host': 'artifacts.s3.amazonaws.com'},
          resources=[{'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::artifacts'}])],
     [('s3:ListBucket', 'arn:aws:s3:::artifacts')],
     [('s3:ListBucket', 'arn:aws:s3:::artifacts-prod')])

# ---------------------------------------------------------------- DynamoDB
TB = lambda rest: arn('dynamodb', 'table/' + rest)
case('dynamodb-query-index', 'service-convention',
     [rec('dynamodb', 'Query', {'tableName': 'orders', 'indexName': 'by-customer',
                                'keyConditionExpression': 'customerId = :c'},
          resources=[{'type': 'AWS::DynamoDB::Table', 'ARN': TB('orders')}])],
     [('dynamodb:Query', TB('orders/index/by-customer'))],
     [('dynamodb:Query', TB('orders/index/by-status')), ('dynamodb:Query', TB('payments/index/by-customer'))],
     'a Query on an index is evaluated on the index ARN')
case('dynamodb-scan-index', 'service-convention',
     [rec('dynamodb', 'Scan', {'tableName': 'events', 'indexName': 'gsi1'},
          resources=[{'type': 'AWS::DynamoDB::Table', 'ARN': TB('events')}])],
     [('dynamodb:Scan', TB('events/index/gsi1'))],
     [('dynamodb:Scan', TB('events/index/gsi2'))])
case('dynamodb-get-item', 'plain',
     [rec('dynamodb', 'GetItem', {'tableName': 'sessions', 'key': {'id': 'HIDDEN'}},
          resources=[{'type': 'AWS::DynamoDB::Table', 'ARN': TB('sessions')}])],
     [('dynamodb:GetItem', TB('sessions'))],
     [('dynamodb:GetItem', TB('sessions-archive'))])
case('dynamodb-describe-table', 'plain',
     [rec('dynamodb', 'DescribeTable', {'tableName': 'terraform-locks'})],
     [('dynamodb:DescribeTable', TB('terraform-locks'))],
     [('dynamodb:DescribeTable', TB('terraform-locks-prod'))])
case('dynamodb-stream-describe', 'plain',
     [rec('dynamodb', 'DescribeStream', {'streamArn': TB('orders/stream/2026-11-01T00:00:00.000')})],
     [('dynamodb:DescribeStream', TB('orders/stream/2026-11-01T00:00:00.000'))],
     [('dynamodb:DescribeStream', TB('payments/stream/2026-11-01T00:00:00.000'))])

# ---------------------------------------------------------------- Kinesis, SQS, SNS, Firehose
KS = lambda name: arn('kinesis', 'stream/' + name)
case('kinesis-get-records-iterator', 'resources-only',
     [rec('kinesis', 'GetRecords', {'shardIterator': 'AAAAAAAAAAHx', 'limit': 100},
          resources=[{'type': 'AWS::Kinesis::Stream', 'ARN': KS('clicks')}])],
     [('kinesis:GetRecords', KS('clicks'))],
     [('kinesis:GetRecords', KS('clicks-raw')), ('kinesis:GetRecords', KS('orders'))],
     'the shard iterator does not name the stream; resources[] does')
case('kinesis-put-record', 'plain',
     [rec('kinesis', 'PutRecord', {'streamName': 'clicks', 'partitionKey': 'u-1'},
          resources=[{'type': 'AWS::Kinesis::Stream', 'ARN': KS('clicks')}])],
     [('kinesis:PutRecord', KS('clicks'))],
     [('kinesis:PutRecord', KS('clicks-raw'))])
case('kinesis-shard-iterator', 'plain',
     [rec('kinesis', 'GetShardIterator', {'streamName': 'orders', 'shardId': 'shardId-000000000000',
                                           'shardIteratorType': 'LATEST'},
          resources=[{'type': 'AWS::Kinesis::Stream', 'ARN': KS('orders')}])],
     [('kinesis:GetShardIterator', KS('orders'))],
     [('kinesis:GetShardIterator', KS('orders-dlq'))])
case('kinesis-describe-summary', 'plain',
     [rec('kinesis', 'DescribeStreamSummary', {'streamName': 'audit'})],
     [('kinesis:DescribeStreamSummary', KS('audit'))],
     [('kinesis:DescribeStreamSummary', KS('audit-2'))])
Q = lambda name, account=A: 'arn:aws:sqs:%s:%s:%s' % (R, account, name)
case('sqs-send-message', 'plain',
     [rec('sqs', 'SendMessage', {'queueUrl': 'https://sqs.us-east-1.amazonaws.com/%s/jobs' % A,
                                 'messageBody': 'HIDDEN_DUE_TO_SECURITY_REASONS'},
          {'mD5OfMessageBody': 'x', 'messageId': 'm-1'})],
     [('sqs:SendMessage', Q('jobs'))],
     [('sqs:SendMessage', Q('jobs-dlq'))])
case('sqs-receive-cross-account', 'plain',
     [rec('sqs', 'ReceiveMessage', {'queueUrl': 'https://sqs.us-east-1.amazonaws.com/%s/shared-events' % B,
                                    'maxNumberOfMessages': 10})],
     [('sqs:ReceiveMessage', Q('shared-events', B))],
     [('sqs:ReceiveMessage', Q('shared-events', A)), ('sqs:ReceiveMessage', Q('shared-events-dlq', B))])
case('sqs-get-queue-url', 'plain',
     [rec('sqs', 'GetQueueUrl', {'queueName': 'builds'},
          {'queueUrl': 'https://sqs.us-east-1.amazonaws.com/%s/builds' % A})],
     [('sqs:GetQueueUrl', Q('builds'))],
     [('sqs:GetQueueUrl', Q('builds-prod'))])
case('sns-publish', 'plain',
     [rec('sns', 'Publish', {'topicArn': arn('sns', 'deploys'), 'message': 'HIDDEN_DUE_TO_SECURITY_REASONS'},
          {'messageId': 'm-1'})],
     [('sns:Publish', arn('sns', 'deploys'))],
     [('sns:Publish', arn('sns', 'deploys-prod'))])
case('firehose-describe', 'plain',
     [rec('firehose', 'DescribeDeliveryStream', {'deliveryStreamName': 'events-to-s3'})],
     [('firehose:DescribeDeliveryStream', arn('firehose', 'deliverystream/events-to-s3'))],
     [('firehose:DescribeDeliveryStream', arn('firehose', 'deliverystream/events-to-s3-v2'))])

# ---------------------------------------------------------------- KMS
KEY = arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab')
case('kms-encrypt-alias', 'resources-only',
     [rec('kms', 'Encrypt', {'keyId': 'alias/app-data', 'encryptionAlgorithm': 'SYMMETRIC_DEFAULT'},
          resources=[{'type': 'AWS::KMS::Key', 'ARN': KEY}])],
     [('kms:Encrypt', KEY)],
     [('kms:Encrypt', arn('kms', 'key/9999abcd-12ab-34cd-56ef-1234567890ab'))],
     'a call by alias is evaluated on the key it points to, which resources[] names')
case('kms-decrypt', 'resources-only',
     [rec('kms', 'Decrypt', {'encryptionAlgorithm': 'SYMMETRIC_DEFAULT'},
          resources=[{'type': 'AWS::KMS::Key', 'ARN': KEY}])],
     [('kms:Decrypt', KEY)],
     [('kms:Decrypt', arn('kms', 'key/9999abcd-12ab-34cd-56ef-1234567890ab'))])
case('kms-describe-key-alias-arn', 'plain',
     [rec('kms', 'DescribeKey', {'keyId': arn('kms', 'alias/app-data')},
          resources=[{'type': 'AWS::KMS::Key', 'ARN': KEY}])],
     [('kms:DescribeKey', KEY)],
     [('kms:DescribeKey', arn('kms', 'key/9999abcd-12ab-34cd-56ef-1234567890ab'))])

# ---------------------------------------------------------------- CloudFormation
STACK = lambda name, uid='1b2c3d4e-0000-4000-8000-00000000a001': arn('cloudformation', 'stack/%s/%s' % (name, uid))
CS = arn('cloudformation', 'changeSet/pr-42/5e6f7a8b-0000-4000-8000-00000000c042')
case('cfn-execute-change-set-arn', 'records-reveal',
     [rec('cloudformation', 'CreateChangeSet', {'stackName': 'orders-api', 'changeSetName': 'pr-42',
                                                'changeSetType': 'UPDATE',
                                                'templateURL': 'https://artifacts.s3.amazonaws.com/t.yaml'},
          {'id': CS, 'stackId': STACK('orders-api')}),
      rec('cloudformation', 'DescribeChangeSet', {'changeSetName': CS}),
      rec('cloudformation', 'ExecuteChangeSet', {'changeSetName': CS})],
     [('cloudformation:CreateChangeSet', STACK('orders-api')),
      ('cloudformation:DescribeChangeSet', STACK('orders-api')),
      ('cloudformation:ExecuteChangeSet', STACK('orders-api'))],
     [('cloudformation:ExecuteChangeSet', STACK('payments-api')),
      ('cloudformation:ExecuteChangeSet', STACK('orders-api-admin')),
      ('cloudformation:DescribeChangeSet', STACK('payments-api'))],
     'a change set ARN does not contain its stack; the CreateChangeSet response does')
case('cfn-create-stack', 'partial-identifier',
     [rec('cloudformation', 'CreateStack', {'stackName': 'preview-web', 'templateURL': 'https://x/t.yaml'},
          {'stackId': STACK('preview-web')})],
     [('cloudformation:CreateStack', STACK('preview-web'))],
     [('cloudformation:CreateStack', STACK('preview-web-admin')),
      ('cloudformation:CreateStack', STACK('prod-web'))])
case('cfn-describe-stack-by-name', 'partial-identifier',
     [rec('cloudformation', 'DescribeStacks', {'stackName': 'network'})],
     [('cloudformation:DescribeStacks', STACK('network', '9a8b7c6d-0000-4000-8000-00000000b002'))],
     [('cloudformation:DescribeStacks', STACK('network-prod', '9a8b7c6d-0000-4000-8000-00000000b002'))])
case('cfn-update-stack-by-id', 'plain',
     [rec('cloudformation', 'UpdateStack', {'stackName': STACK('web'), 'usePreviousTemplate': True},
          {'stackId': STACK('web')})],
     [('cloudformation:UpdateStack', STACK('web'))],
     [('cloudformation:UpdateStack', STACK('web2'))])
case('cfn-delete-change-set-name', 'plain',
     [rec('cloudformation', 'DeleteChangeSet', {'changeSetName': 'pr-7', 'stackName': 'web'})],
     [('cloudformation:DeleteChangeSet', STACK('web'))],
     [('cloudformation:DeleteChangeSet', STACK('web-admin'))])

# ---------------------------------------------------------------- Athena, Glue
WG = lambda name: arn('athena', 'workgroup/' + name)
QID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'
QID2 = 'b2c3d4e5-6789-01ab-cdef-EXAMPLE22222'
case('athena-start-workgroup', 'plain',
     [rec('athena', 'StartQueryExecution', {'queryString': 'SELECT 1', 'workGroup': 'analytics',
                                            'queryExecutionContext': {'database': 'web'}},
          {'queryExecutionId': QID})],
     [('athena:StartQueryExecution', WG('analytics'))],
     [('athena:StartQueryExecution', WG('analytics-admin')), ('athena:StartQueryExecution', WG('primary'))])
case('athena-start-default-workgroup', 'service-convention',
     [rec('athena', 'StartQueryExecution', {'queryString': 'SELECT 1',
                                            'queryExecutionContext': {'database': 'web'}},
          {'queryExecutionId': QID2})],
     [('athena:StartQueryExecution', WG('primary'))],
     [('athena:StartQueryExecution', WG('analytics'))],
     'a query without a work group runs in the primary work group')
case('athena-get-execution-workgroup', 'records-reveal',
     [rec('athena', 'StartQueryExecution', {'queryString': 'SELECT 1', 'workGroup': 'etl'},
          {'queryExecutionId': QID}),
      rec('athena', 'GetQueryExecution', {'queryExecutionId': QID}),
      rec('athena', 'GetQueryResults', {'queryExecutionId': QID, 'maxResults': 1000})],
     [('athena:GetQueryExecution', WG('etl')), ('athena:GetQueryResults', WG('etl'))],
     [('athena:GetQueryExecution', WG('adhoc')), ('athena:GetQueryResults', WG('etl-admin'))])
case('athena-results-primary', 'records-reveal',
     [rec('athena', 'StartQueryExecution', {'queryString': 'SELECT 2'}, {'queryExecutionId': QID2}),
      rec('athena', 'GetQueryResults', {'queryExecutionId': QID2})],
     [('athena:GetQueryResults', WG('primary'))],
     [('athena:GetQueryResults', WG('analytics'))])
GL = lambda rest: arn('glue', rest)
case('glue-get-table', 'service-convention',
     [rec('glue', 'GetTable', {'databaseName': 'web', 'name': 'clicks'})],
     [('glue:GetTable', GL('catalog')), ('glue:GetTable', GL('database/web')),
      ('glue:GetTable', GL('table/web/clicks'))],
     [('glue:GetTable', GL('table/web/orders')), ('glue:GetTable', GL('table/crm/clicks'))],
     'Glue evaluates table calls on the catalog, the database and the table')
case('glue-get-partition', 'service-convention',
     [rec('glue', 'GetPartition', {'databaseName': 'logs', 'tableName': 'alb', 'partitionValues': ['2026', '11']})],
     [('glue:GetPartition', GL('catalog')), ('glue:GetPartition', GL('database/logs')),
      ('glue:GetPartition', GL('table/logs/alb'))],
     [('glue:GetPartition', GL('table/logs/nlb'))])
case('glue-start-job', 'plain',
     [rec('glue', 'StartJobRun', {'jobName': 'nightly-etl'}, {'jobRunId': 'jr_1'})],
     [('glue:StartJobRun', GL('job/nightly-etl'))],
     [('glue:StartJobRun', GL('job/nightly-etl-v2'))])

# ---------------------------------------------------------------- ECR, ECS, Batch, EKS
REPO = lambda name, account=A: 'arn:aws:ecr:%s:%s:repository/%s' % (R, account, name)
case('ecr-put-image', 'plain',
     [rec('ecr', 'PutImage', {'repositoryName': 'orders-api', 'imageTag': 'v42', 'registryId': A},
          {'image': {'repositoryName': 'orders-api', 'registryId': A}})],
     [('ecr:PutImage', REPO('orders-api'))],
     [('ecr:PutImage', REPO('orders-api-base'))])
case('ecr-pull-cross-account', 'plain',
     [rec('ecr', 'BatchGetImage', {'repositoryName': 'base/python', 'registryId': B,
                                   'imageIds': [{'imageTag': '3.12'}]})],
     [('ecr:BatchGetImage', REPO('base/python', B))],
     [('ecr:BatchGetImage', REPO('base/python', A)), ('ecr:BatchGetImage', REPO('base/node', B))])
ECS = lambda rest: arn('ecs', rest)
case('ecs-update-service-default-cluster', 'service-convention',
     [rec('ecs', 'UpdateService', {'service': 'web', 'desiredCount': 2})],
     [('ecs:UpdateService', ECS('service/default/web'))],
     [('ecs:UpdateService', ECS('service/default/web-admin')), ('ecs:UpdateService', ECS('service/prod/web'))],
     'without cluster, ECS uses the cluster named default')
case('ecs-update-service-cluster', 'plain',
     [rec('ecs', 'UpdateService', {'cluster': 'prod', 'service': 'orders', 'forceNewDeployment': True})],
     [('ecs:UpdateService', ECS('service/prod/orders'))],
     [('ecs:UpdateService', ECS('service/prod/payments')), ('ecs:UpdateService', ECS('service/staging/orders'))])
case('ecs-run-task-family', 'partial-identifier',
     [rec('ecs', 'RunTask', {'cluster': 'batch', 'taskDefinition': 'migrate', 'count': 1, 'launchType': 'FARGATE'})],
     [('ecs:RunTask', ECS('task-definition/migrate:14'))],
     [('ecs:RunTask', ECS('task-definition/migrate-admin:1')), ('ecs:RunTask', ECS('task-definition/seed:14'))],
     'a family without a revision runs its latest revision')
case('ecs-run-task-revision', 'plain',
     [rec('ecs', 'RunTask', {'cluster': 'batch', 'taskDefinition': 'migrate:7', 'count': 1})],
     [('ecs:RunTask', ECS('task-definition/migrate:7'))],
     [('ecs:RunTask', ECS('task-definition/seed:7'))])
case('ecs-describe-services', 'plain',
     [rec('ecs', 'DescribeServices', {'cluster': 'prod', 'services': ['orders', 'payments']})],
     [('ecs:DescribeServices', ECS('service/prod/orders')), ('ecs:DescribeServices', ECS('service/prod/payments'))],
     [('ecs:DescribeServices', ECS('service/prod/admin'))])
case('batch-submit-job-definition-name', 'partial-identifier',
     [rec('batch', 'SubmitJob', {'jobName': 'nightly', 'jobQueue': 'builds', 'jobDefinition': 'compile'},
          {'jobName': 'nightly', 'jobId': 'j-1', 'jobArn': arn('batch', 'job/j-1')})],
     [('batch:SubmitJob', arn('batch', 'job-queue/builds')), ('batch:SubmitJob', arn('batch', 'job-definition/compile:3'))],
     [('batch:SubmitJob', arn('batch', 'job-queue/builds-prod')),
      ('batch:SubmitJob', arn('batch', 'job-definition/compile-admin:1'))])
EKS = lambda rest: arn('eks', rest)
case('eks-describe-cluster', 'plain',
     [rec('eks', 'DescribeCluster', {'name': 'prod'})],
     [('eks:DescribeCluster', EKS('cluster/prod'))],
     [('eks:DescribeCluster', EKS('cluster/prod-2'))])
case('eks-describe-nodegroup', 'partial-identifier',
     [rec('eks', 'DescribeNodegroup', {'name': 'prod', 'nodegroupName': 'workers'})],
     [('eks:DescribeNodegroup', EKS('nodegroup/prod/workers/a1b2c3d4-0000-4000-8000-000000000001'))],
     [('eks:DescribeNodegroup', EKS('nodegroup/prod/workers-gpu/a1b2c3d4-0000-4000-8000-000000000001')),
      ('eks:DescribeNodegroup', EKS('nodegroup/staging/workers/a1b2c3d4-0000-4000-8000-000000000001'))],
     'a node group ARN ends with an ID the request does not carry')

# ---------------------------------------------------------------- Step Functions, EventBridge, CodeBuild
SM = arn('states', 'stateMachine:order-flow')
case('states-start-execution', 'plain',
     [rec('states', 'StartExecution', {'stateMachineArn': SM, 'name': 'run-1', 'input': 'HIDDEN'},
          {'executionArn': arn('states', 'execution:order-flow:run-1'), 'startDate': 'x'})],
     [('states:StartExecution', SM)],
     [('states:StartExecution', arn('states', 'stateMachine:order-flow-v2'))])
case('states-describe-execution', 'plain',
     [rec('states', 'DescribeExecution', {'executionArn': arn('states', 'execution:order-flow:run-1')})],
     [('states:DescribeExecution', arn('states', 'execution:order-flow:run-1'))],
     [('states:DescribeExecution', arn('states', 'execution:payment-flow:run-1'))])
EV = lambda rest: arn('events', rest)
case('events-put-rule-default-bus', 'service-convention',
     [rec('events', 'PutRule', {'name': 'nightly', 'scheduleExpression': 'cron(0 2 * * ? *)'},
          {'ruleArn': EV('rule/nightly')})],
     [('events:PutRule', EV('rule/nightly'))],
     [('events:PutRule', EV('rule/nightly-2')), ('events:PutRule', EV('rule/orders/nightly'))])
case('events-put-rule-custom-bus', 'service-convention',
     [rec('events', 'PutRule', {'name': 'order-created', 'eventBusName': 'orders', 'eventPattern': '{}'},
          {'ruleArn': EV('rule/orders/order-created')})],
     [('events:PutRule', EV('rule/orders/order-created'))],
     [('events:PutRule', EV('rule/order-created')), ('events:PutRule', EV('rule/payments/order-created'))],
     'a rule on a custom bus is rule/BUS/NAME')
case('events-put-targets', 'plain',
     [rec('events', 'PutTargets', {'rule': 'nightly', 'targets': [{'id': '1', 'arn': FN('cleanup')}]},
          {'failedEntryCount': 0, 'failedEntries': []})],
     [('events:PutTargets', EV('rule/nightly'))],
     [('events:PutTargets', EV('rule/nightly-2'))])
CB = lambda name: arn('codebuild', 'project/' + name)
case('codebuild-start-build', 'plain',
     [rec('codebuild', 'StartBuild', {'projectName': 'orders-api'},
          {'build': {'id': 'orders-api:9c1f', 'arn': arn('codebuild', 'build/orders-api:9c1f')}})],
     [('codebuild:StartBuild', CB('orders-api'))],
     [('codebuild:StartBuild', CB('orders-api-release'))])
case('codebuild-batch-get-builds', 'service-convention',
     [rec('codebuild', 'BatchGetBuilds', {'ids': ['orders-api:9c1f5d3e-0000-4000-8000-000000000001']})],
     [('codebuild:BatchGetBuilds', CB('orders-api'))],
     [('codebuild:BatchGetBuilds', CB('payments-api'))],
     'build calls are evaluated on the build\'s project')
case('codebuild-stop-build', 'service-convention',
     [rec('codebuild', 'StopBuild', {'id': 'nightly:1e2d3c4b-0000-4000-8000-000000000002'})],
     [('codebuild:StopBuild', CB('nightly'))],
     [('codebuild:StopBuild', CB('nightly-prod'))])

# ---------------------------------------------------------------- CloudWatch, EC2, RDS and more
CW = lambda name: arn('cloudwatch', 'alarm:' + name)
case('cloudwatch-put-alarm', 'plain',
     [rec('monitoring', 'PutMetricAlarm', {'alarmName': 'orders-5xx', 'metricName': '5XX', 'threshold': 1.0})],
     [('cloudwatch:PutMetricAlarm', CW('orders-5xx'))],
     [('cloudwatch:PutMetricAlarm', CW('orders-5xx-critical'))])
case('cloudwatch-delete-alarms', 'plain',
     [rec('monitoring', 'DeleteAlarms', {'alarmNames': ['pr-42-latency', 'pr-42-errors']})],
     [('cloudwatch:DeleteAlarms', CW('pr-42-latency')), ('cloudwatch:DeleteAlarms', CW('pr-42-errors'))],
     [('cloudwatch:DeleteAlarms', CW('prod-latency'))])
EC2 = lambda rest: arn('ec2', rest)
case('ec2-start-instances', 'plain',
     [rec('ec2', 'StartInstances', {'instancesSet': {'items': [{'instanceId': 'i-0a1b2c3d4e5f60718'}]}},
          {'requestId': 'r', 'instancesSet': {'items': [{'instanceId': 'i-0a1b2c3d4e5f60718'}]}})],
     [('ec2:StartInstances', EC2('instance/i-0a1b2c3d4e5f60718'))],
     [('ec2:StartInstances', EC2('instance/i-0ffffffffffffffff'))])
case('ec2-delete-security-group', 'plain',
     [rec('ec2', 'DeleteSecurityGroup', {'groupId': 'sg-0123456789abcdef0'}, {'requestId': 'r', '_return': True})],
     [('ec2:DeleteSecurityGroup', EC2('security-group/sg-0123456789abcdef0'))],
     [('ec2:DeleteSecurityGroup', EC2('security-group/sg-0fedcba9876543210'))])
RDS = lambda rest: arn('rds', rest)
case('rds-modify-instance', 'plain',
     [rec('rds', 'ModifyDBInstance', {'dBInstanceIdentifier': 'orders-db', 'applyImmediately': True})],
     [('rds:ModifyDBInstance', RDS('db:orders-db'))],
     [('rds:ModifyDBInstance', RDS('db:orders-db-replica'))])
case('rds-create-snapshot', 'plain',
     [rec('rds', 'CreateDBSnapshot', {'dBSnapshotIdentifier': 'orders-pre-migrate', 'dBInstanceIdentifier': 'orders-db'})],
     [('rds:CreateDBSnapshot', RDS('db:orders-db')), ('rds:CreateDBSnapshot', RDS('snapshot:orders-pre-migrate'))],
     [('rds:CreateDBSnapshot', RDS('db:payments-db'))])
case('backup-start-job', 'plain',
     [rec('backup', 'StartBackupJob', {'backupVaultName': 'nightly', 'resourceArn': TB('orders'),
                                       'iamRoleArn': IAMA('role/service-role/backup')},
          {'backupJobId': 'b-1'})],
     [('backup:StartBackupJob', arn('backup', 'backup-vault:nightly'))],
     [('backup:StartBackupJob', arn('backup', 'backup-vault:nightly-cold'))])
case('efs-describe-file-system', 'plain',
     [rec('elasticfilesystem', 'DescribeFileSystems', {'fileSystemId': 'fs-0123abcd'})],
     [('elasticfilesystem:DescribeFileSystems', arn('elasticfilesystem', 'file-system/fs-0123abcd'))],
     [('elasticfilesystem:DescribeFileSystems', arn('elasticfilesystem', 'file-system/fs-9999abcd'))])
case('route53-change-records', 'plain',
     [rec('route53', 'ChangeResourceRecordSets', {'hostedZoneId': 'Z0123456789ABCDEFGHIJ',
                                                  'changeBatch': {'changes': [{'action': 'UPSERT'}]}},
          {'changeInfo': {'id': '/change/C1', 'status': 'PENDING'}})],
     [('route53:ChangeResourceRecordSets', 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ')],
     [('route53:ChangeResourceRecordSets', 'arn:aws:route53:::hostedzone/Z9999999999ABCDEFGHIJ')])
case('cognito-admin-get-user', 'plain',
     [rec('cognito-idp', 'AdminGetUser', {'userPoolId': 'us-east-1_AbCdEf123', 'username': 'HIDDEN_DUE_TO_SECURITY_REASONS'})],
     [('cognito-idp:AdminGetUser', arn('cognito-idp', 'userpool/us-east-1_AbCdEf123'))],
     [('cognito-idp:AdminGetUser', arn('cognito-idp', 'userpool/us-east-1_ZzZzZz999'))])
CERT = arn('acm', 'certificate/12345678-1234-1234-1234-123456789012')
case('acm-describe-certificate', 'plain',
     [rec('acm', 'DescribeCertificate', {'certificateArn': CERT})],
     [('acm:DescribeCertificate', CERT)],
     [('acm:DescribeCertificate', arn('acm', 'certificate/99999999-1234-1234-1234-123456789012'))])
case('codecommit-get-repository', 'plain',
     [rec('codecommit', 'GetRepository', {'repositoryName': 'infra'})],
     [('codecommit:GetRepository', arn('codecommit', 'infra'))],
     [('codecommit:GetRepository', arn('codecommit', 'infra-secrets'))])
case('codepipeline-start', 'plain',
     [rec('codepipeline', 'StartPipelineExecution', {'name': 'orders-release'}, {'pipelineExecutionId': 'p-1'})],
     [('codepipeline:StartPipelineExecution', arn('codepipeline', 'orders-release'))],
     [('codepipeline:StartPipelineExecution', arn('codepipeline', 'orders-release-prod'))])


def main():
    sources = sorted({r['eventSource'] for c in CASES for r in c['records']})
    out = {'_doc': 'Held-out resource-precision set; see docs/resource-precision.md. Generated by '
                   'make_held_out.py, written from the AWS documentation of CloudTrail records and IAM '
                   'evaluation; not tuned against.',
           'event_sources': sources, 'cases': CASES}
    sys.stdout.write(json.dumps(out, indent=1, sort_keys=True) + '\n')


if __name__ == '__main__':
    main()
