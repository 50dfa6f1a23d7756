#!/usr/bin/env python3
"""Write tests/mapping-cases/precision-*.json: mapping cases that prove resource precision.

Each case is one or more records of one principal, as CloudTrail logs them, and requests evaluated by
policygen's policy evaluator against the policy the whole pipeline writes from them (tests/it/maps.rs):
`allow` is what IAM evaluates for the calls, `deny` the sibling resources that must stay denied;
`diagnostics` are codes the run must report (a deliberate wildcard is a `wildcard-segment` note, a name
resolved through another record a `resource-resolved` note).

Records are either copied whole from tests/data/real/records.jsonl (written by CloudTrail; the line is in
`source`, provenance in tests/data/real/PROVENANCE.md) or built here in the shape of the AWS documentation's
CloudTrail examples of each service (the page is in `source`). One file per kind of precision problem.

    python3 tests/data/make_precision_cases.py            # (re)writes the files
    python3 tests/data/make_precision_cases.py --check    # exits 1 if a committed file differs
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, 'tests', 'mapping-cases')
REAL = os.path.join(HERE, 'real', 'records.jsonl')

ACCOUNT = '210987654321'
OTHER = '123412341234'
REGION = 'eu-west-1'
ROLE = 'arn:aws:iam::%s:role/deploy/gha-release' % ACCOUNT
USER = 'arn:aws:iam::%s:user/eng/dana' % ACCOUNT

FILES = {}
COUNT = [0]


def real(line):
    with open(REAL, encoding='utf-8') as f:
        return json.loads(f.read().split('\n')[line - 1])


def identity(who):
    if who == ROLE:
        return {'type': 'AssumedRole', 'principalId': 'AROAEXAMPLE:release-77',
                'arn': 'arn:aws:sts::%s:assumed-role/gha-release/release-77' % ACCOUNT, 'accountId': ACCOUNT,
                'accessKeyId': 'ASIAEXAMPLE',
                'sessionContext': {'sessionIssuer': {'type': 'Role', 'principalId': 'AROAEXAMPLE', 'arn': ROLE,
                                                     'accountId': ACCOUNT, 'userName': 'gha-release'},
                                   'webIdFederationData': {},
                                   'attributes': {'creationDate': '2026-10-02T08:00:00Z', 'mfaAuthenticated': 'false'}}}
    return {'type': 'IAMUser', 'principalId': 'AIDAEXAMPLE', 'arn': who, 'accountId': ACCOUNT,
            'accessKeyId': 'AKIAEXAMPLE', 'userName': who.rsplit('/', 1)[1]}


def rec(source, name, req, resp=None, resources=None, who=ROLE, region=REGION):
    COUNTER = COUNT[0] = COUNT[0] + 1
    r = {'eventVersion': '1.10', 'userIdentity': identity(who),
         'eventTime': '2026-10-02T09:%02d:%02dZ' % (COUNTER // 60 % 60, COUNTER % 60),
         'eventSource': source + '.amazonaws.com', 'eventName': name, 'awsRegion': region,
         'sourceIPAddress': '198.51.100.7', 'userAgent': 'Boto3/1.35.0', 'requestParameters': req,
         'responseElements': resp, 'requestID': 'r-%05d' % COUNTER,
         'eventID': 'c0ffee00-0000-4000-8000-%012d' % COUNTER, 'readOnly': name.startswith(('Get', 'Describe', 'List')),
         'eventType': 'AwsApiCall', 'managementEvent': resources is None, 'recipientAccountId': ACCOUNT,
         'eventCategory': 'Management' if resources is None else 'Data'}
    if resources is not None:
        r['resources'] = [dict({'accountId': ACCOUNT}, **x) for x in resources]
    return r


def arn(service, rest, region=REGION, account=ACCOUNT):
    return 'arn:aws:%s:%s:%s:%s' % (service, region, account, rest)


def case(kind, name, source, records, allow, deny, diagnostics=(), options=()):
    entry = {'name': name, 'source': source, 'records': records,
             'allow': [{'action': a, 'resource': r} for a, r in allow],
             'deny': [{'action': a, 'resource': r} for a, r in deny]}
    if diagnostics:
        entry['diagnostics'] = list(diagnostics)
    if options:
        entry['options'] = list(options)
    FILES.setdefault(kind, []).append(entry)


def doc(page):
    return 'built in the shape of the CloudTrail examples of the AWS documentation: %s' % page


def real_source(line):
    return 'tests/data/real/records.jsonl line %d (copied whole; provenance in tests/data/real/PROVENANCE.md)' % line


# ------------------------------------------------------------------ partial identifiers
SM_DOC = doc('Secrets Manager User Guide, "Log AWS Secrets Manager events with AWS CloudTrail"')
SEC = lambda n: arn('secretsmanager', 'secret:' + n)
case('partial-identifiers', 'secret by name: NAME-?????? covers its random suffix, not another name', SM_DOC,
     [rec('secretsmanager', 'GetSecretValue', {'secretId': 'payments/stripe-key'})],
     [('secretsmanager:GetSecretValue', SEC('payments/stripe-key-a1B2c3'))],
     [('secretsmanager:GetSecretValue', SEC('payments/stripe-key-old-a1B2c3')),
      ('secretsmanager:GetSecretValue', SEC('payments/stripe-keys-a1B2c3')),
      ('secretsmanager:GetSecretValue', SEC('payments/stripe-ke-a1B2c3'))],
     ['wildcard-segment'])
case('partial-identifiers', 'secret by partial ARN (no suffix), in another region', SM_DOC,
     [rec('secretsmanager', 'DescribeSecret', {'secretId': arn('secretsmanager', 'secret:ops/pagerduty', 'us-west-2')})],
     [('secretsmanager:DescribeSecret', arn('secretsmanager', 'secret:ops/pagerduty-Zz9Yy8', 'us-west-2'))],
     [('secretsmanager:DescribeSecret', arn('secretsmanager', 'secret:ops/pagerduty-Zz9Yy8')),
      ('secretsmanager:DescribeSecret', arn('secretsmanager', 'secret:ops/pagerduty-admin-Zz9Yy8', 'us-west-2'))],
     ['wildcard-segment'])
case('partial-identifiers', 'secret by full ARN stays exact', real_source(215),
     [real(215)],
     [('secretsmanager:GetSecretValue', real(215)['requestParameters']['secretId'])],
     [('secretsmanager:GetSecretValue',
       'arn:aws:secretsmanager:cn-centraleast-1r:903144391865:secret:stratus-red-team-retrieve-secret-19-AAAAAA')])
case('partial-identifiers', 'PutSecretValue by name', SM_DOC,
     [rec('secretsmanager', 'PutSecretValue', {'secretId': 'ci/deploy-token', 'clientRequestToken': 'tok-1'})],
     [('secretsmanager:PutSecretValue', SEC('ci/deploy-token-Qq1Ww2'))],
     [('secretsmanager:PutSecretValue', SEC('ci/deploy-tokens-Qq1Ww2'))], ['wildcard-segment'])
ECS_DOC = doc('Amazon ECS Developer Guide, "Log Amazon ECS API calls using AWS CloudTrail"')
case('partial-identifiers', 'ECS task definition family without revision runs its latest: family:*', ECS_DOC,
     [rec('ecs', 'RunTask', {'cluster': 'jobs', 'taskDefinition': 'db-migrate', 'count': 1, 'launchType': 'FARGATE'},
          {'tasks': [{'taskArn': arn('ecs', 'task/jobs/0a1b2c3d4e5f')}], 'failures': []})],
     [('ecs:RunTask', arn('ecs', 'task-definition/db-migrate:31'))],
     [('ecs:RunTask', arn('ecs', 'task-definition/db-migrate-v2:31')), ('ecs:RunTask', arn('ecs', 'task-definition/seed:31'))],
     ['wildcard-segment'])
BATCH_DOC = doc('AWS Batch User Guide, "Logging AWS Batch API calls with AWS CloudTrail"')
case('partial-identifiers', 'Batch job definition by name: NAME:* plus the queue and the new job', BATCH_DOC,
     [rec('batch', 'SubmitJob', {'jobName': 'render-77', 'jobQueue': 'gpu', 'jobDefinition': 'render'},
          {'jobName': 'render-77', 'jobId': 'a-b-c', 'jobArn': arn('batch', 'job/a-b-c')})],
     [('batch:SubmitJob', arn('batch', 'job-queue/gpu')), ('batch:SubmitJob', arn('batch', 'job-definition/render:4')),
      ('batch:SubmitJob', arn('batch', 'job/a-b-c'))],
     [('batch:SubmitJob', arn('batch', 'job-queue/cpu')), ('batch:SubmitJob', arn('batch', 'job-definition/render-hq:4'))],
     ['wildcard-segment'])
EKS_DOC = doc('Amazon EKS User Guide, "Log API calls as AWS CloudTrail events"')
case('partial-identifiers', 'EKS node group ARN ends with an ID the request lacks', EKS_DOC,
     [rec('eks', 'UpdateNodegroupConfig', {'name': 'platform', 'nodegroupName': 'spot', 'scalingConfig': {'desiredSize': 3}},
          {'update': {'id': 'u-1', 'status': 'InProgress'}})],
     [('eks:UpdateNodegroupConfig', arn('eks', 'nodegroup/platform/spot/5ec2b1d0-0000-4000-8000-000000000009'))],
     [('eks:UpdateNodegroupConfig', arn('eks', 'nodegroup/platform/spot-gpu/5ec2b1d0-0000-4000-8000-000000000009')),
      ('eks:UpdateNodegroupConfig', arn('eks', 'nodegroup/sandbox/spot/5ec2b1d0-0000-4000-8000-000000000009'))],
     ['wildcard-segment'])
CFN_DOC = doc('AWS CloudFormation User Guide, "Logging AWS CloudFormation API calls with AWS CloudTrail"')
STACK = lambda n, u='6f1d2e3c-0000-4000-8000-00000000f00d': arn('cloudformation', 'stack/%s/%s' % (n, u))
case('partial-identifiers', 'CloudFormation stack by name: stack/NAME/* (its ID is a UUID)', CFN_DOC,
     [rec('cloudformation', 'DeleteStack', {'stackName': 'pr-1187-preview'})],
     [('cloudformation:DeleteStack', STACK('pr-1187-preview'))],
     [('cloudformation:DeleteStack', STACK('pr-1187-preview-db')), ('cloudformation:DeleteStack', STACK('prod'))],
     ['wildcard-segment'])
case('partial-identifiers', 'CloudFormation stack set by name: stackset/NAME:* (its ID is NAME:UUID)', CFN_DOC,
     [rec('cloudformation', 'CreateStackInstances', {'stackSetName': 'guardrails', 'accounts': [OTHER], 'regions': ['eu-west-1']},
          {'operationId': 'op-1'})],
     [('cloudformation:CreateStackInstances', arn('cloudformation', 'stackset/guardrails:0b7e3f2a-0000-4000-8000-000000000001'))],
     [('cloudformation:CreateStackInstances', arn('cloudformation', 'stackset/guardrails-dev:0b7e3f2a-0000-4000-8000-000000000001'))],
     ['wildcard-segment'])
IAM_DOC = doc('IAM User Guide, "Logging IAM and AWS STS API calls with AWS CloudTrail"')
IAM = lambda rest, account=ACCOUNT: 'arn:aws:iam::%s:%s' % (account, rest)
case('partial-identifiers', 'IAM role by name without its path: role/NAME and role/*/NAME only', IAM_DOC,
     [rec('iam', 'DeleteRolePolicy', {'roleName': 'etl-runner', 'policyName': 'inline'})],
     [('iam:DeleteRolePolicy', IAM('role/etl-runner')), ('iam:DeleteRolePolicy', IAM('role/service-role/etl-runner')),
      ('iam:DeleteRolePolicy', IAM('role/a/b/etl-runner'))],
     [('iam:DeleteRolePolicy', IAM('role/etl-runner-admin')), ('iam:DeleteRolePolicy', IAM('role/service-role/x-etl-runner')),
      ('iam:DeleteRolePolicy', IAM('role/admin'))],
     ['wildcard-segment'])

# ------------------------------------------------------------------ what the principal's records reveal
case('revealed', 'secret created in the window, then read by name: the exact ARN', SM_DOC,
     [rec('secretsmanager', 'CreateSecret', {'name': 'svc/github-app-key', 'clientRequestToken': 't-9'},
          {'aRN': SEC('svc/github-app-key-Jk3Lm4'), 'name': 'svc/github-app-key', 'versionId': 'v-1'}),
      rec('secretsmanager', 'GetSecretValue', {'secretId': 'svc/github-app-key'})],
     [('secretsmanager:GetSecretValue', SEC('svc/github-app-key-Jk3Lm4'))],
     [('secretsmanager:GetSecretValue', SEC('svc/github-app-key-Xx0Xx0')),
      ('secretsmanager:GetSecretValue', SEC('svc/github-app-keys-Jk3Lm4'))],
     ['resource-resolved'])
case('revealed', 'role path from CreateRole response, then AttachRolePolicy by name', real_source(429) + '; the AttachRolePolicy record is built after it',
     [real(429),
      dict(real(428), eventID='added-attach-after-create', eventTime='2024-08-01T14:00:00Z',
           requestParameters={'policyArn': 'arn:aws:iam::aws:policy/ReadOnlyAccess', 'roleName': 'stratus-red-team-malicious-iam-role'})],
     [('iam:AttachRolePolicy', real(429)['responseElements']['role']['arn'])],
     [('iam:AttachRolePolicy', 'arn:aws:iam::609418236337:role/other/stratus-red-team-malicious-iam-role2')],
     [])
case('revealed', 'role path from another service\'s request (ECS task role), then iam:GetRole by name',
     doc('Amazon ECS Developer Guide and IAM User Guide, CloudTrail examples'),
     [rec('ecs', 'RegisterTaskDefinition', {'family': 'api', 'taskRoleArn': IAM('role/ecs/api-task'),
                                            'executionRoleArn': IAM('role/ecs/api-exec'), 'containerDefinitions': []},
          {'taskDefinition': {'taskDefinitionArn': arn('ecs', 'task-definition/api:12'), 'family': 'api', 'revision': 12}}),
      rec('iam', 'GetRole', {'roleName': 'api-task'})],
     [('iam:GetRole', IAM('role/ecs/api-task')), ('iam:PassRole', IAM('role/ecs/api-task'))],
     [('iam:GetRole', IAM('role/api-task')), ('iam:GetRole', IAM('role/ecs/api-task-admin')), ('iam:GetRole', IAM('role/x/api-task'))],
     ['resource-resolved'])
case('revealed', 'user path from CreateUser, then CreateLoginProfile by name', IAM_DOC,
     [rec('iam', 'CreateUser', {'userName': 'ext-auditor', 'path': '/external/'},
          {'user': {'path': '/external/', 'userName': 'ext-auditor', 'userId': 'AIDANEW', 'arn': IAM('user/external/ext-auditor'),
                    'createDate': 'Oct 2, 2026, 9:00:00 AM'}}),
      rec('iam', 'CreateLoginProfile', {'userName': 'ext-auditor', 'passwordResetRequired': True},
          {'loginProfile': {'userName': 'ext-auditor', 'createDate': 'Oct 2, 2026, 9:00:01 AM', 'passwordResetRequired': True}})],
     [('iam:CreateUser', IAM('user/external/ext-auditor')), ('iam:CreateLoginProfile', IAM('user/external/ext-auditor'))],
     [('iam:CreateLoginProfile', IAM('user/ext-auditor')), ('iam:CreateLoginProfile', IAM('user/external/ext-auditor2'))],
     ['resource-resolved'])
CS = arn('cloudformation', 'changeSet/release-2026-10-02/0f0e0d0c-0000-4000-8000-0000000000c5')
case('revealed', 'change set ARN only: its stack comes from CreateChangeSet', CFN_DOC,
     [rec('cloudformation', 'CreateChangeSet', {'stackName': 'billing', 'changeSetName': 'release-2026-10-02',
                                                'changeSetType': 'UPDATE', 'usePreviousTemplate': True},
          {'id': CS, 'stackId': STACK('billing')}),
      rec('cloudformation', 'DescribeChangeSet', {'changeSetName': CS}),
      rec('cloudformation', 'ExecuteChangeSet', {'changeSetName': CS})],
     [('cloudformation:CreateChangeSet', STACK('billing')), ('cloudformation:DescribeChangeSet', STACK('billing')),
      ('cloudformation:ExecuteChangeSet', STACK('billing'))],
     [('cloudformation:ExecuteChangeSet', STACK('billing-prod')), ('cloudformation:ExecuteChangeSet', STACK('network')),
      ('cloudformation:DescribeChangeSet', STACK('network'))],
     ['resource-resolved'])
case('revealed', 'change set ARN that no record of the principal created: * and a warning', CFN_DOC,
     [rec('cloudformation', 'ExecuteChangeSet', {'changeSetName': CS})],
     [('cloudformation:ExecuteChangeSet', STACK('billing'))], [], ['wildcard-resource'])
ATH_DOC = doc('Amazon Athena User Guide, "Logging Amazon Athena API calls with AWS CloudTrail"')
WG = lambda n: arn('athena', 'workgroup/' + n)
case('revealed', 'query execution ID: its work group comes from StartQueryExecution', ATH_DOC,
     [rec('athena', 'StartQueryExecution', {'queryString': 'SELECT count(*) FROM clicks', 'workGroup': 'bi',
                                            'queryExecutionContext': {'database': 'web'}},
          {'queryExecutionId': '7c1d8f00-0000-4000-8000-0000000000aa'}),
      rec('athena', 'GetQueryExecution', {'queryExecutionId': '7c1d8f00-0000-4000-8000-0000000000aa'}),
      rec('athena', 'StopQueryExecution', {'queryExecutionId': '7c1d8f00-0000-4000-8000-0000000000aa'})],
     [('athena:StartQueryExecution', WG('bi')), ('athena:GetQueryExecution', WG('bi')), ('athena:StopQueryExecution', WG('bi'))],
     [('athena:GetQueryExecution', WG('primary')), ('athena:StopQueryExecution', WG('bi-admin'))],
     ['resource-resolved'])
r833 = dict(real(833), eventTime='2021-10-19T04:50:27Z')
case('revealed', 'a real StartQueryExecution in work group Panther, then GetQueryResults by execution ID',
     real_source(833) + ' with its eventTime in the ISO form CloudTrail writes (the fixture has a space); the GetQueryResults record is built after it',
     [r833, dict(r833, eventID='added-results', eventName='GetQueryResults', eventTime='2021-10-19T04:05:00Z',
                 requestParameters={'queryExecutionId': r833['responseElements']['queryExecutionId']}, responseElements=None)],
     [('athena:StartQueryExecution', 'arn:aws:athena:us-west-2:123456789012:workgroup/Panther'),
      ('athena:GetQueryResults', 'arn:aws:athena:us-west-2:123456789012:workgroup/Panther')],
     [('athena:GetQueryResults', 'arn:aws:athena:us-west-2:123456789012:workgroup/primary'),
      ('athena:GetQueryResults', 'arn:aws:athena:us-west-2:123456789012:workgroup/panther')],
     ['resource-resolved'])
CD_DOC = doc('AWS CodeDeploy User Guide, "Logging CodeDeploy API calls with AWS CloudTrail"')
case('revealed', 'deployment ID: its deployment group comes from CreateDeployment', CD_DOC,
     [rec('codedeploy', 'CreateDeployment', {'applicationName': 'storefront', 'deploymentGroupName': 'blue-green',
                                             'revision': {'revisionType': 'S3'}}, {'deploymentId': 'd-7Q2W9E4RT'}),
      rec('codedeploy', 'GetDeployment', {'deploymentId': 'd-7Q2W9E4RT'})],
     [('codedeploy:GetDeployment', arn('codedeploy', 'deploymentgroup:storefront/blue-green'))],
     [('codedeploy:GetDeployment', arn('codedeploy', 'deploymentgroup:storefront/canary')),
      ('codedeploy:GetDeployment', arn('codedeploy', 'deploymentgroup:backoffice/blue-green'))],
     ['resource-resolved'])
case('revealed', 'BatchGetQueryExecution: one execution not linked makes it *', ATH_DOC,
     [rec('athena', 'StartQueryExecution', {'queryString': 'SELECT 1', 'workGroup': 'bi'},
          {'queryExecutionId': '11111111-0000-4000-8000-000000000001'}),
      rec('athena', 'BatchGetQueryExecution', {'queryExecutionIds': ['11111111-0000-4000-8000-000000000001',
                                                                      '22222222-0000-4000-8000-000000000002']})],
     [('athena:BatchGetQueryExecution', WG('bi')), ('athena:BatchGetQueryExecution', WG('other'))], [], ['wildcard-resource'])

# ------------------------------------------------------------------ qualified ARNs
LAMBDA_DOC = doc('AWS Lambda Developer Guide, "Logging AWS Lambda API calls using AWS CloudTrail"')
FN = lambda rest: arn('lambda', 'function:' + rest)
case('qualified', 'GetFunction with Qualifier is evaluated on function:NAME:QUALIFIER', LAMBDA_DOC,
     [rec('lambda', 'GetFunction20150331v2', {'functionName': 'image-resize', 'qualifier': 'prod'})],
     [('lambda:GetFunction', FN('image-resize:prod'))],
     [('lambda:GetFunction', FN('image-resize')), ('lambda:GetFunction', FN('image-resize:dev')),
      ('lambda:GetFunction', FN('image-resize-v2:prod'))])
case('qualified', 'an alias ARN in functionName', LAMBDA_DOC,
     [rec('lambda', 'UpdateFunctionEventInvokeConfig', {'functionName': FN('mailer:live'), 'maximumRetryAttempts': 1},
          {'functionArn': FN('mailer:live')})],
     [('lambda:UpdateFunctionEventInvokeConfig', FN('mailer:live'))],
     [('lambda:UpdateFunctionEventInvokeConfig', FN('mailer')), ('lambda:UpdateFunctionEventInvokeConfig', FN('mailer:canary'))])
case('qualified', 'a name:version in functionName', LAMBDA_DOC,
     [rec('lambda', 'GetFunctionConfiguration20150331v2', {'functionName': 'mailer:14'})],
     [('lambda:GetFunctionConfiguration', FN('mailer:14'))],
     [('lambda:GetFunctionConfiguration', FN('mailer')), ('lambda:GetFunctionConfiguration', FN('mailer:15'))])
case('qualified', 'Invoke of a qualified ARN listed in resources[]', LAMBDA_DOC,
     [rec('lambda', 'Invoke', {'functionName': FN('scorer:blue')},
          resources=[{'type': 'AWS::Lambda::Function', 'ARN': FN('scorer:blue')}])],
     [('lambda:InvokeFunction', FN('scorer:blue'))],
     [('lambda:InvokeFunction', FN('scorer:green')), ('lambda:InvokeFunction', FN('scorer'))])
case('qualified', 'RemovePermission with Qualifier', LAMBDA_DOC,
     [rec('lambda', 'RemovePermission20150331v2', {'functionName': 'webhooks', 'statementId': 'sns', 'qualifier': '9'})],
     [('lambda:RemovePermission', FN('webhooks:9'))],
     [('lambda:RemovePermission', FN('webhooks')), ('lambda:RemovePermission', FN('webhooks:10'))])
case('qualified', 'provisioned concurrency is configured on an alias or version', LAMBDA_DOC,
     [rec('lambda', 'GetProvisionedConcurrencyConfig', {'functionName': 'checkout-api', 'qualifier': 'live'})],
     [('lambda:GetProvisionedConcurrencyConfig', FN('checkout-api:live'))],
     [('lambda:GetProvisionedConcurrencyConfig', FN('checkout-api:beta')), ('lambda:GetProvisionedConcurrencyConfig', FN('checkout-api'))])
case('qualified', 'unqualified calls stay unqualified', real_source(435),
     [real(435)],
     [('lambda:UpdateFunctionCode', real(435)['requestParameters']['functionName'])],
     [('lambda:UpdateFunctionCode', real(435)['requestParameters']['functionName'] + ':1')])

# ------------------------------------------------------------------ per-service evaluation conventions
LOGS_DOC = doc('Amazon CloudWatch Logs User Guide, "Logging Amazon CloudWatch Logs API and console calls in AWS CloudTrail"')
LG = lambda rest: arn('logs', 'log-group:' + rest)
case('conventions', 'log group actions are evaluated on log-group:NAME:*', LOGS_DOC,
     [rec('logs', 'CreateLogGroup', {'logGroupName': '/aws/codebuild/site'}),
      rec('logs', 'PutRetentionPolicy', {'logGroupName': '/aws/codebuild/site', 'retentionInDays': 14}),
      rec('logs', 'DeleteLogGroup', {'logGroupName': 'tmp-run-81'})],
     [('logs:CreateLogGroup', LG('/aws/codebuild/site:*')), ('logs:CreateLogGroup', LG('/aws/codebuild/site:log-stream:')),
      ('logs:PutRetentionPolicy', LG('/aws/codebuild/site:*')), ('logs:DeleteLogGroup', LG('tmp-run-81:*'))],
     [('logs:CreateLogGroup', LG('/aws/codebuild/site-prod:*')), ('logs:PutRetentionPolicy', LG('/aws/codebuild/sitemap:*')),
      ('logs:DeleteLogGroup', LG('tmp-run-8:*'))],
     ['wildcard-segment'])
case('conventions', 'log stream actions on log-group:G:log-stream:S', real_source(0) if False else LOGS_DOC,
     [rec('logs', 'CreateLogStream', {'logGroupName': '/app/worker', 'logStreamName': 'host-a'})],
     [('logs:CreateLogStream', LG('/app/worker:log-stream:host-a'))],
     [('logs:CreateLogStream', LG('/app/worker:log-stream:host-b')), ('logs:CreateLogStream', LG('/app/worker-2:log-stream:host-a'))])
case('conventions', 'TagResource uses the log group ARN without :*', LOGS_DOC,
     [rec('logs', 'TagResource', {'resourceArn': LG('/app/worker'), 'tags': {'cost': 'ops'}})],
     [('logs:TagResource', LG('/app/worker'))],
     [('logs:TagResource', LG('/app/worker-2')), ('logs:TagResource', LG('/app/worker:*'))])
case('conventions', 'StartQuery on several log groups', LOGS_DOC,
     [rec('logs', 'StartQuery', {'logGroupNames': ['/app/api', '/app/auth'], 'startTime': 1759395600, 'endTime': 1759399200,
                                 'queryString': 'fields @timestamp'}, {'queryId': 'q-77'})],
     [('logs:StartQuery', LG('/app/api:*')), ('logs:StartQuery', LG('/app/auth:*'))],
     [('logs:StartQuery', LG('/app/billing:*'))])
DDB_DOC = doc('Amazon DynamoDB Developer Guide, "Logging DynamoDB operations by using AWS CloudTrail"')
TB = lambda rest: arn('dynamodb', 'table/' + rest)
case('conventions', 'Query on an index is evaluated on table/T/index/I', DDB_DOC,
     [rec('dynamodb', 'Query', {'tableName': 'invoices', 'indexName': 'by-tenant', 'keyConditionExpression': 'tenant = :t'},
          resources=[{'type': 'AWS::DynamoDB::Table', 'ARN': TB('invoices')}])],
     [('dynamodb:Query', TB('invoices/index/by-tenant'))],
     [('dynamodb:Query', TB('invoices/index/by-date')), ('dynamodb:Query', TB('invoices'))])
GLUE_DOC = doc('AWS Glue Developer Guide, "Logging AWS Glue API calls with AWS CloudTrail"')
GL = lambda rest: arn('glue', rest)
case('conventions', 'Glue table calls are evaluated on the catalog, the database and the table', GLUE_DOC,
     [rec('glue', 'GetTable', {'databaseName': 'sales', 'name': 'orders_v2'})],
     [('glue:GetTable', GL('catalog')), ('glue:GetTable', GL('database/sales')), ('glue:GetTable', GL('table/sales/orders_v2'))],
     [('glue:GetTable', GL('table/sales/refunds')), ('glue:GetTable', GL('database/hr'))])
case('conventions', 'ECS service without cluster is in the cluster named default', ECS_DOC,
     [rec('ecs', 'DescribeServices', {'services': ['frontend']})],
     [('ecs:DescribeServices', arn('ecs', 'service/default/frontend'))],
     [('ecs:DescribeServices', arn('ecs', 'service/prod/frontend')), ('ecs:DescribeServices', arn('ecs', 'service/default/backend'))])
EV_DOC = doc('Amazon EventBridge User Guide, "Logging Amazon EventBridge API calls using AWS CloudTrail"')
case('conventions', 'a rule on the default bus is rule/NAME; on a custom bus rule/BUS/NAME', EV_DOC,
     [rec('events', 'EnableRule', {'name': 'hourly-sync'}),
      rec('events', 'DisableRule', {'name': 'order-paid', 'eventBusName': 'commerce'})],
     [('events:EnableRule', arn('events', 'rule/hourly-sync')), ('events:DisableRule', arn('events', 'rule/commerce/order-paid'))],
     [('events:EnableRule', arn('events', 'rule/commerce/hourly-sync')), ('events:DisableRule', arn('events', 'rule/order-paid'))])
case('conventions', 'a query without work group runs in primary', ATH_DOC,
     [rec('athena', 'StartQueryExecution', {'queryString': 'SELECT 2'}, {'queryExecutionId': '33333333-0000-4000-8000-000000000003'})],
     [('athena:StartQueryExecution', WG('primary'))], [('athena:StartQueryExecution', WG('bi'))])
SCHED_DOC = doc('Amazon EventBridge Scheduler User Guide, "Logging Amazon EventBridge Scheduler API calls using AWS CloudTrail"')
case('conventions', 'a schedule without a group is in the group named default', SCHED_DOC,
     [rec('scheduler', 'UpdateSchedule', {'name': 'nightly-export', 'scheduleExpression': 'cron(0 3 * * ? *)',
                                          'target': {'arn': FN('exporter'), 'roleArn': IAM('role/scheduler/exporter-invoke')},
                                          'flexibleTimeWindow': {'mode': 'OFF'}},
          {'scheduleArn': arn('scheduler', 'schedule/default/nightly-export')})],
     [('scheduler:UpdateSchedule', arn('scheduler', 'schedule/default/nightly-export')),
      ('iam:PassRole', IAM('role/scheduler/exporter-invoke'))],
     [('scheduler:UpdateSchedule', arn('scheduler', 'schedule/ops/nightly-export')),
      ('scheduler:UpdateSchedule', arn('scheduler', 'schedule/default/nightly-export-2'))])
CB_DOC = doc('AWS CodeBuild User Guide, "Log AWS CodeBuild API calls with AWS CloudTrail"')
case('conventions', 'build IDs PROJECT:UUID are evaluated on the project', CB_DOC,
     [rec('codebuild', 'StopBuild', {'id': 'site-deploy:0d9f6a1e-0000-4000-8000-000000000042'},
          {'build': {'id': 'site-deploy:0d9f6a1e-0000-4000-8000-000000000042', 'buildStatus': 'STOPPED'}}),
      rec('codebuild', 'BatchGetBuilds', {'ids': ['site-deploy:0d9f6a1e-0000-4000-8000-000000000042']})],
     [('codebuild:StopBuild', arn('codebuild', 'project/site-deploy')), ('codebuild:BatchGetBuilds', arn('codebuild', 'project/site-deploy'))],
     [('codebuild:StopBuild', arn('codebuild', 'project/site-deploy-prod')), ('codebuild:BatchGetBuilds', arn('codebuild', 'project/api'))])
SSM_DOC = doc('AWS Systems Manager User Guide, "Logging AWS Systems Manager API calls with AWS CloudTrail"')
case('conventions', 'an AWS-owned SSM document has no account in its ARN', SSM_DOC,
     [rec('ssm', 'SendCommand', {'instanceIds': ['i-0aa11bb22cc33dd44'], 'documentName': 'AWS-ApplyPatchBaseline',
                                 'parameters': 'HIDDEN_DUE_TO_SECURITY_REASONS'},
          {'command': {'commandId': 'cmd-1', 'documentName': 'AWS-ApplyPatchBaseline'}})],
     [('ssm:SendCommand', 'arn:aws:ssm:%s::document/AWS-ApplyPatchBaseline' % REGION),
      ('ssm:SendCommand', arn('ec2', 'instance/i-0aa11bb22cc33dd44'))],
     [('ssm:SendCommand', 'arn:aws:ssm:%s::document/AWS-RunShellScript' % REGION),
      ('ssm:SendCommand', arn('ssm', 'document/AWS-ApplyPatchBaseline')),
      ('ssm:SendCommand', arn('ec2', 'instance/i-0ffffffffffffffff'))])
case('conventions', 'an SSM document the account owns keeps its account', SSM_DOC,
     [rec('ssm', 'SendCommand', {'instanceIds': ['i-0aa11bb22cc33dd44'], 'documentName': 'rotate-logs'},
          {'command': {'commandId': 'cmd-2', 'documentName': 'rotate-logs'}})],
     [('ssm:SendCommand', arn('ssm', 'document/rotate-logs'))], [('ssm:SendCommand', arn('ssm', 'document/rotate-logs-all'))])
case('conventions', 'an SSM parameter path is parameter/PATH without its leading slash', SSM_DOC,
     [rec('ssm', 'GetParameter', {'name': '/team/api/feature-flags', 'withDecryption': False})],
     [('ssm:GetParameter', arn('ssm', 'parameter/team/api/feature-flags'))],
     [('ssm:GetParameter', arn('ssm', 'parameter//team/api/feature-flags')), ('ssm:GetParameter', arn('ssm', 'parameter/team/api'))])
case('conventions', 'an SSM parameter named by ARN (shared from another account) is that ARN', SSM_DOC,
     [rec('ssm', 'GetParameter', {'name': arn('ssm', 'parameter/network/vpc-id', account=OTHER) + ':3'})],
     [('ssm:GetParameter', arn('ssm', 'parameter/network/vpc-id', account=OTHER))],
     [('ssm:GetParameter', arn('ssm', 'parameter/network/vpc-id')), ('ssm:GetParameter', arn('ssm', 'parameter/network/vpc-ids', account=OTHER))])
S3_DOC = doc('Amazon S3 User Guide, "Logging Amazon S3 API calls using AWS CloudTrail" (data events)')
case('conventions', 'an S3 key with * and ? stays literal', S3_DOC,
     [rec('s3', 'GetObject', {'bucketName': 'exports', 'key': 'daily/*?.csv', 'Host': 'exports.s3.eu-west-1.amazonaws.com'},
          resources=[{'type': 'AWS::S3::Object', 'ARN': 'arn:aws:s3:::exports/daily/*?.csv'},
                     {'type': 'AWS::S3::Bucket', 'ARN': 'arn:aws:s3:::exports'}])],
     [('s3:GetObject', 'arn:aws:s3:::exports/daily/*?.csv')],
     [('s3:GetObject', 'arn:aws:s3:::exports/daily/all.csv'), ('s3:GetObject', 'arn:aws:s3:::exports/daily/x1.csv')])
SQS_DOC = doc('Amazon SQS Developer Guide, "Logging Amazon SQS API calls using AWS CloudTrail"')
case('conventions', 'an SQS queue URL names the queue ARN, in the account of the URL', SQS_DOC,
     [rec('sqs', 'DeleteMessage', {'queueUrl': 'https://sqs.eu-west-1.amazonaws.com/%s/ingest' % OTHER, 'receiptHandle': 'HIDDEN'})],
     [('sqs:DeleteMessage', arn('sqs', 'ingest', account=OTHER))],
     [('sqs:DeleteMessage', arn('sqs', 'ingest')), ('sqs:DeleteMessage', arn('sqs', 'ingest-dlq', account=OTHER))])

# ------------------------------------------------------------------ ARNs only in resources[]
KIN_DOC = doc('Amazon Kinesis Data Streams Developer Guide, "Logging Amazon Kinesis Data Streams API calls with AWS CloudTrail" (data events)')
case('resources', 'GetRecords names its stream only in resources[]', KIN_DOC,
     [rec('kinesis', 'GetRecords', {'shardIterator': 'AAAAAAAAAAEXAMPLE', 'limit': 500},
          resources=[{'type': 'AWS::Kinesis::Stream', 'ARN': arn('kinesis', 'stream/telemetry')}])],
     [('kinesis:GetRecords', arn('kinesis', 'stream/telemetry'))],
     [('kinesis:GetRecords', arn('kinesis', 'stream/telemetry-raw')), ('kinesis:GetRecords', arn('kinesis', 'stream/billing'))])
case('resources', 'a real KMS Decrypt names its key only in resources[]', real_source(126),
     [real(126)],
     [('kms:Decrypt', real(126)['resources'][0]['ARN'])],
     [('kms:Decrypt', 'arn:aws:kms:us-east-1:222222222222:key/00000000-2716-4c26-9cde-3942d14f7475')])
KMS_DOC = doc('AWS KMS Developer Guide, "Logging AWS KMS API calls with AWS CloudTrail"')
case('resources', 'KMS by alias is evaluated on the key resources[] names', KMS_DOC,
     [rec('kms', 'GenerateDataKey', {'keyId': 'alias/backups', 'keySpec': 'AES_256'},
          resources=[{'type': 'AWS::KMS::Key', 'ARN': arn('kms', 'key/8d3e1c2b-0000-4000-8000-000000000b0b')}])],
     [('kms:GenerateDataKey', arn('kms', 'key/8d3e1c2b-0000-4000-8000-000000000b0b'))],
     [('kms:GenerateDataKey', arn('kms', 'key/ffffffff-0000-4000-8000-000000000b0b')), ('kms:GenerateDataKey', arn('kms', 'alias/backups'))])


def real_region(line, fake, region):
    """A Stratus record with its anonymised region name (`cn-west-3r`, which would imply another partition)
    replaced by a real one, everywhere in the record."""
    return json.loads(json.dumps(real(line)).replace(fake, region))


r244 = real_region(244, 'cn-west-3r', 'us-west-2')
case('resources', 'real SSM GetParameters (resources[] without a type)',
     real_source(244) + ', its anonymised region cn-west-3r replaced by us-west-2',
     [r244],
     [('ssm:GetParameters', x['ARN']) for x in r244['resources']],
     [('ssm:GetParameters', 'arn:aws:ssm:us-west-2:933175858973:parameter/credentials/stratus-red-team/credentials-99')])

# ------------------------------------------------------------------ calls on oneself
case('self', 'CreateAccessKey without UserName acts on the calling user', IAM_DOC,
     [rec('iam', 'CreateAccessKey', None, {'accessKey': {'accessKeyId': 'AKIANEWKEY', 'status': 'Active', 'userName': 'dana',
                                                         'createDate': 'Oct 2, 2026, 9:00:00 AM'}}, who=USER)],
     [('iam:CreateAccessKey', USER)],
     [('iam:CreateAccessKey', IAM('user/eng/erin')), ('iam:CreateAccessKey', IAM('user/dana'))])
case('self', 'UpdateAccessKey, ListMFADevices and DeactivateMFADevice without UserName', IAM_DOC,
     [rec('iam', 'UpdateAccessKey', {'accessKeyId': 'AKIAOLDKEY', 'status': 'Inactive'}, who=USER),
      rec('iam', 'ListMFADevices', {}, who=USER),
      rec('iam', 'DeactivateMFADevice', {'serialNumber': IAM('mfa/dana-phone')}, who=USER)],
     [('iam:UpdateAccessKey', USER), ('iam:ListMFADevices', USER), ('iam:DeactivateMFADevice', USER)],
     [('iam:UpdateAccessKey', IAM('user/eng/erin')), ('iam:ListMFADevices', IAM('user/eng/erin')),
      ('iam:DeactivateMFADevice', IAM('user/eng/erin'))])
case('self', 'a real ChangePassword acts on its caller', real_source(836),
     [real(836)],
     [('iam:ChangePassword', 'arn:aws:iam::123456789012:user/test_user')],
     [('iam:ChangePassword', 'arn:aws:iam::123456789012:user/admin')])
case('self', 'GetUser and ListSSHPublicKeys without UserName', IAM_DOC,
     [rec('iam', 'GetUser', None, who=USER), rec('iam', 'ListSSHPublicKeys', {}, who=USER)],
     [('iam:GetUser', USER), ('iam:ListSSHPublicKeys', USER)],
     [('iam:GetUser', IAM('user/eng/erin')), ('iam:ListSSHPublicKeys', IAM('user/eng/erin'))])

# ------------------------------------------------------------------ plain calls, for breadth
STS_DOC = doc('IAM User Guide, "Logging IAM and AWS STS API calls with AWS CloudTrail"')
case('plain', 'AssumeRole on the role ARN', STS_DOC,
     [rec('sts', 'AssumeRole', {'roleArn': IAM('role/prod/deployer', OTHER), 'roleSessionName': 'release-77'},
          {'assumedRoleUser': {'arn': 'arn:aws:sts::%s:assumed-role/deployer/release-77' % OTHER}})],
     [('sts:AssumeRole', IAM('role/prod/deployer', OTHER))], [('sts:AssumeRole', IAM('role/prod/admin', OTHER))])
case('plain', 'SNS Publish on the topic', doc('Amazon SNS Developer Guide, "Logging Amazon SNS API calls using AWS CloudTrail"'),
     [rec('sns', 'Publish', {'topicArn': arn('sns', 'release-events'), 'message': 'HIDDEN_DUE_TO_SECURITY_REASONS'},
          {'messageId': 'm-5'})],
     [('sns:Publish', arn('sns', 'release-events'))], [('sns:Publish', arn('sns', 'release-events-fifo'))])
case('plain', 'ECR image push on the repository', doc('Amazon ECR User Guide, "Logging Amazon ECR actions with AWS CloudTrail"'),
     [rec('ecr', 'InitiateLayerUpload', {'repositoryName': 'team/api', 'registryId': ACCOUNT}, {'uploadId': 'u-1', 'partSize': 10485760})],
     [('ecr:InitiateLayerUpload', arn('ecr', 'repository/team/api'))], [('ecr:InitiateLayerUpload', arn('ecr', 'repository/team/api-base'))])
case('plain', 'Step Functions StartExecution on the state machine', doc('AWS Step Functions Developer Guide, "Logging Step Functions API calls with AWS CloudTrail"'),
     [rec('states', 'StartExecution', {'stateMachineArn': arn('states', 'stateMachine:nightly-report'), 'name': 'run-2026-10-02'},
          {'executionArn': arn('states', 'execution:nightly-report:run-2026-10-02'), 'startDate': 'Oct 2, 2026, 9:00:00 AM'})],
     [('states:StartExecution', arn('states', 'stateMachine:nightly-report'))],
     [('states:StartExecution', arn('states', 'stateMachine:nightly-report-v2'))])
case('plain', 'CloudWatch alarm by name', doc('Amazon CloudWatch User Guide, "Logging Amazon CloudWatch API calls with AWS CloudTrail"'),
     [rec('monitoring', 'PutMetricAlarm', {'alarmName': 'queue-depth', 'metricName': 'ApproximateNumberOfMessagesVisible',
                                           'namespace': 'AWS/SQS', 'threshold': 100.0})],
     [('cloudwatch:PutMetricAlarm', arn('cloudwatch', 'alarm:queue-depth'))],
     [('cloudwatch:PutMetricAlarm', arn('cloudwatch', 'alarm:queue-depth-critical'))])
case('plain', 'EC2 StopInstances on the instance', doc('Amazon EC2 API Reference, "Logging API calls using AWS CloudTrail"'),
     [rec('ec2', 'StopInstances', {'instancesSet': {'items': [{'instanceId': 'i-0123abcd4567ef890'}]}, 'force': False},
          {'requestId': 'r-1', 'instancesSet': {'items': [{'instanceId': 'i-0123abcd4567ef890'}]}})],
     [('ec2:StopInstances', arn('ec2', 'instance/i-0123abcd4567ef890'))],
     [('ec2:StopInstances', arn('ec2', 'instance/i-0fedcba9876543210'))])
case('plain', 'RDS RebootDBInstance on the instance', doc('Amazon RDS User Guide, "Monitoring Amazon RDS API calls in AWS CloudTrail"'),
     [rec('rds', 'RebootDBInstance', {'dBInstanceIdentifier': 'reporting-replica', 'forceFailover': False})],
     [('rds:RebootDBInstance', arn('rds', 'db:reporting-replica'))], [('rds:RebootDBInstance', arn('rds', 'db:reporting'))])
case('plain', 'Firehose UpdateDestination on the delivery stream', doc('Amazon Data Firehose Developer Guide, "Logging Amazon Data Firehose API calls with AWS CloudTrail"'),
     [rec('firehose', 'UpdateDestination', {'deliveryStreamName': 'clicks-to-s3', 'currentDeliveryStreamVersionId': '3',
                                            'destinationId': 'destinationId-000000000001'})],
     [('firehose:UpdateDestination', arn('firehose', 'deliverystream/clicks-to-s3'))],
     [('firehose:UpdateDestination', arn('firehose', 'deliverystream/clicks-to-s3-backup'))])
case('plain', 'Route 53 hosted zone by ID', doc('Amazon Route 53 Developer Guide, "Logging Amazon Route 53 API calls with AWS CloudTrail"'),
     [rec('route53', 'ChangeResourceRecordSets', {'hostedZoneId': 'Z08912341ABCDEFGHIJK',
                                                  'changeBatch': {'changes': [{'action': 'UPSERT'}]}},
          {'changeInfo': {'id': '/change/C2', 'status': 'PENDING'}}, region='us-east-1')],
     [('route53:ChangeResourceRecordSets', 'arn:aws:route53:::hostedzone/Z08912341ABCDEFGHIJK')],
     [('route53:ChangeResourceRecordSets', 'arn:aws:route53:::hostedzone/Z99999999ABCDEFGHIJK')])
case('plain', 'ACM certificate by ARN', doc('AWS Certificate Manager User Guide, "Logging ACM API calls with AWS CloudTrail"'),
     [rec('acm', 'RenewCertificate', {'certificateArn': arn('acm', 'certificate/0c1d2e3f-0000-4000-8000-00000000ce57')})],
     [('acm:RenewCertificate', arn('acm', 'certificate/0c1d2e3f-0000-4000-8000-00000000ce57'))],
     [('acm:RenewCertificate', arn('acm', 'certificate/ffffffff-0000-4000-8000-00000000ce57'))])
case('plain', 'Cognito user pool by ID', doc('Amazon Cognito Developer Guide, "Logging Amazon Cognito API calls with AWS CloudTrail"'),
     [rec('cognito-idp', 'AdminDisableUser', {'userPoolId': 'eu-west-1_Q1w2E3r4T', 'username': 'HIDDEN_DUE_TO_SECURITY_REASONS'})],
     [('cognito-idp:AdminDisableUser', arn('cognito-idp', 'userpool/eu-west-1_Q1w2E3r4T'))],
     [('cognito-idp:AdminDisableUser', arn('cognito-idp', 'userpool/eu-west-1_Z9x8C7v6B'))])
case('plain', 'Backup job on the vault', doc('AWS Backup Developer Guide, "Logging AWS Backup API calls with AWS CloudTrail"'),
     [rec('backup', 'StartBackupJob', {'backupVaultName': 'monthly', 'resourceArn': TB('invoices'),
                                       'iamRoleArn': IAM('role/service-role/AWSBackupDefaultServiceRole')}, {'backupJobId': 'b-9'})],
     [('backup:StartBackupJob', arn('backup', 'backup-vault:monthly'))], [('backup:StartBackupJob', arn('backup', 'backup-vault:monthly-cold'))])
case('plain', 'CodePipeline by name', doc('AWS CodePipeline User Guide, "Logging CodePipeline API calls with AWS CloudTrail"'),
     [rec('codepipeline', 'StartPipelineExecution', {'name': 'site'}, {'pipelineExecutionId': 'p-2'})],
     [('codepipeline:StartPipelineExecution', arn('codepipeline', 'site'))],
     [('codepipeline:StartPipelineExecution', arn('codepipeline', 'site-prod'))])
case('plain', 'ElastiCache replication group by ID', doc('Amazon ElastiCache User Guide, "Logging Amazon ElastiCache API calls with AWS CloudTrail"'),
     [rec('elasticache', 'ModifyReplicationGroup', {'replicationGroupId': 'sessions', 'applyImmediately': True})],
     [('elasticache:ModifyReplicationGroup', arn('elasticache', 'replicationgroup:sessions'))],
     [('elasticache:ModifyReplicationGroup', arn('elasticache', 'replicationgroup:sessions-2'))])


def main(argv):
    check = '--check' in argv
    bad = []
    for kind, cases in sorted(FILES.items()):
        path = os.path.join(OUT, 'precision-%s.json' % kind)
        text = json.dumps(cases, indent=2, sort_keys=True, ensure_ascii=False) + '\n'
        current = open(path, encoding='utf-8').read() if os.path.exists(path) else None
        if current != text:
            bad.append(path)
            if not check:
                with open(path, 'w', encoding='utf-8') as f:
                    f.write(text)
    if check:
        for path in bad:
            print('differs: %s' % os.path.relpath(path, ROOT))
        return 1 if bad else 0
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
