#!/usr/bin/env python3
"""Write the inputs of every scenario under tests/scenarios/<name>/: logs/, args, README.md.

    python3 tests/data/make_scenarios.py            # (re)writes logs/, args and README.md of each scenario
    python3 tests/data/make_scenarios.py --check    # exits 1 if a committed input differs

It never touches expected.json or expected-diagnostics.txt (the lead writes those). Deterministic: each scenario
has its own seed (crc32 of its name), fixed times, gzip mtime 0. Stdlib only; record builders come from
examples/make_trail.py (shapes modelled on tests/data/real/records.jsonl).
"""
import datetime as dt
import gzip
import io
import json
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import make_trail as mt  # noqa: E402
from make_trail import ACCOUNT, OTHER_ACCOUNT, Gen  # noqa: E402

OUT = os.path.join(ROOT, "tests", "scenarios")
DEFAULT_ARGS = "--role build-agent --from 2026-11-01 --to 2026-12-01"
REGION = "us-east-1"
ROLE_ARN = mt.ROLE_ARN
BUCKET = mt.BUCKET
IP = "20.55.14.201"
UA = mt.CLI_UA
T0 = dt.datetime(2026, 11, 10, 14, 0, 0)

SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


class S:
    """One scenario being built: a seeded Gen, a clock, helpers for identities and records."""

    def __init__(self, name):
        self.name = name
        self.g = Gen(zlib.crc32(name.encode()))
        self.t = T0
        self.files = {}
        self.ids = {}
        self.keys = {}

    # clock
    def tick(self, s=7):
        self.t += dt.timedelta(seconds=s)
        return self.t

    # identities
    def rid(self, account, name, prefix="AROA"):
        return self.ids.setdefault((account, name), self.g.unique_id(prefix))

    def akid(self, who, prefix="ASIA"):
        return self.keys.setdefault(who, self.g.key_id(prefix))

    def role(self, session, name="build-agent", path="/ci/", account=ACCOUNT, web=False, invoked_by=None):
        return Gen.assumed_role(account, name, path, session, self.rid(account, name),
                                self.akid((account, name, session)), T0 - dt.timedelta(minutes=2),
                                web_identity=web, invoked_by=invoked_by)

    def user(self, name, account=ACCOUNT, console=False):
        if console:
            return Gen.iam_user(account, name, self.rid(account, name, "AIDA"), self.akid((account, name, "console")),
                                console_since=T0 - dt.timedelta(minutes=30))
        return Gen.iam_user(account, name, self.rid(account, name, "AIDA"), self.akid((account, name), "AKIA"))

    # records
    def ev(self, ui, source, name, params=None, resp=None, ro=True, region=REGION, t=None, ua=None, **kw):
        svc = source.split(".")[0]
        if "invokedBy" in ui and ui.get("type") != "AWSService":
            kw.setdefault("tls", False)
            ip = ua = ui["invokedBy"]
        else:
            ip = kw.pop("ip", IP)
        ua = ua or UA.format(cmd=f"{svc}.{name.lower()}")
        return self.g.event(t or self.tick(), ui, source, name, region, params, resp, read_only=ro, ip=ip, ua=ua,
                            **kw)

    def s3(self, ui, name, key=None, prefix=None, bucket=BUCKET, t=None, **kw):
        return self.g.s3(t or self.tick(), ui, name, REGION, bucket, key, prefix=prefix, ip=IP,
                         ua=UA.format(cmd="s3.cp"), **kw)

    def denied(self, ui, source, name, action, resource, code, params=None, ro=False, **kw):
        who = ui["arn"]
        on = f" on resource: {resource}" if resource else ""
        if code == "Client.UnauthorizedOperation":
            msg = (f"You are not authorized to perform this operation. User: {who} is not authorized to perform: "
                   f"{action}{on} because no identity-based policy allows the {action} action. Encoded "
                   f"authorization failure message: {self.g.chars(mt.B62 + '-_', 120)}")
        else:
            msg = (f"User: {who} is not authorized to perform: {action}{on} because no identity-based policy "
                   f"allows the {action} action")
        return self.ev(ui, source, name, params, None, ro=ro, error=(code, msg), **kw)

    # files
    def records_file(self, path, records):
        self.files["logs/" + path] = (json.dumps({"Records": records}, indent=2) + "\n").encode()

    def raw(self, path, data):
        self.files["logs/" + path] = data if isinstance(data, bytes) else data.encode()

    def s3_object_path(self, t=None, region=REGION, account=ACCOUNT):
        t = t or self.t
        d = t + dt.timedelta(minutes=5)
        return (f"AWSLogs/{account}/CloudTrail/{region}/{d:%Y/%m/%d}/"
                f"{account}_CloudTrail_{region}_{d:%Y%m%dT%H%M}Z_{self.g.chars(mt.B62, 16)}.json.gz")


def gz(data):
    return mt.gz_bytes(data if isinstance(data, bytes) else data.encode())


def ssm_get(s, ui, name="/acme/build/token", **kw):
    return s.ev(ui, "ssm.amazonaws.com", "GetParameter", {"name": name, "withDecryption": True}, **kw)


def lambda_get(s, ui, fn="acme-api", **kw):
    return s.ev(ui, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}, **kw)


def cfn_describe(s, ui, stack="acme-api", **kw):
    return s.ev(ui, "cloudformation.amazonaws.com", "DescribeStacks", {"stackName": stack}, **kw)


def ecr_token(s, ui, **kw):
    return s.ev(ui, "ecr.amazonaws.com", "GetAuthorizationToken", None, host=f"api.ecr.{REGION}.amazonaws.com", **kw)


def caller_id(s, ui, **kw):
    return s.ev(ui, "sts.amazonaws.com", "GetCallerIdentity", None, **kw)


def web_identity_exchange(s, session):
    """The AssumeRoleWithWebIdentity record GitHub Actions' configure-aws-credentials produces."""
    akid = s.akid((ACCOUNT, "build-agent", session))
    sub = mt.GH_SUBJECT
    t = s.tick()
    return s.g.event(
        t, {"type": "WebIdentityUser", "principalId": f"{mt.OIDC_PROVIDER}:sts.amazonaws.com:{sub}",
            "userName": sub, "identityProvider": mt.OIDC_PROVIDER},
        "sts.amazonaws.com", "AssumeRoleWithWebIdentity", REGION,
        {"roleArn": ROLE_ARN, "roleSessionName": session, "durationSeconds": 3600},
        {"credentials": {"accessKeyId": akid, "sessionToken": s.g.session_token(),
                         "expiration": mt.exp_fmt(t + dt.timedelta(hours=1))},
         "subjectFromWebIdentityToken": sub,
         "assumedRoleUser": {"assumedRoleId": f"{s.rid(ACCOUNT, 'build-agent')}:{session}",
                             "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/build-agent/{session}"},
         "provider": mt.OIDC_PROVIDER, "audience": "sts.amazonaws.com"},
        read_only=True, ip=IP, ua=mt.GHA_CREDS_UA,
        extra={"identityProviderConnectionVerificationMethod": "IAMTrustStore",
               "RequestDetails": {"awsServingRegion": REGION, "endpointType": "regional"}},
        resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": ROLE_ARN}])


STACK_UUID = "5f3c2a1e-8d4b-4c6a-9e2f-0b7d1a3c5e97"
STACK_ARN = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/acme-api/{STACK_UUID}"


# ================================================================================================
# Scenarios. Each returns (args, readme); files are added to s.files.
# ================================================================================================

@scenario
def role_all_sessions(s):
    a, b, m = s.role("gh-run-1"), s.role("gh-run-2"), s.role("manual-debug")
    other = s.role("gh-run-1", name="deploy-bot", path="/ci/")
    s.records_file("events.json", [
        ssm_get(s, a), lambda_get(s, b), cfn_describe(s, m),
        ssm_get(s, other, name="/acme/deploy/key"),
    ])
    return DEFAULT_ARGS, """\
`--role build-agent` takes every session of the role (`gh-run-1`, `gh-run-2`, `manual-debug`), and nothing of
another role `ci/deploy-bot` whose session is also called `gh-run-1`.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`lambda:GetFunction` on `arn:aws:lambda:us-east-1:111122223333:function:acme-api`,
`cloudformation:DescribeStacks` on `arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`.
Must not contain: `parameter/acme/deploy/key` (deploy-bot's).
"""


@scenario
def role_by_name_any_path(s):
    r = s.role("gh-run-1")  # arn:aws:iam::111122223333:role/ci/build-agent
    legacy = s.role("gh-run-1", name="build-agent-legacy", path="/")
    prefixed = s.role("gh-run-1", name="ci-build-agent", path="/")
    s.records_file("events.json", [
        ssm_get(s, r),
        ssm_get(s, legacy, name="/acme/legacy/token"),
        lambda_get(s, prefixed, fn="ci-build-agent-fn"),
    ])
    return DEFAULT_ARGS, """\
A bare role name matches the role whatever its path (`role/ci/build-agent`; the session ARN
`assumed-role/build-agent/...` carries no path, the sessionIssuer ARN does), and only that exact name: not
`build-agent-legacy`, not `ci-build-agent`.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
Must not contain: `parameter/acme/legacy/token`, `lambda:GetFunction`.
"""


def _path_events(s):
    r = s.role("gh-run-1")
    s.records_file("events.json", [ssm_get(s, r), cfn_describe(s, r)])


@scenario
def role_by_arn_with_path(s):
    _path_events(s)
    return f"--role {ROLE_ARN} --from 2026-11-01 --to 2026-12-01", """\
A role ARN with its path (`role/ci/build-agent`) matches the sessions whose sessionIssuer is that ARN.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`cloudformation:DescribeStacks` on `arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`.
Same logs as `role-by-arn-wrong-path`.
"""


@scenario
def role_by_arn_wrong_path(s):
    _path_events(s)
    return f"--role arn:aws:iam::{ACCOUNT}:role/build-agent --from 2026-11-01 --to 2026-12-01", """\
The path in a role ARN is respected: `arn:aws:iam::111122223333:role/build-agent` (no path) is not
`role/ci/build-agent`, even though the assumed-role session ARNs (`assumed-role/build-agent/gh-run-1`) look alike.
Must contain: no statement at all (no events matched; a "no matching events" diagnostic is expected).
Same logs as `role-by-arn-with-path`.
"""


@scenario
def session_glob(s):
    s.records_file("events.json", [
        ssm_get(s, s.role("gh-run-1")),
        lambda_get(s, s.role("gh-run-22")),
        cfn_describe(s, s.role("manual-debug")),
        ecr_token(s, s.role("xgh-run-3")),
        caller_id(s, s.role("gh-run-1")),
    ])
    return DEFAULT_ARGS + " --session 'gh-*'", """\
`--session 'gh-*'` is a glob over the whole session name (anchored): `gh-run-1` and `gh-run-22` match,
`manual-debug` and `xgh-run-3` do not. (`args` quotes it shell-style; the glob reaches policygen unexpanded.)
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`lambda:GetFunction` on `arn:aws:lambda:us-east-1:111122223333:function:acme-api`.
Must not contain: `cloudformation:DescribeStacks`, `ecr:GetAuthorizationToken`, anything for GetCallerIdentity.
"""


def _alice_events(s):
    cli, console = s.user("alice"), s.user("alice", console=True)
    other_acct_alice = s.user("alice", account=OTHER_ACCOUNT)
    alice2 = s.user("alice2")
    session_alice = s.role("alice", name="support", path="/")
    s.records_file("events.json", [
        s.s3(cli, "ListObjects", prefix="builds/"),
        cfn_describe(s, console, ua=mt.CONSOLE_UA),
        s.s3(other_acct_alice, "GetObject", key="shared/readme.txt", bucket_account=ACCOUNT),
        ssm_get(s, alice2, name="/acme/alice2/token"),
        lambda_get(s, session_alice, fn="support-tool"),
    ])


@scenario
def iam_user_by_name(s):
    _alice_events(s)
    return "--user alice --from 2026-11-01 --to 2026-12-01", """\
An IAM user by name matches `userIdentity.type == IAMUser` with that userName, with access keys (CLI) and in a
console session; with no `--account`, also the user `alice` of account 444455556666 (cross-account S3 read
recorded in our trail). Not `alice2`, not a role session named `alice`.
Must contain exactly: `s3:ListBucket` on `arn:aws:s3:::acme-build-artifacts`, `s3:GetObject` on
`arn:aws:s3:::acme-build-artifacts/shared/readme.txt`, `cloudformation:DescribeStacks` on
`arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`.
Must not contain: `ssm:GetParameter`, `lambda:GetFunction`. (Args assume the CLI spells it `--user`.)
"""


@scenario
def iam_user_by_arn(s):
    _alice_events(s)
    return f"--user arn:aws:iam::{ACCOUNT}:user/alice --from 2026-11-01 --to 2026-12-01", """\
An IAM user by ARN matches only that account's user: same logs as `iam-user-by-name`, but alice of 444455556666
is out.
Must contain exactly: `s3:ListBucket` on `arn:aws:s3:::acme-build-artifacts`, `cloudformation:DescribeStacks`
on `arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`.
Must not contain: `s3:GetObject` (`shared/readme.txt` was read by 444455556666's alice), `ssm:*`, `lambda:*`.
"""


@scenario
def github_oidc_web_identity(s):
    recs = [web_identity_exchange(s, "gh-run-7")]
    ui = s.role("gh-run-7", web=True)
    repo_res = s.g.ecr_repo_resource(REGION)
    recs += [
        caller_id(s, ui, ua=mt.GHA_CREDS_UA),
        ecr_token(s, ui),
        s.ev(ui, "ecr.amazonaws.com", "PutImage",
             {"registryId": ACCOUNT, "repositoryName": mt.REPO, "imageTag": "sha-3f9c2b1a7d0e",
              "imageManifest": "{\"schemaVersion\":2}",
              "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"},
             {"image": {"registryId": ACCOUNT, "repositoryName": mt.REPO,
                        "imageId": {"imageDigest": "sha256:" + s.g.hexs(64), "imageTag": "sha-3f9c2b1a7d0e"}}},
             ro=False, ua=mt.DOCKER_UA, resources=repo_res, host=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"),
    ]
    s.records_file("events.json", recs)
    return DEFAULT_ARGS, """\
GitHub Actions OIDC: a `WebIdentityUser` calls `AssumeRoleWithWebIdentity` on build-agent, then the session
(`sessionContext.webIdFederationData.federatedProvider` = the GitHub OIDC provider) acts as the role.
Must contain exactly: `ecr:GetAuthorizationToken` on `*`, `ecr:PutImage` on
`arn:aws:ecr:us-east-1:111122223333:repository/build-agent/app`.
Must not contain: `sts:AssumeRoleWithWebIdentity` (made by the web identity, authorised by the trust policy),
`sts:GetCallerIdentity`. The fake `sessionToken` in responseElements must never be echoed.
"""


@scenario
def sso_role_session(s):
    role = mt.SSO_ROLE
    a = s.role("alice@example.com", name=role, path=mt.SSO_PATH)
    b = s.role("bob@example.com", name=role, path=mt.SSO_PATH)
    s.records_file("events.json", [
        cfn_describe(s, a, ua=mt.CONSOLE_UA),
        s.ev(a, "logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/acme/"}, ua=mt.CONSOLE_UA),
        s.ev(b, "iam.amazonaws.com", "ListRoles", {"maxItems": 100}, ua=mt.CONSOLE_UA, host="iam.amazonaws.com"),
        lambda_get(s, b, ua=mt.CONSOLE_UA),
    ])
    return f"--role {role} --session alice@example.com --from 2026-11-01 --to 2026-12-01", """\
An IAM Identity Center (SSO) permission-set role (`role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_...`)
matched by name, narrowed to one person with `--session alice@example.com` (the session name is the SSO user).
Must contain exactly: `cloudformation:DescribeStacks` on
`arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`, `logs:DescribeLogGroups` (on
`arn:aws:logs:us-east-1:111122223333:log-group:*` or `*`, as the map says).
Must not contain: `iam:ListRoles`, `lambda:GetFunction` (bob@example.com's).
"""


@scenario
def aws_service_excluded(s):
    ui = s.role("gh-run-1")
    svc = Gen.aws_service("ecs-tasks.amazonaws.com")
    t = s.tick()
    s.records_file("events.json", [
        ssm_get(s, ui),
        s.g.event(t, svc, "sts.amazonaws.com", "AssumeRole", REGION,
                  {"roleArn": ROLE_ARN, "roleSessionName": s.g.hexs(32)},
                  {"credentials": {"accessKeyId": s.g.key_id(), "sessionToken": s.g.session_token(),
                                   "expiration": mt.exp_fmt(t + dt.timedelta(hours=6))}},
                  read_only=True, ip="ecs-tasks.amazonaws.com", ua="ecs-tasks.amazonaws.com", tls=False,
                  resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": ROLE_ARN}],
                  shared_event_id=s.g.uuid()),
        s.g.event(s.tick(), Gen.aws_service("ecs.amazonaws.com"), "kms.amazonaws.com", "Decrypt", REGION,
                  {"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                   "encryptionContext": {"aws:ecs:clusterName": "acme", "aws:ecs:serviceName": "acme-api"}}, None,
                  read_only=True, ip="ecs.amazonaws.com", ua="ecs.amazonaws.com", tls=False,
                  resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key",
                              "ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0d6f0c57-38d4-4b5e-9f1a-6c2e8b7a4d10"}]),
    ])
    return DEFAULT_ARGS, """\
`userIdentity.type == AWSService` records are never the principal's, even when they name the role
(`sts:AssumeRole` by `ecs-tasks.amazonaws.com` with build-agent's ARN in `requestParameters.roleArn` and
`resources[]`).
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
Must not contain: `sts:AssumeRole`, `kms:Decrypt`.
"""


@scenario
def invoked_by_cloudformation(s):
    ui = s.role("gh-run-3")
    via = s.role("gh-run-3", invoked_by="cloudformation.amazonaws.com")
    exec_role = s.role("AWSCloudFormation", name="acme-cfn-exec", path="/",
                       invoked_by="cloudformation.amazonaws.com")
    cs = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/gh-run-3-3f9c2b1/{s.g.uuid()}"
    s.records_file("events.json", [
        s.ev(ui, "cloudformation.amazonaws.com", "ExecuteChangeSet", {"changeSetName": cs, "stackName": "acme-api"},
             ro=False),
        s.ev(via, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2",
             {"functionName": "acme-api", "timeout": 30},
             {"functionName": "acme-api", "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:acme-api",
              "timeout": 30, "state": "Active", "lastUpdateStatus": "InProgress"}, ro=False),
        s.ev(via, "logs.amazonaws.com", "PutRetentionPolicy",
             {"logGroupName": "/aws/lambda/acme-api", "retentionInDays": 30}, ro=False),
        s.ev(exec_role, "ecs.amazonaws.com", "UpdateService",
             {"cluster": "acme", "service": "acme-api", "taskDefinition": "acme-api:41"}, ro=False),
    ])
    return DEFAULT_ARGS, """\
Calls CloudFormation makes with the caller's own credentials (`userIdentity.invokedBy:
cloudformation.amazonaws.com`, session still build-agent's) need the role's permissions, so they count. A stack
service role (`acme-cfn-exec`, also invokedBy cloudformation) is another principal.
Must contain exactly: `cloudformation:ExecuteChangeSet` on `arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`
(or the changeSet ARN, as the map says), `lambda:UpdateFunctionConfiguration` on
`arn:aws:lambda:us-east-1:111122223333:function:acme-api`, `logs:PutRetentionPolicy` on
`arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/acme-api` (`:*` suffix if the map uses it).
Must not contain: `ecs:UpdateService`.
"""


def _denied_events(s):
    ui = s.role("gh-run-7")
    s.records_file("events.json", [
        s.s3(ui, "GetObject", key="cache/deps.tar.zst"),
        s.denied(ui, "iam.amazonaws.com", "CreateRole", "iam:CreateRole",
                 f"arn:aws:iam::{ACCOUNT}:role/acme-api-canary", "AccessDenied",
                 {"roleName": "acme-api-canary", "assumeRolePolicyDocument": "{\"Version\":\"2012-10-17\"}"},
                 host="iam.amazonaws.com"),
        s.denied(ui, "ssm.amazonaws.com", "PutParameter", "ssm:PutParameter",
                 f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/acme/build/last-deployed", "AccessDeniedException",
                 {"name": "/acme/build/last-deployed", "type": "String", "overwrite": True}),
        s.denied(ui, "ec2.amazonaws.com", "DescribeSubnets", "ec2:DescribeSubnets", None,
                 "Client.UnauthorizedOperation", {"subnetSet": {}, "filterSet": {}}, ro=True),
    ])


@scenario
def denied_not_granted(s):
    _denied_events(s)
    return DEFAULT_ARGS, """\
Calls that failed authorization (`errorCode` AccessDenied, AccessDeniedException, Client.UnauthorizedOperation)
are not granted by default; they are reported (e.g. `failed-call-skipped`).
Must contain exactly: `s3:GetObject` on `arn:aws:s3:::acme-build-artifacts/cache/deps.tar.zst`.
Must not contain: `iam:CreateRole`, `ssm:PutParameter`, `ec2:DescribeSubnets`.
Same logs as `include-denied`.
"""


@scenario
def include_denied(s):
    _denied_events(s)
    return DEFAULT_ARGS + " --include-denied", """\
`--include-denied` grants the denied calls too, using the action and resource the errorMessage names.
Must contain exactly: `s3:GetObject` on `arn:aws:s3:::acme-build-artifacts/cache/deps.tar.zst`, `iam:CreateRole`
on `arn:aws:iam::111122223333:role/acme-api-canary`, `ssm:PutParameter` on
`arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/last-deployed`, `ec2:DescribeSubnets` on `*`.
Same logs as `denied-not-granted`.
"""


@scenario
def failed_call_not_granted(s):
    ui = s.role("gh-run-8")
    s.records_file("events.json", [
        s.ev(ui, "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "acme-api-canary"},
             error=("ResourceNotFoundException",
                    f"Function not found: arn:aws:lambda:{REGION}:{ACCOUNT}:function:acme-api-canary")),
        s.ev(ui, "cloudformation.amazonaws.com", "DescribeStacks", {"stackName": "acme-api-old"},
             error=("ValidationException", "Stack with id acme-api-old does not exist")),
    ])
    return DEFAULT_ARGS, """\
A call that failed with an error other than access denied (ResourceNotFoundException, ValidationException)
grants nothing by default, like every failed call: each is reported as `failed-call-skipped` (a warning), and
`--include-denied` grants them (the policy is built from successful calls only).
Must contain: no statement.
Must not contain: `lambda:GetFunction`, `cloudformation:DescribeStacks`.
"""


@scenario
def window_boundaries(s):
    ui = s.role("gh-run-9")
    at = lambda y, mo, d, h, mi, sec: dt.datetime(y, mo, d, h, mi, sec)  # noqa: E731
    s.records_file("events.json", [
        ecr_token(s, ui, t=at(2026, 10, 31, 23, 59, 59)),
        ssm_get(s, ui, t=at(2026, 11, 1, 0, 0, 0)),
        lambda_get(s, ui, t=at(2026, 11, 30, 23, 59, 59)),
        cfn_describe(s, ui, t=at(2026, 12, 1, 0, 0, 0)),
    ])
    return DEFAULT_ARGS, """\
The window is half-open `[--from, --to)` in UTC: an event exactly at `--from` (2026-11-01T00:00:00Z) is in,
exactly at `--to` (2026-12-01T00:00:00Z) is out; one second before `--from` is out, one before `--to` is in.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`lambda:GetFunction` on `arn:aws:lambda:us-east-1:111122223333:function:acme-api`.
Must not contain: `ecr:GetAuthorizationToken` (23:59:59 on 31 Oct), `cloudformation:DescribeStacks` (1 Dec).
"""


def _two_accounts(s):
    ours = s.role("gh-run-4")
    theirs = s.role("codebuild-1a2b3c4d", name="build-agent", path="/", account=OTHER_ACCOUNT)
    # an organisation trail: both accounts' own records, plus the cross-account S3 read in ours
    our_rec = [ssm_get(s, ours), s.s3(ours, "GetObject", key="cache/deps.tar.zst")]
    cross = [s.s3(theirs, "GetObject", key="shared/toolchain-2026.11.tar.gz")]
    their_own = [ssm_get(s, theirs, name="/build/token", account=OTHER_ACCOUNT)]
    s.raw("AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/11/10/"
          "111122223333_CloudTrail_us-east-1_20261110T1405Z_Qm7Tn2VxL0pR4sKa.json.gz",
          gz(json.dumps({"Records": our_rec + cross})))
    s.raw("AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/us-east-1/2026/11/10/"
          "444455556666_CloudTrail_us-east-1_20261110T1405Z_b8HcW1zYe5NqJ3uD.json.gz",
          gz(json.dumps({"Records": their_own})))


@scenario
def account_filter(s):
    _two_accounts(s)
    return DEFAULT_ARGS + f" --account {ACCOUNT}", """\
`--account 111122223333` keeps only the build-agent of that account (userIdentity.accountId / sessionIssuer),
in an organisation trail (`AWSLogs/o-.../<account>/...`) that also holds account 444455556666, whose role is also
named build-agent and also reads our bucket cross-account.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`s3:GetObject` on `arn:aws:s3:::acme-build-artifacts/cache/deps.tar.zst`.
Must not contain: `shared/toolchain-2026.11.tar.gz`, `parameter/build/token` (444455556666). Same logs as
`role-name-no-account`.
"""


@scenario
def role_name_no_account(s):
    _two_accounts(s)
    return DEFAULT_ARGS, """\
Without `--account`, a bare role name matches roles of that name in every account (here 111122223333 and
444455556666); a diagnostic should say that several accounts matched.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token` and
`arn:aws:ssm:us-east-1:444455556666:parameter/build/token`, `s3:GetObject` on
`arn:aws:s3:::acme-build-artifacts/cache/deps.tar.zst` and `arn:aws:s3:::acme-build-artifacts/shared/toolchain-*.*.tar.gz`
(the date `2026.11` of `toolchain-2026.11.tar.gz` is per-period: a `wildcard-segment` note names it).
Same logs as `account-filter`.
"""


@scenario
def s3_objects_and_list_bucket(s):
    ui = s.role("gh-run-5")
    s.records_file("events.json", [
        s.s3(ui, "ListObjects", prefix="cache/"),
        s.s3(ui, "ListObjectVersions", prefix="builds/"),
        s.s3(ui, "GetObject", key="cache/deps.tar.zst"),
        s.s3(ui, "HeadObject", key="cache/deps.tar.zst"),
        s.s3(ui, "PutObject", key="builds/5/bundle.zip"),
        s.s3(ui, "DeleteObject", key="tmp/5/scratch.bin", read_only=False),
        s.ev(ui, "s3.amazonaws.com", "GetBucketLocation", {"bucketName": BUCKET, "Host": f"{BUCKET}.s3.amazonaws.com",
                                                         "location": ""},
             resources=[{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{BUCKET}"}],
             version="1.09", request_id=s.g.s3_request_id(), host=f"{BUCKET}.s3.amazonaws.com"),
    ])
    return DEFAULT_ARGS, """\
S3 data events carry object ARNs in `resources[]`: object actions go on object ARNs, listing goes on the bucket.
Must contain exactly: `s3:ListBucket` on `arn:aws:s3:::acme-build-artifacts` (from ListObjects, which CloudTrail
also logs for ListObjectsV2 with `list-type: 2`), `s3:ListBucketVersions` on the bucket (from ListObjectVersions),
`s3:GetBucketLocation` on `arn:aws:s3:::acme-build-artifacts`, `s3:GetObject` on
`arn:aws:s3:::acme-build-artifacts/cache/deps.tar.zst` (from GetObject and HeadObject), `s3:PutObject` on
`arn:aws:s3:::acme-build-artifacts/builds/*/bundle.zip`, `s3:DeleteObject` on
`arn:aws:s3:::acme-build-artifacts/tmp/*/scratch.bin` (the run number `5` of `builds/5/` and `tmp/5/`, also in the
session name `gh-run-5`, is per-run: a `wildcard-segment` note for each).
Must not contain: `s3:ListObjects`, `s3:ListObjectVersions`, `s3:HeadObject` (not IAM actions), an object action
on the bucket ARN.
"""


@scenario
def lambda_versioned_names(s):
    ui = s.role("gh-run-6")
    fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:acme-api"
    s.records_file("events.json", [
        s.ev(ui, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2",
             {"functionName": fn_arn, "publish": True, "dryRun": False,
              "imageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/build-agent/app:sha-3f9c2b1a7d0e"},
             {"functionName": "acme-api", "functionArn": fn_arn + ":18", "version": "18", "packageType": "Image"},
             ro=False),
        lambda_get(s, ui),
        s.ev(ui, "lambda.amazonaws.com", "GetFunctionConfiguration20150331v2", {"functionName": "acme-api"}),
        s.ev(ui, "lambda.amazonaws.com", "PublishVersion20150331", {"functionName": "acme-api"},
             {"functionName": "acme-api", "functionArn": fn_arn + ":19", "version": "19"}, ro=False),
        s.ev(ui, "lambda.amazonaws.com", "ListVersionsByFunction20150331", {"functionName": "acme-api"}),
        s.ev(ui, "lambda.amazonaws.com", "UpdateAlias20150331", {"functionName": "acme-api", "name": "live",
                                                                 "functionVersion": "19"},
             {"aliasArn": fn_arn + ":live", "name": "live", "functionVersion": "19"}, ro=False),
    ])
    return DEFAULT_ARGS, """\
Lambda eventNames carry an API-version suffix (`GetFunction20150331v2`, `PublishVersion20150331`); the action
drops it. `functionName` may be a name or a full ARN: both give the same function resource.
Must contain exactly, all on `arn:aws:lambda:us-east-1:111122223333:function:acme-api` (UpdateAlias may use
the alias ARN `...:function:acme-api:live` if the map says so): `lambda:UpdateFunctionCode`,
`lambda:GetFunction`, `lambda:GetFunctionConfiguration`, `lambda:PublishVersion`,
`lambda:ListVersionsByFunction`, `lambda:UpdateAlias`.
Must not contain: any action ending in `20150331` or `v2`.
"""


@scenario
def passrole_create_function(s):
    ui = s.role("gh-run-10")
    lam_role = f"arn:aws:iam::{ACCOUNT}:role/acme-worker-lambda"
    fn_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:acme-worker"
    s.records_file("events.json", [
        s.ev(ui, "lambda.amazonaws.com", "CreateFunction20150331",
             {"functionName": "acme-worker", "runtime": "nodejs20.x", "role": lam_role, "handler": "index.handler",
              "code": {"s3Bucket": BUCKET, "s3Key": "builds/10/worker.zip"}, "timeout": 30, "memorySize": 256,
              "publish": False, "architectures": ["arm64"]},
             {"functionName": "acme-worker", "functionArn": fn_arn, "runtime": "nodejs20.x", "role": lam_role,
              "handler": "index.handler", "state": "Pending", "stateReasonCode": "Creating", "version": "$LATEST"},
             ro=False),
    ])
    return DEFAULT_ARGS, """\
`CreateFunction` passing an execution role needs `iam:PassRole` on that role (CloudTrail never logs PassRole).
Must contain exactly: `lambda:CreateFunction` on `arn:aws:lambda:us-east-1:111122223333:function:acme-worker`,
`iam:PassRole` on `arn:aws:iam::111122223333:role/acme-worker-lambda` (ideally with condition
`iam:PassedToService` = `lambda.amazonaws.com`).
Must not contain: `iam:PassRole` on `*`. (Reading `code.s3Key` needs `s3:GetObject` only if the map models it.)
"""


@scenario
def passrole_ecs_task_definition(s):
    ui = s.role("gh-run-11")
    task, exe = mt.TASK_ROLE, mt.EXEC_ROLE
    s.records_file("events.json", [
        s.ev(ui, "ecs.amazonaws.com", "RegisterTaskDefinition",
             {"family": "acme-api", "taskRoleArn": task, "executionRoleArn": exe, "networkMode": "awsvpc",
              "containerDefinitions": [{"name": "app", "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/build-agent/app:sha-3f9c2b1a7d0e",
                                        "essential": True}],
              "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024"},
             {"taskDefinition": {"taskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/acme-api:42",
                                 "family": "acme-api", "revision": 42, "status": "ACTIVE",
                                 "taskRoleArn": task, "executionRoleArn": exe}}, ro=False),
        s.ev(ui, "ecs.amazonaws.com", "UpdateService",
             {"cluster": "acme", "service": "acme-api", "taskDefinition": "acme-api:42"},
             {"service": {"serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/acme/acme-api",
                          "serviceName": "acme-api", "status": "ACTIVE"}}, ro=False),
    ])
    return DEFAULT_ARGS, """\
ECS `RegisterTaskDefinition` with `taskRoleArn` and `executionRoleArn` needs `iam:PassRole` on both roles.
Must contain exactly: `ecs:RegisterTaskDefinition` on `*` (the action takes no resource), `ecs:UpdateService`
on `arn:aws:ecs:us-east-1:111122223333:service/acme/acme-api`, `iam:PassRole` on
`arn:aws:iam::111122223333:role/acme-api-task` and `arn:aws:iam::111122223333:role/ecsTaskExecutionRole`
(ideally conditioned on `iam:PassedToService` = `ecs-tasks.amazonaws.com`).
Must not contain: `iam:PassRole` on `*`.
"""


@scenario
def get_caller_identity_only(s):
    ui = s.role("gh-run-12", web=True)
    s.records_file("events.json", [web_identity_exchange(s, "gh-run-12"), caller_id(s, ui, ua=mt.GHA_CREDS_UA),
                                   caller_id(s, ui)])
    return DEFAULT_ARGS, """\
`sts:GetCallerIdentity` needs no permission (it always works), and `AssumeRoleWithWebIdentity` belongs to the
web identity: the role matched events but needs nothing.
Must contain: no statement (an empty policy, and a diagnostic saying events matched but none needs a permission).
"""


@scenario
def duplicate_delivery(s):
    ui = s.role("gh-run-13")
    a = s.s3(ui, "GetObject", key="cache/deps.tar.zst")
    b = ssm_get(s, ui)
    s.raw(s.s3_object_path(), gz(json.dumps({"Records": [a, b]})))
    s.tick(60)
    s.raw(s.s3_object_path(), gz(json.dumps({"Records": [a]})))  # CloudTrail re-delivered the same record
    s.records_file("copy-of-one-record.json", [b, b])
    return DEFAULT_ARGS, """\
CloudTrail may deliver the same record more than once; records are de-duplicated by `eventID` (the GetObject
appears in two objects, the GetParameter in one object and twice in a JSON file). Each counts once (counts = 1).
Must contain exactly: `s3:GetObject` on `arn:aws:s3:::acme-build-artifacts/cache/deps.tar.zst`,
`ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
"""


@scenario
def mixed_input_shapes(s):
    ui = s.role("gh-run-14")
    r1, r2 = ssm_get(s, ui), lambda_get(s, ui)
    r3, r4 = cfn_describe(s, ui), ecr_token(s, ui)
    r5 = s.s3(ui, "GetObject", key="cache/deps.tar.zst")
    r6 = s.ev(ui, "logs.amazonaws.com", "CreateLogStream",
              {"logGroupName": "/acme/ci/build-agent", "logStreamName": "gh-run-14"}, ro=False)
    s.records_file("records-object.json", [r1])
    s.raw("bare-array.json", json.dumps([r2], indent=2) + "\n")
    s.raw("lines.jsonl", json.dumps(r3) + "\n")
    s.raw("single-record.json", json.dumps(r4, indent=2) + "\n")
    s.raw(s.s3_object_path(), gz(json.dumps({"Records": [r5]})))
    s.raw("lines.json.gz", gz(json.dumps(r6) + "\n"))
    return DEFAULT_ARGS, """\
Every input shape is read: `{"Records":[...]}`, a bare array, JSON lines (`.jsonl`), a single record object, a
gzip S3 object in the real `AWSLogs/...` layout, and gzipped JSON lines. One action per file.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`lambda:GetFunction` on `arn:aws:lambda:us-east-1:111122223333:function:acme-api`, `cloudformation:DescribeStacks`
on `arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`, `ecr:GetAuthorizationToken` on `*`,
`s3:GetObject` on `arn:aws:s3:::acme-build-artifacts/cache/deps.tar.zst`, `logs:CreateLogStream` on
`arn:aws:logs:us-east-1:111122223333:log-group:/acme/ci/build-agent:log-stream:gh-run-*` (the stream is named after
the session `gh-run-14`: a `wildcard-segment` note). No other diagnostics but the map's notes.
"""


@scenario
def digest_and_foreign_json_skipped(s):
    ui = s.role("gh-run-15")
    rec = ssm_get(s, ui)
    path = s.s3_object_path()
    data = gz(json.dumps({"Records": [rec]}))
    s.raw(path, data)
    end = dt.datetime(2026, 11, 10, 15, 0)
    dpath, ddata = mt.digest(s.g, [(path, [rec], data)], REGION, end - dt.timedelta(hours=1), end)
    s.raw(dpath, ddata)
    s.raw("terraform/build-agent-policy.json", json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, indent=2) + "\n")
    return DEFAULT_ARGS, """\
A CloudTrail digest file (`CloudTrail-Digest/...`, no `Records`) and a JSON file that is not CloudTrail (an IAM
policy document) are skipped, each with a diagnostic naming the file; they are not errors and the result is
complete.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
Must not contain: `s3:*` (from the policy document).
"""


@scenario
def corrupt_gzip(s):
    ui = s.role("gh-run-16")
    good1 = ssm_get(s, ui)
    s.raw(s.s3_object_path(), gz(json.dumps({"Records": [good1]})))
    s.tick(600)
    bad = lambda_get(s, ui, fn="acme-api-only-in-the-broken-file")
    full = gz(json.dumps({"Records": [bad]}, indent=2))
    s.raw(s.s3_object_path(), full[: len(full) // 2])  # truncated mid-stream: no complete record inside
    s.tick(600)
    good2 = cfn_describe(s, ui)
    s.raw(s.s3_object_path(), gz(json.dumps({"Records": [good2]})))
    return DEFAULT_ARGS, """\
A truncated gzip object beside good ones: the good files still count, the broken one is reported (e.g.
`unreadable-file` naming it) and the result is marked incomplete (exit code 1). The cut falls inside the
first record, so no record of the broken file is complete.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`cloudformation:DescribeStacks` on `arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*`.
Must not contain: `lambda:GetFunction` / `function:acme-api-only-in-the-broken-file`.
"""


@scenario
def unmapped_event(s):
    ui = s.role("gh-run-17")
    s.records_file("events.json", [
        ssm_get(s, ui),
        s.ev(ui, "example-nonexistent.amazonaws.com", "DoSomethingNew", {"widgetName": "w-1"},
             {"widgetArn": f"arn:aws:example-nonexistent:{REGION}:{ACCOUNT}:widget/w-1"}, ro=False),
    ])
    return DEFAULT_ARGS, """\
An event whose eventSource/eventName no map knows (`example-nonexistent.amazonaws.com` / `DoSomethingNew`) is
reported (`unmapped-event`, naming source and name, count 1), never guessed into an action.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
Must not contain: any `example-nonexistent:*` action.
"""


@scenario
def kms_via_ssm_invoked_by(s):
    ui = s.role("gh-run-18")
    via = s.role("gh-run-18", invoked_by="ssm.amazonaws.com")
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/7c1e5a92-0f3d-4b8e-a6c4-2d9b0e1f3a57"
    s.records_file("events.json", [
        ssm_get(s, ui),
        s.ev(via, "kms.amazonaws.com", "Decrypt",
             {"encryptionContext": {"PARAMETER_ARN": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/acme/build/token"},
              "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
             resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}]),
    ])
    return DEFAULT_ARGS, """\
A SecureString read: SSM calls KMS Decrypt with the role's credentials (forward access session,
`invokedBy: ssm.amazonaws.com`), so the role needs `kms:Decrypt` on the key named in `resources[]`.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`kms:Decrypt` on `arn:aws:kms:us-east-1:111122223333:key/7c1e5a92-0f3d-4b8e-a6c4-2d9b0e1f3a57` (ideally with
condition `kms:ViaService` = `ssm.us-east-1.amazonaws.com`).
"""


@scenario
def unplaceable_event_time(s):
    ui = s.role("gh-run-1")
    no_time = ssm_get(s, ui)
    del no_time["eventTime"]
    bad_time = lambda_get(s, ui)
    bad_time["eventTime"] = "yesterday"
    other = cfn_describe(s, s.user("alice"))
    del other["eventTime"]
    s.records_file("events.json", [ecr_token(s, ui), no_time, bad_time, other])
    return DEFAULT_ARGS, """\
Two records of the role cannot be placed in the window: one has no `eventTime`, one has `yesterday`. They may be
calls in the window that the policy lacks, so the run is incomplete (`unplaceable-record`, exit 1); alice's
record without a time is not the principal's and says nothing.
Must contain exactly: `ecr:GetAuthorizationToken` on `*`.
"""


@scenario
def trail_object_not_json(s):
    ui = s.role("gh-run-1")
    s.raw(s.s3_object_path(), gz("<html>503 Service Unavailable</html>\n"))
    s.tick(600)
    good = s.s3_object_path()
    s.files["logs/" + good] = gz(json.dumps({"Records": [ssm_get(s, ui)]}))
    return DEFAULT_ARGS, """\
A log object named as CloudTrail names them (`<account>_CloudTrail_<region>_<time>_<id>.json.gz`) that holds
text is damaged input, not some other file: `invalid-file`, the run is incomplete (exit 1). The other object is
still read.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
"""


@scenario
def foreign_json_lines(s):
    ui = s.role("gh-run-1")
    s.raw("notes/one.jsonl", '{"level":"info","msg":"deployed build-agent"}\n')
    s.raw("notes/three.jsonl", "".join(
        json.dumps({"level": "info", "msg": f"build-agent step {i}"}) + "\n" for i in range(3)))
    s.raw("notes/array.json", json.dumps([{"role": "build-agent"}, {"role": "build-agent"}]))
    s.records_file("events.json", [ssm_get(s, ui)])
    return DEFAULT_ARGS, """\
JSON that is not CloudTrail is recognised as such whatever its length: a one-line and a three-line JSON lines
file and an array of objects without any CloudTrail field are each one `not-cloudtrail` warning, and none of
their lines counts as a record read (records read: 1).
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
"""


@scenario
def session_arn_one_account(s):
    here = s.role("gh-run-1")
    there = s.role("gh-run-1", path="/", account=OTHER_ACCOUNT)
    s.records_file("events.json", [
        ssm_get(s, here),
        s.ev(there, "ssm.amazonaws.com", "GetParameter", {"name": "/other/token"}, account=OTHER_ACCOUNT),
        s.ev(s.role("gh-run-2"), "lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": "acme-api"}),
    ])
    return (f"--principal arn:aws:sts::{ACCOUNT}:assumed-role/build-agent/gh-run-1 "
            "--from 2026-11-01 --to 2026-12-01"), """\
A session ARN names one account: `arn:aws:sts::111122223333:assumed-role/build-agent/gh-run-1` matches that
session of that account's role, not the same role and session name in 444455556666, nor another session.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
"""


@scenario
def unknown_principal_case(s):
    s.records_file("events.json", [ssm_get(s, s.role("gh-run-1")), caller_id(s, s.user("alice"))])
    return "--role Build-Agent --from 2026-11-01 --to 2026-12-01", """\
Role names are case-sensitive in ARNs: `--role Build-Agent` matches no record. An empty answer is not a
complete one: `no-matching-records` makes the run incomplete (exit 1), and its detail suggests
`--role build-agent`.
Must contain: no statement at all.
"""


@scenario
def failed_call_granted_anyway(s):
    ui = s.role("gh-run-1")
    throttled = s.ev(ui, "ssm.amazonaws.com", "GetParameter", {"name": "/acme/build/token", "withDecryption": True},
                     error=("ThrottlingException", "Rate exceeded"))
    missing = s.s3(ui, "GetObject", key="cache/missing.tar.zst", error=("NoSuchKey", "The specified key does not exist."))
    s.records_file("events.json", [throttled, ssm_get(s, ui), missing])
    return DEFAULT_ARGS, """\
A throttled `GetParameter` that succeeded on retry is granted anyway: a note (`failed-call-granted-anyway`), not a
warning, so `--deny-warnings` does not fail on routine traffic. The `NoSuchKey` read of an object never read
successfully is not granted: `failed-call-skipped` (warning).
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
"""


@scenario
def mapped_call_without_action(s):
    ui = s.role("gh-run-1")
    s.records_file("events.json", [
        ssm_get(s, ui),
        s.ev(ui, "dynamodb.amazonaws.com", "ExecuteStatement", {"consistentRead": False}),
    ])
    return DEFAULT_ARGS, """\
A PartiQL `ExecuteStatement` whose record lacks the statement matches the map's rule, but none of its grants
(one per statement verb) applies: the call would be "mapped" and granted nothing. policygen says so:
`unsound-result`, the run is incomplete (exit 1).
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`.
"""


def on_day(day, hour=9, minute=0):
    """A time on a November 2026 day, for scenarios whose evidence spans days."""
    return dt.datetime(2026, 11, day, hour, minute, 0)


def log_stream(s, ui, group, stream, **kw):
    return s.ev(ui, "logs.amazonaws.com", "CreateLogStream", {"logGroupName": group, "logStreamName": stream},
                ro=False, **kw)


@scenario
def per_run_session_and_numbers(s):
    records = []
    for n, day in [(4411, 2), (4412, 3), (4415, 5)]:
        ui = s.role(f"gh-run-{n}")
        records.append(log_stream(s, ui, "/acme/ci/build-agent", f"gh-run-{n}", t=on_day(day)))
        records.append(log_stream(s, ui, "/acme/ci/steps", str(n), t=on_day(day, 10)))
        records.append(s.s3(ui, "PutObject", key=f"builds/{n}/bundle.zip", t=on_day(day, 11)))
    s.records_file("events.json", records)
    return DEFAULT_ARGS, """Names made from the run: log streams named after the session (`gh-run-4411`) or its number (`4411`), objects under
the build number. The next run brings the next number, so each becomes `*` in that part only.
Must contain exactly: `logs:CreateLogStream` on
`arn:aws:logs:us-east-1:111122223333:log-group:/acme/ci/build-agent:log-stream:gh-run-*` and
`arn:aws:logs:us-east-1:111122223333:log-group:/acme/ci/steps:log-stream:*`, `s3:PutObject` on
`arn:aws:s3:::acme-build-artifacts/builds/*/bundle.zip`; a `wildcard-segment` note for each, naming the
identifiers.
Must not contain: `log-group:/acme/ci/*`, `acme-build-artifacts/*`.
"""


@scenario
def per_run_dates_and_timestamps(s):
    ui = s.role("etl-nightly")
    records = []
    for day in (20, 21):
        records += [
            s.s3(ui, "PutObject", key=f"curated/events/dt=2026-11-{day}/part-0.parquet", t=on_day(day, 2)),
            s.s3(ui, "PutObject", key=f"firehose/2026/11/{day}/10/batch.gz", t=on_day(day, 2, 1)),
            s.s3(ui, "PutObject", key=f"exports/orders-202611{day}T020000Z.csv", t=on_day(day, 2, 2)),
            s.s3(ui, "GetObject", key=f"raw/year=2026/month=11/day={day}/events.json", t=on_day(day, 2, 3)),
            s.ev(ui, "dynamodb.amazonaws.com", "PutItem", {"tableName": "metrics_2026_11"}, ro=False,
                 t=on_day(day, 2, 4)),
        ]
    s.records_file("events.json", records)
    return DEFAULT_ARGS, """Dates and timestamps in the formats data pipelines write: Hive partitions (`dt=2026-11-20`, `year=2026/month=11`),
Firehose's `2026/11/20/10`, compact `20261120T020000Z`, a monthly table `metrics_2026_11`. Each date part becomes
`*`, separators kept, so the policy still works on 1 December and still denies `metrics-archive`.
The file name `part-0.parquet` is the same every day (a number that recurs from the first day): it stays.
Must contain exactly: `s3:PutObject` on `arn:aws:s3:::acme-build-artifacts/curated/events/dt=*-*-*/part-0.parquet`,
`arn:aws:s3:::acme-build-artifacts/firehose/*/*/*/*/batch.gz`, `arn:aws:s3:::acme-build-artifacts/exports/orders-*.csv`;
`s3:GetObject` on `arn:aws:s3:::acme-build-artifacts/raw/year=*/month=*/day=*/events.json`; `dynamodb:PutItem`
on `arn:aws:dynamodb:us-east-1:111122223333:table/metrics_*_*`.
"""


@scenario
def per_run_uuids_and_hex(s):
    records = []
    for day in (3, 4):
        build = s.g.uuid()
        cb = s.role(f"AWSCodeBuild-{build}")
        records.append(log_stream(s, cb, "/aws/codebuild/app-build", build, t=on_day(day)))
        task = s.g.hexs(32)
        records.append(log_stream(s, s.role(task), "/ecs/orders", f"app/web/{task}", t=on_day(day, 10)))
        fn = s.role("thumbnailer")
        records.append(log_stream(s, fn, "/aws/lambda/thumbnailer", f"2026/11/0{day}/[$LATEST]{s.g.hexs(32)}",
                                  t=on_day(day, 11)))
        sha = s.g.hexs(40)
        records.append(s.s3(cb, "PutObject", key=f"cfn/acme-api-{sha[:12]}.yaml", t=on_day(day, 12)))
    s.records_file("events.json", records)
    return DEFAULT_ARGS, """Identifiers a run brings: a CodeBuild build ID (UUID) as the stream name, an ECS task ID (32 hex) and a Lambda
container's stream (`2026/11/03/[$LATEST]<hex>`), a commit SHA in an object key.
Must contain exactly: `logs:CreateLogStream` on `.../log-group:/aws/codebuild/app-build:log-stream:*`,
`.../log-group:/ecs/orders:log-stream:app/web/*`,
`.../log-group:/aws/lambda/thumbnailer:log-stream:*/*/*/[${$}LATEST]*`; `s3:PutObject` on
`arn:aws:s3:::acme-build-artifacts/cfn/acme-api-*.yaml`.
"""


@scenario
def per_run_ec2_ids(s):
    base, subnet = "ami-0a1b2c3d4e5f60718", "subnet-0123456789abcdef0"
    key = "arn:aws:kms:us-east-1:111122223333:key/0d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b2a"
    records = []
    for n, day in [(1, 2), (2, 9)]:
        ui = s.role(f"gh-run-{n}")
        instance = f"i-0{s.g.hexs(16)}"
        records += [
            s.ev(ui, "ec2.amazonaws.com", "RunInstances",
                 {"instancesSet": {"items": [{"imageId": base, "minCount": 1, "maxCount": 1}]},
                  "instanceType": "t3.medium", "subnetId": subnet},
                 {"instancesSet": {"items": [{"instanceId": instance}]}}, ro=False, t=on_day(day)),
            s.ev(ui, "ec2.amazonaws.com", "TerminateInstances", {"instancesSet": {"items": [{"instanceId": instance}]}},
                 ro=False, t=on_day(day, 10)),
            s.ev(ui, "ec2.amazonaws.com", "DeleteSnapshot", {"snapshotId": f"snap-0{s.g.hexs(16)}"}, ro=False,
                 t=on_day(day, 11)),
        ]
    ui = s.role("gh-run-2")
    records.append(s.ev(ui, "kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                        resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}], t=on_day(9, 12)))
    s.records_file("events.json", records)
    return DEFAULT_ARGS, """EC2 IDs: instances and snapshots change with every run (the principal launches instances: `instance/*`), the
base AMI and the subnet are the same in both runs, a week apart, and stay exact. The KMS key, used once, is a
resource's whole ID of a type the principal never creates, so it stays exact too.
Must contain exactly: `ec2:RunInstances` on `arn:aws:ec2:us-east-1::image/ami-0a1b2c3d4e5f60718`,
`arn:aws:ec2:us-east-1:111122223333:subnet/subnet-0123456789abcdef0` and the map's `instance/*`, `volume/*`,
`network-interface/*`, `security-group/*`; `ec2:TerminateInstances` on
`arn:aws:ec2:us-east-1:111122223333:instance/i-*`; `ec2:DeleteSnapshot` on `arn:aws:ec2:us-east-1::snapshot/snap-*`;
`kms:Decrypt` on the exact key.
"""


@scenario
def per_run_random_tokens(s):
    records = []
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ci/deploy-key-Tq4Lw9"
    for day in (2, 3, 4):
        ui = s.role("AWSCodeBuild-build")
        records.append(s.s3(ui, "GetObject", key=f"app-pipeli/SourceArti/{s.g.chars(mt.B62, 7)}", t=on_day(day)))
        records.append(s.s3(ui, "PutObject", key=f"uploads/{s.g.chars(mt.B62, 16)}.bin", t=on_day(day, 10)))
    records.append(s.ev(s.role("AWSCodeBuild-build"), "secretsmanager.amazonaws.com", "GetSecretValue",
                        {"secretId": secret}, t=on_day(4, 11)))
    s.records_file("events.json", records)
    return DEFAULT_ARGS, """\
Random tokens: a 16-character upload name is a random ID by its shape; CodePipeline's 7-character artefact
names are not, but three of them come and go at one place, so that place is per-run too. The Secrets Manager
suffix (`Tq4Lw9`), seen once, has no such evidence and stays: the secret is the same next time.
Must contain exactly: `s3:GetObject` on `arn:aws:s3:::acme-build-artifacts/app-pipeli/SourceArti/*`,
`s3:PutObject` on `arn:aws:s3:::acme-build-artifacts/uploads/*.bin`, `secretsmanager:GetSecretValue` on the exact
secret ARN.
"""


@scenario
def long_lived_ids_stay_exact(s):
    ui = s.role("gh-run-7")
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab"
    records = [
        s.ev(ui, "cognito-idp.amazonaws.com", "AdminGetUser",
             {"userPoolId": "us-east-1_AbCdEf123", "username": "smoke-test"}, t=on_day(12)),
        s.ev(ui, "cognito-identity.amazonaws.com", "DescribeIdentityPool",
             {"identityPoolId": "us-east-1:1a1a1a1a-ffff-1111-9999-123456789012"}, t=on_day(12, 1)),
        s.ev(ui, "kms.amazonaws.com", "Decrypt", {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
             resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}], t=on_day(12, 2)),
        s.ev(ui, "guardduty.amazonaws.com", "GetDetector", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0"},
             t=on_day(12, 3)),
    ]
    s.records_file("events.json", records)
    return DEFAULT_ARGS, """Long-lived resources named by the IDs AWS gives them, each used once by one run: a Cognito user pool
(`us-east-1_AbCdEf123`: its letters are hex digits, but in both cases, so it is no digest), an identity pool
(`us-east-1:<UUID>`, one ID across the colon), a KMS multi-Region key (`mrk-` and 32 hex digits), a GuardDuty
detector (32 hex digits, the resource's whole ID). The principal creates none of them, so each is a resource the
run was pointed at, still there for the next one: all stay exact, with no `wildcard-segment` note.
Must contain exactly: `cognito-idp:AdminGetUser` on
`arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbCdEf123`, `cognito-identity:DescribeIdentityPool`
on `arn:aws:cognito-identity:us-east-1:111122223333:identitypool/us-east-1:1a1a1a1a-ffff-1111-9999-123456789012`,
`kms:Decrypt` on the exact key, `guardduty:GetDetector` on
`arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0`.
Must not contain: `us-east-1_*`, `us-east-1:*`, `mrk-*`, `detector/*`.
"""


@scenario
def stable_names_stay_exact(s):
    ui = s.role("deployer")
    records = []
    for day in (2, 9, 16):
        for env in ("prod", "staging"):
            records += [
                s.s3(ui, "GetObject", key=f"env/{env}/app/terraform.tfstate", t=on_day(day, 9)),
                s.ev(ui, "dynamodb.amazonaws.com", "PutItem", {"tableName": f"orders-{env}"}, ro=False,
                     t=on_day(day, 9, 1)),
                log_stream(s, ui, f"/ecs/orders-{env}", "deploy", t=on_day(day, 9, 2)),
                s.ev(ui, "cloudformation.amazonaws.com", "UpdateStack", {"stackName": f"orders-api-{env}"},
                     ro=False, t=on_day(day, 9, 3)),
            ]
    s.records_file("events.json", records)
    return DEFAULT_ARGS, """Stable names stay exact: a state key per environment, tables, log groups and stacks named after the
environment. Nothing here is a per-run identifier, so nothing becomes `*` and there is no `wildcard-segment`
note but the map's (the stack's UUID).
Must contain exactly: `s3:GetObject` on `.../env/prod/app/terraform.tfstate` and `.../env/staging/app/terraform.tfstate`;
`dynamodb:PutItem` on `table/orders-prod` and `table/orders-staging`; `logs:CreateLogStream` on the two
`deploy` streams; `cloudformation:UpdateStack` on `stack/orders-api-prod/*` and `stack/orders-api-staging/*`.
"""


def _customer_reports(s):
    ui = s.role("reporter")
    records = []
    for i, customer in enumerate(["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne"]):
        for doc in ("summary", "detail"):
            records.append(s.s3(ui, "PutObject", key=f"reports/{customer}/{doc}.pdf", t=on_day(2 + i)))
    s.records_file("events.json", records)


@scenario
def crowd_rule_names_merged(s):
    _customer_reports(s)
    return DEFAULT_ARGS + " --max-resources 5", """Past `--max-resources` (5 here) the crowd rule makes whole components `*`, the most variable place first: the
seven customer names (stable names, not identifiers) become `*` and the warning names them; the two document
names stay.
Must contain exactly: `s3:PutObject` on `arn:aws:s3:::acme-build-artifacts/reports/*/detail.pdf` and
`arn:aws:s3:::acme-build-artifacts/reports/*/summary.pdf`; a `resource-generalised` warning naming `acme`,
`globex`, `hooli`.
Must not contain: `acme-build-artifacts/*` or `reports/*` alone.
"""


@scenario
def exact_keeps_every_name(s):
    records = []
    for n, day in [(4411, 2), (4412, 3)]:
        ui = s.role(f"gh-run-{n}")
        records.append(log_stream(s, ui, "/acme/ci/build-agent", f"gh-run-{n}", t=on_day(day)))
        records.append(s.s3(ui, "PutObject", key=f"builds/{n}/bundle.zip", t=on_day(day, 11)))
    s.records_file("events.json", records)
    return DEFAULT_ARGS + " --exact", """`--exact` keeps every observed name: the per-run streams and objects stay as they were, no `wildcard-segment`
note. Today's behaviour; the policy breaks on the next run.
Must contain exactly: `logs:CreateLogStream` on `...:log-stream:gh-run-4411` and `...:log-stream:gh-run-4412`,
`s3:PutObject` on `.../builds/4411/bundle.zip` and `.../builds/4412/bundle.zip`.
"""


@scenario
def condition_tags(s):
    records = []
    for n, day in [(7, 2), (8, 3)]:
        ui = s.role(f"gh-run-{n}")
        instance = f"i-0{s.g.hexs(16)}"
        tags = [{"key": "team", "value": "platform"}, {"key": "ci-run", "value": str(n)}]
        records += [
            s.ev(ui, "ec2.amazonaws.com", "RunInstances",
                 {"instancesSet": {"items": [{"imageId": "ami-0a1b2c3d4e5f60718", "minCount": 1, "maxCount": 1}]},
                  "instanceType": "t3.micro", "subnetId": "subnet-0123456789abcdef0",
                  "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": tags}]}},
                 {"instancesSet": {"items": [{"instanceId": instance}]}}, ro=False, t=on_day(day)),
            s.ev(ui, "cloudformation.amazonaws.com", "CreateStack",
                 {"stackName": f"preview-pr-{n}", "tags": [{"key": "team", "value": "platform"}]},
                 {"stackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/preview-pr-{n}/{s.g.uuid()}"},
                 ro=False, t=on_day(day, 10)),
        ]
    s.records_file("events.json", records)
    return DEFAULT_ARGS + " --condition tags", """`--condition tags`: the requests that create per-run resources carry tags, so the policy can ask for them
(`aws:RequestTag/team` = `platform`), on the resources the request creates only: the image and subnet of
`ec2:RunInstances` keep working without it. The `ci-run` tag changes with every run and is left out.
Must contain exactly: `ec2:RunInstances` on the image and subnet without a condition; on `instance/*` and the
other new resources with `StringEquals` `aws:RequestTag/team` = `platform`; `ec2:CreateTags` on `instance/*`
with `ec2:CreateAction` (none: `--condition service` is not given) and the same tag condition;
`cloudformation:CreateStack` on `stack/preview-pr-*/*` with the tag condition.
"""


@scenario
def escaped_principal_name(s):
    ui = s.role("gh-run-1")
    plain = ssm_get(s, ui)
    escaped = lambda_get(s, ui)
    other = lambda_get(s, s.role("gh-run-1", name="build-agent-legacy"), fn="legacy-api")
    s.raw(s.s3_object_path(), gz(json.dumps({"Records": [plain]})))
    s.tick(600)
    # JSON may spell any character as `\u` + hex: here the role's name in every field of one record.
    text = json.dumps({"Records": [escaped, other]})
    first, rest = text.split('}, {"eventVersion"', 1)
    first = first.replace("build-agent", "build\\u002dagent")
    s.raw(s.s3_object_path(), gz(first + '}, {"eventVersion"' + rest))
    return DEFAULT_ARGS, """\
A record that spells the role's name with a JSON escape (`build\\u002dagent`) is the role's record: a search
for the name's bytes cannot find it, so a file holding a `\\u` escape is read record by record.
Must contain exactly: `ssm:GetParameter` on `arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token`,
`lambda:GetFunction` on `arn:aws:lambda:us-east-1:111122223333:function:acme-api`.
Must not contain: `function:legacy-api` (another role's, in the same file).
"""


# ================================================================================================

def build():
    out = {}
    for name, fn in SCENARIOS.items():
        s = S(name)
        args, readme = fn(s)
        files = dict(s.files)
        files["args"] = (args + "\n").encode()
        files["README.md"] = (f"# {name}\n\n{readme}\nArgs: `{args}`. Inputs written by "
                              "`tests/data/make_scenarios.py`; do not edit by hand.\n").encode()
        out[name] = files
    return out


def main():
    check = "--check" in sys.argv
    ok = True
    for name, files in build().items():
        d = os.path.join(OUT, name)
        if check:
            for rel, data in files.items():
                p = os.path.join(d, rel)
                if not os.path.exists(p) or open(p, "rb").read() != data:
                    print("differs:", os.path.relpath(p, ROOT))
                    ok = False
            continue
        logs = os.path.join(d, "logs")
        if os.path.isdir(logs):
            import shutil
            shutil.rmtree(logs)
        for rel, data in files.items():
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
    if check:
        sys.exit(0 if ok else 1)
    print(f"wrote {len(SCENARIOS)} scenarios under {os.path.relpath(OUT, ROOT)}/")


if __name__ == "__main__":
    main()
