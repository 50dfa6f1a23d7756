#!/usr/bin/env python3
"""Write examples/trail/: one month (November 2026) of CloudTrail logs for account 111122223333,
in CloudTrail's S3 layout, for the README demo

    policygen --role build-agent --from 2026-11-01 --to 2026-12-01 --logs examples/trail

Deterministic: fixed seed, fixed dates, gzip with mtime=0 and no file name in the header, sorted keys
nowhere (field order follows real records), so a rerun is byte-identical. Stdlib only.

    python3 examples/make_trail.py            # rewrites examples/trail/
    python3 examples/make_trail.py --check    # exits 1 if the committed trail differs

The record builders (class Gen) are also used by tests/scenarios/make_scenarios.py.
Record shapes follow real CloudTrail records in tests/data/real/records.jsonl.
"""
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import sys
import uuid

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
ROLE_NAME = "build-agent"
ROLE_PATH = "/ci/"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ci/build-agent"
BUCKET = "acme-build-artifacts"
BUCKET_REGION = "us-east-1"  # S3 data events are logged in the bucket's region
REPO = "build-agent/app"
FUNCTION = "acme-api"
STACK = "acme-api"
CLUSTER = "acme"
PARAM = "/acme/build/token"
OIDC_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GH_SUBJECT = "repo:acme/app:ref:refs/heads/main"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/acme-api-task"
EXEC_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
SSO_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
TRAIL_BUCKET = "acme-cloudtrail-logs"
TRAIL_NAME = "acme-trail"

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

CLI_UA = ("aws-cli/2.22.35 md/awscrt#0.23.8 ua/2.1 os/linux#6.8.0-1021-azure md/arch#x86_64 lang/python#3.12.9 "
          "md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 "
          "md/prompt#off md/command#{cmd}")
GHA_CREDS_UA = ("aws-sdk-js/3.738.0 ua/2.1 os/linux#6.8.0-1021-azure lang/js md/nodejs#20.18.2 api/sts#3.738.0 m/N,E "
                "configure-aws-credentials-for-github-actions")
DOCKER_UA = ("docker/27.5.1 go/go1.22.11 git-commit/4c9b3b0 kernel/6.8.0-1021-azure os/linux arch/amd64 "
             "UpstreamClient(Docker-Client/27.5.1 \\(linux\\))")
CONSOLE_UA = "AWS Internal"
BROWSER_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"
LAPTOP_CLI_UA = ("aws-cli/2.22.35 md/awscrt#0.23.8 ua/2.1 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.8 "
                 "md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#{cmd}")


def exp_fmt(t):
    """STS credential expiration as CloudTrail prints it: 'Nov 5, 2026, 1:05:12 PM'."""
    h = t.hour % 12 or 12
    return f"{t:%b} {t.day}, {t.year}, {h}:{t:%M:%S} {'AM' if t.hour < 12 else 'PM'}"


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Gen:
    """Builders for CloudTrail records, all randomness from one seeded RNG."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    # ---- identifiers -------------------------------------------------------------------------
    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def chars(self, alphabet, n):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def hexs(self, n, upper=False):
        s = "".join(self.rng.choice("0123456789abcdef") for _ in range(n))
        return s.upper() if upper else s

    def key_id(self, prefix="ASIA"):
        return prefix + self.chars(UPPER_ALNUM, 16)

    def unique_id(self, prefix):
        return prefix + self.chars(UPPER_ALNUM, 17)

    def s3_request_id(self):
        return self.hexs(16, upper=True)

    def amz_id_2(self):
        return self.chars(B62 + "+/", 76) + "="

    def session_token(self):
        return "IQoJb3JpZ2luX2VjEFAKEFAKE" + self.chars(B62 + "+/", 300) + "=="

    def ip_github(self):
        first = self.rng.choice(["20.55", "20.161", "52.176", "172.200", "4.227", "40.84"])
        return f"{first}.{self.rng.randint(1, 254)}.{self.rng.randint(1, 254)}"

    # ---- identities --------------------------------------------------------------------------
    @staticmethod
    def assumed_role(account, role_name, path, session, role_id, akid, created,
                     web_identity=False, mfa=False, invoked_by=None, source_identity=None):
        ctx = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role_id,
                "arn": f"arn:aws:iam::{account}:role{path}{role_name}",
                "accountId": account,
                "userName": role_name,
            },
            "webIdFederationData": (
                {"federatedProvider": f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com",
                 "attributes": {}} if web_identity else {}),
            "attributes": {"creationDate": ts(created), "mfaAuthenticated": "true" if mfa else "false"},
        }
        if source_identity:
            ctx["sourceIdentity"] = source_identity
        ui = {
            "type": "AssumedRole",
            "principalId": f"{role_id}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/{session}",
            "accountId": account,
            "accessKeyId": akid,
            "sessionContext": ctx,
        }
        if invoked_by:
            ui["invokedBy"] = invoked_by
        return ui

    @staticmethod
    def iam_user(account, name, user_id, akid=None, console_since=None):
        ui = {"type": "IAMUser", "principalId": user_id, "arn": f"arn:aws:iam::{account}:user/{name}",
              "accountId": account}
        if akid:
            ui["accessKeyId"] = akid
        ui["userName"] = name
        if console_since is not None:
            ui["sessionContext"] = {"sessionIssuer": {}, "webIdFederationData": {},
                                    "attributes": {"creationDate": ts(console_since), "mfaAuthenticated": "true"}}
        return ui

    @staticmethod
    def aws_service(service):
        return {"type": "AWSService", "invokedBy": service}

    # ---- one record ---------------------------------------------------------------------------
    def event(self, t, ui, source, name, region, params, resp=None, *, read_only, ip, ua, account=ACCOUNT,
              resources=None, category="Management", version="1.08", error=None, extra=None, host=None,
              request_id=None, event_type="AwsApiCall", shared_event_id=None, tls=True, event_id=None):
        r = {"eventVersion": version, "userIdentity": ui, "eventTime": ts(t), "eventSource": source,
             "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": ua}
        if error:
            r["errorCode"], r["errorMessage"] = error
        r["requestParameters"] = params
        r["responseElements"] = resp
        if extra is not None:
            r["additionalEventData"] = extra
        r["requestID"] = request_id or self.uuid()
        r["eventID"] = event_id or self.uuid()
        r["readOnly"] = read_only
        if resources is not None:
            r["resources"] = resources
        r["eventType"] = event_type
        r["managementEvent"] = category == "Management"
        r["recipientAccountId"] = account
        if shared_event_id:
            r["sharedEventID"] = shared_event_id
        r["eventCategory"] = category
        if tls:
            svc = source.split(".")[0]
            r["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                               "clientProvidedHostHeader": host or f"{svc}.{region}.amazonaws.com"}
        return r

    # ---- service-shaped records ---------------------------------------------------------------
    def s3(self, t, ui, name, region, bucket, key=None, *, ip, ua, prefix=None, read_only=None, error=None,
           bucket_account=ACCOUNT, recipient=ACCOUNT):
        host = f"{bucket}.s3.{region}.amazonaws.com"
        params = {"bucketName": bucket, "Host": host}
        resources = []
        if name in ("ListObjects", "ListObjectVersions"):
            params = {"list-type": "2", "bucketName": bucket, "encoding-type": "url",
                      "prefix": prefix or "", "delimiter": "/", "Host": host}
            if name == "ListObjectVersions":
                params = {"bucketName": bucket, "versions": "", "prefix": prefix or "", "Host": host}
            resources.append({"type": "AWS::S3::Object", "ARNPrefix": f"arn:aws:s3:::{bucket}/{prefix or ''}"})
        elif key is not None:
            params["key"] = key
            if name == "PutObject":
                params["x-amz-server-side-encryption"] = "AES256"
            resources.append({"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"})
        resources.append({"accountId": bucket_account, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"})
        resp = {"x-amz-server-side-encryption": "AES256"} if name == "PutObject" and not error else None
        size = float(self.rng.randint(2_000, 40_000_000))
        extra = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                 "bytesTransferredIn": size if name == "PutObject" else 0.0,
                 "AuthenticationMethod": "AuthHeader", "x-amz-id-2": self.amz_id_2(),
                 "bytesTransferredOut": 0.0 if name == "PutObject" else size}
        if read_only is None:
            read_only = name != "PutObject"
        return self.event(t, ui, "s3.amazonaws.com", name, region, params, resp, read_only=read_only, ip=ip,
                          ua=ua, resources=resources, category="Data", version="1.09", extra=extra, host=host,
                          request_id=self.s3_request_id(), error=error, account=recipient)

    def ecr_repo_resource(self, region, repo=REPO, account=ACCOUNT):
        return [{"accountId": account, "ARN": f"arn:aws:ecr:{region}:{account}:repository/{repo}"}]


# ------------------------------------------------------------------------------------------------
# The month
# ------------------------------------------------------------------------------------------------

class Month:
    def __init__(self):
        self.g = Gen(20261101)
        g = self.g
        self.records = []
        self.role_id = g.unique_id("AROA")
        self.sso_role_id = g.unique_id("AROA")
        self.other_role_id = g.unique_id("AROA")
        self.alice_id = g.unique_id("AIDA")
        self.alice_key = g.key_id("AKIA")
        self.kms_key = {r: f"arn:aws:kms:{r}:{ACCOUNT}:key/{g.uuid()}" for r in ("us-east-1", "eu-west-1")}
        self.stack_uuid = {r: g.uuid() for r in ("us-east-1", "eu-west-1")}
        self.task_rev = {"us-east-1": 40, "eu-west-1": 17}
        self.fn_version = {"us-east-1": 112, "eu-west-1": 58}
        self.run_no = 4180

    def add(self, r):
        self.records.append(r)
        return r

    # ---- one GitHub Actions deploy run ------------------------------------------------------------
    def run(self, start, region, denied=None, via_cfn=False):
        g = self.g
        self.run_no += 1
        n = self.run_no
        session = f"gh-run-{n}"
        akid = g.key_id()
        ip = g.ip_github()
        sha = g.hexs(40)
        tag = f"sha-{sha[:12]}"
        t = start

        def step(lo=1, hi=6):
            nonlocal t
            t = t + dt.timedelta(seconds=g.rng.randint(lo, hi))
            return t

        # 1. OIDC token -> role credentials (the call is made by the web identity, authorised by the trust policy)
        exp = start + dt.timedelta(hours=1)
        self.add(g.event(
            start, {"type": "WebIdentityUser",
                    "principalId": f"{OIDC_PROVIDER}:sts.amazonaws.com:{GH_SUBJECT}",
                    "userName": GH_SUBJECT, "identityProvider": OIDC_PROVIDER},
            "sts.amazonaws.com", "AssumeRoleWithWebIdentity", region,
            {"roleArn": ROLE_ARN, "roleSessionName": session, "durationSeconds": 3600},
            {"credentials": {"accessKeyId": akid, "sessionToken": g.session_token(),
                             "expiration": exp_fmt(exp)},
             "subjectFromWebIdentityToken": GH_SUBJECT,
             "assumedRoleUser": {"assumedRoleId": f"{self.role_id}:{session}",
                                 "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_NAME}/{session}"},
             "provider": OIDC_PROVIDER, "audience": "sts.amazonaws.com"},
            read_only=True, ip=ip, ua=GHA_CREDS_UA,
            extra={"identityProviderConnectionVerificationMethod": "IAMTrustStore",
                   "RequestDetails": {"awsServingRegion": region, "endpointType": "regional"}},
            resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": ROLE_ARN}]))
        ui = g.assumed_role(ACCOUNT, ROLE_NAME, ROLE_PATH, session, self.role_id, akid, start, web_identity=True)

        def call(source, name, params, resp=None, *, ro, ua=None, cmd="", **kw):
            return self.add(g.event(step(), ui, source, name, region, params, resp, read_only=ro, ip=ip,
                                    ua=ua or CLI_UA.format(cmd=cmd), **kw))

        # 2. who am I
        call("sts.amazonaws.com", "GetCallerIdentity", None, None, ro=True, ua=GHA_CREDS_UA)

        # 3. docker login + push
        call("ecr.amazonaws.com", "GetAuthorizationToken", None, None, ro=True, cmd="ecr.get-login-password",
             host=f"api.ecr.{region}.amazonaws.com")
        layers = ["sha256:" + g.hexs(64) for _ in range(g.rng.randint(3, 5))]
        repo_res = g.ecr_repo_resource(region)
        dhost = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com"
        call("ecr.amazonaws.com", "BatchCheckLayerAvailability",
             {"registryId": ACCOUNT, "repositoryName": REPO, "layerDigests": layers}, None,
             ro=True, ua=DOCKER_UA, resources=repo_res, host=dhost)
        for layer in layers[: g.rng.randint(1, 2)]:
            upload = g.uuid()
            size = g.rng.randint(2_000_000, 60_000_000)
            call("ecr.amazonaws.com", "InitiateLayerUpload", {"registryId": ACCOUNT, "repositoryName": REPO},
                 {"uploadId": upload, "partSize": 10485760}, ro=False, ua=DOCKER_UA, resources=repo_res, host=dhost)
            call("ecr.amazonaws.com", "UploadLayerPart",
                 {"registryId": ACCOUNT, "repositoryName": REPO, "uploadId": upload, "partFirstByte": 0,
                  "partLastByte": size - 1},
                 {"registryId": ACCOUNT, "repositoryName": REPO, "uploadId": upload, "lastByteReceived": size - 1},
                 ro=False, ua=DOCKER_UA, resources=repo_res, host=dhost)
            call("ecr.amazonaws.com", "CompleteLayerUpload",
                 {"registryId": ACCOUNT, "repositoryName": REPO, "uploadId": upload, "layerDigests": [layer]},
                 {"registryId": ACCOUNT, "repositoryName": REPO, "uploadId": upload, "layerDigest": layer},
                 ro=False, ua=DOCKER_UA, resources=repo_res, host=dhost)
        manifest_digest = "sha256:" + g.hexs(64)
        call("ecr.amazonaws.com", "PutImage",
             {"registryId": ACCOUNT, "repositoryName": REPO, "imageTag": tag,
              "imageManifest": "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\"}",
              "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"},
             {"image": {"registryId": ACCOUNT, "repositoryName": REPO,
                        "imageId": {"imageDigest": manifest_digest, "imageTag": tag},
                        "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json"}},
             ro=False, ua=DOCKER_UA, resources=repo_res, host=dhost)

        # 4. build artefacts in S3 (data events, logged in the bucket's region)
        self.add(g.s3(step(), ui, "ListObjects", BUCKET_REGION, BUCKET, prefix="cache/", ip=ip, ua=CLI_UA.format(cmd="s3.ls")))
        self.add(g.s3(step(), ui, "GetObject", BUCKET_REGION, BUCKET, "cache/node_modules-" + sha[:8] + ".tar.zst",
                      ip=ip, ua=CLI_UA.format(cmd="s3.cp")))
        bundle_key = f"builds/{n}/bundle.zip"
        tmpl_key = f"cfn/acme-api-{sha[:12]}.yaml"
        self.add(g.s3(step(5, 40), ui, "PutObject", BUCKET_REGION, BUCKET, bundle_key, ip=ip, ua=CLI_UA.format(cmd="s3.cp")))
        self.add(g.s3(step(), ui, "PutObject", BUCKET_REGION, BUCKET, tmpl_key, ip=ip, ua=CLI_UA.format(cmd="s3.cp")))

        # 5. secret: ssm GetParameter, and the KMS Decrypt SSM does on the role's behalf
        key_arn = self.kms_key[region]
        call("ssm.amazonaws.com", "GetParameter", {"name": PARAM, "withDecryption": True}, None, ro=True,
             cmd="ssm.get-parameter")
        self.add(g.event(t, g.assumed_role(ACCOUNT, ROLE_NAME, ROLE_PATH, session, self.role_id, akid, start,
                                           web_identity=True, invoked_by="ssm.amazonaws.com"),
                         "kms.amazonaws.com", "Decrypt", region,
                         {"encryptionContext": {"PARAMETER_ARN": f"arn:aws:ssm:{region}:{ACCOUNT}:parameter{PARAM}"},
                          "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, None,
                         read_only=True, ip="ssm.amazonaws.com", ua="ssm.amazonaws.com", tls=False,
                         resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key_arn}]))

        # 6. build log stream
        group = "/acme/ci/build-agent"
        call("logs.amazonaws.com", "CreateLogStream", {"logGroupName": group, "logStreamName": session}, None,
             ro=False, cmd="logs.create-log-stream")
        for _ in range(g.rng.randint(2, 4)):
            call("logs.amazonaws.com", "PutLogEvents", {"logGroupName": group, "logStreamName": session}, None,
                 ro=False, cmd="logs.put-log-events")

        # 7. CloudFormation change set
        stack_arn = f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{STACK}/{self.stack_uuid[region]}"
        cs_name = f"{session}-{sha[:7]}"
        cs_arn = f"arn:aws:cloudformation:{region}:{ACCOUNT}:changeSet/{cs_name}/{g.uuid()}"
        call("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": STACK}, None, ro=True,
             cmd="cloudformation.describe-stacks")
        call("cloudformation.amazonaws.com", "CreateChangeSet",
             {"stackName": STACK, "templateURL": f"https://{BUCKET}.s3.{BUCKET_REGION}.amazonaws.com/{tmpl_key}",
              "parameters": [{"parameterKey": "ImageTag", "parameterValue": tag}],
              "capabilities": ["CAPABILITY_IAM"], "changeSetName": cs_name, "changeSetType": "UPDATE"},
             {"id": cs_arn, "stackId": stack_arn}, ro=False, cmd="cloudformation.create-change-set")
        call("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": STACK}, None, ro=True,
             cmd="cloudformation.describe-stacks")
        call("cloudformation.amazonaws.com", "ExecuteChangeSet", {"changeSetName": cs_arn, "stackName": STACK},
             None, ro=False, cmd="cloudformation.execute-change-set")
        if via_cfn:
            # no service role on the stack: CloudFormation acts with the caller's credentials
            cfn_ui = g.assumed_role(ACCOUNT, ROLE_NAME, ROLE_PATH, session, self.role_id, akid, start,
                                    web_identity=True, invoked_by="cloudformation.amazonaws.com")
            tt = step(8, 20)
            self.add(g.event(tt, cfn_ui, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", region,
                             {"functionName": FUNCTION, "environment": {}, "timeout": 30},
                             {"functionName": FUNCTION,
                              "functionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{FUNCTION}",
                              "runtime": "nodejs20.x", "role": f"arn:aws:iam::{ACCOUNT}:role/acme-api-lambda",
                              "timeout": 30, "memorySize": 512, "state": "Active",
                              "lastUpdateStatus": "InProgress"},
                             read_only=False, ip="cloudformation.amazonaws.com", ua="cloudformation.amazonaws.com",
                             tls=False))
            self.add(g.event(step(1, 3), cfn_ui, "logs.amazonaws.com", "PutRetentionPolicy", region,
                             {"logGroupName": f"/aws/lambda/{FUNCTION}", "retentionInDays": 30}, None,
                             read_only=False, ip="cloudformation.amazonaws.com", ua="cloudformation.amazonaws.com",
                             tls=False))

        # 8. Lambda code
        self.fn_version[region] += 1
        v = self.fn_version[region]
        call("lambda.amazonaws.com", "UpdateFunctionCode20150331v2",
             {"functionName": FUNCTION, "imageUri": f"{dhost}/{REPO}:{tag}", "publish": True, "dryRun": False},
             {"functionName": FUNCTION, "functionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{FUNCTION}:{v}",
              "role": f"arn:aws:iam::{ACCOUNT}:role/acme-api-lambda", "codeSize": 0, "timeout": 30,
              "memorySize": 512, "version": str(v), "packageType": "Image", "state": "Active",
              "lastUpdateStatus": "InProgress", "architectures": ["x86_64"]},
             ro=False, cmd="lambda.update-function-code")
        call("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": FUNCTION}, None, ro=True,
             cmd="lambda.get-function")

        # 9. ECS
        self.task_rev[region] += 1
        rev = self.task_rev[region]
        call("ecs.amazonaws.com", "RegisterTaskDefinition",
             {"family": FUNCTION, "taskRoleArn": TASK_ROLE, "executionRoleArn": EXEC_ROLE, "networkMode": "awsvpc",
              "containerDefinitions": [{"name": "app", "image": f"{dhost}/{REPO}:{tag}", "cpu": 0,
                                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                                        "essential": True,
                                        "logConfiguration": {"logDriver": "awslogs",
                                                             "options": {"awslogs-group": "/ecs/acme-api",
                                                                         "awslogs-region": region,
                                                                         "awslogs-stream-prefix": "app"}}}],
              "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024"},
             {"taskDefinition": {"taskDefinitionArn": f"arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{FUNCTION}:{rev}",
                                 "family": FUNCTION, "taskRoleArn": TASK_ROLE, "executionRoleArn": EXEC_ROLE,
                                 "networkMode": "awsvpc", "revision": rev, "status": "ACTIVE",
                                 "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024"}},
             ro=False, cmd="ecs.register-task-definition")
        call("ecs.amazonaws.com", "UpdateService",
             {"cluster": CLUSTER, "service": FUNCTION, "taskDefinition": f"{FUNCTION}:{rev}",
              "forceNewDeployment": False},
             {"service": {"serviceArn": f"arn:aws:ecs:{region}:{ACCOUNT}:service/{CLUSTER}/{FUNCTION}",
                          "serviceName": FUNCTION, "clusterArn": f"arn:aws:ecs:{region}:{ACCOUNT}:cluster/{CLUSTER}",
                          "status": "ACTIVE", "desiredCount": 2,
                          "taskDefinition": f"arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{FUNCTION}:{rev}"}},
             ro=False, cmd="ecs.update-service")
        # ECS then acts on its own (service principal): never the role's
        self.ecs_service_events(t + dt.timedelta(seconds=g.rng.randint(20, 50)), region)

        # 10. a denied call now and then
        if denied == "iam":
            self.add(g.event(step(), ui, "iam.amazonaws.com", "CreateRole", "us-east-1",
                             {"roleName": "acme-api-canary", "path": "/",
                              "assumeRolePolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"},
                             None, read_only=False, ip=ip, ua=CLI_UA.format(cmd="iam.create-role"),
                             host="iam.amazonaws.com",
                             error=("AccessDenied",
                                    f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_NAME}/{session} is not authorized "
                                    f"to perform: iam:CreateRole on resource: arn:aws:iam::{ACCOUNT}:role/acme-api-canary "
                                    "with an explicit deny in an identity-based policy")))
        elif denied == "ssm":
            call("ssm.amazonaws.com", "PutParameter",
                 {"name": "/acme/build/last-deployed", "type": "String", "overwrite": True}, None, ro=False,
                 cmd="ssm.put-parameter",
                 error=("AccessDeniedException",
                        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_NAME}/{session} is not authorized to "
                        f"perform: ssm:PutParameter on resource: arn:aws:ssm:{region}:{ACCOUNT}:parameter/acme/build/"
                        "last-deployed because no identity-based policy allows the ssm:PutParameter action"))
        elif denied == "ec2":
            call("ec2.amazonaws.com", "DescribeSubnets", {"subnetSet": {}, "filterSet": {"items": [
                {"name": "tag:Name", "valueSet": {"items": [{"value": "acme-private-*"}]}}]}}, None, ro=True,
                 cmd="ec2.describe-subnets",
                 error=("Client.UnauthorizedOperation",
                        f"You are not authorized to perform this operation. User: arn:aws:sts::{ACCOUNT}:assumed-role/"
                        f"{ROLE_NAME}/{session} is not authorized to perform: ec2:DescribeSubnets because no "
                        "identity-based policy allows the ec2:DescribeSubnets action"))
        return t

    def ecs_service_events(self, t, region):
        g = self.g
        self.add(g.event(t, g.aws_service("ecs-tasks.amazonaws.com"), "sts.amazonaws.com", "AssumeRole", region,
                         {"roleArn": TASK_ROLE, "roleSessionName": g.hexs(32)},
                         {"credentials": {"accessKeyId": g.key_id(), "sessionToken": g.session_token(),
                                          "expiration": exp_fmt(t + dt.timedelta(hours=6))}},
                         read_only=True, ip="ecs-tasks.amazonaws.com", ua="ecs-tasks.amazonaws.com", tls=False,
                         resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": TASK_ROLE}],
                         shared_event_id=g.uuid()))
        self.add(g.event(t + dt.timedelta(seconds=2), g.aws_service("ecs.amazonaws.com"), "sts.amazonaws.com",
                         "AssumeRole", region,
                         {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
                          "roleSessionName": "ecs-service-scheduler"},
                         {"credentials": {"accessKeyId": g.key_id(), "sessionToken": g.session_token(),
                                          "expiration": exp_fmt(t + dt.timedelta(hours=1))}},
                         read_only=True, ip="ecs.amazonaws.com", ua="ecs.amazonaws.com", tls=False,
                         resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role",
                                     "ARN": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"}]))

    # ---- a human debugging with the role -------------------------------------------------------------
    def manual_debug(self, start):
        g = self.g
        session = "manual-debug"
        akid = g.key_id()
        ip = "198.51.100.23"
        alice = g.iam_user(ACCOUNT, "alice", self.alice_id, self.alice_key)
        self.add(g.event(start, alice, "sts.amazonaws.com", "AssumeRole", "us-east-1",
                         {"roleArn": ROLE_ARN, "roleSessionName": session, "durationSeconds": 3600},
                         {"credentials": {"accessKeyId": akid, "sessionToken": g.session_token(),
                                          "expiration": exp_fmt(start + dt.timedelta(hours=1))},
                          "assumedRoleUser": {"assumedRoleId": f"{self.role_id}:{session}",
                                              "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE_NAME}/{session}"}},
                         read_only=True, ip=ip, ua=LAPTOP_CLI_UA.format(cmd="sts.assume-role"),
                         resources=[{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": ROLE_ARN}]))
        ui = g.assumed_role(ACCOUNT, ROLE_NAME, ROLE_PATH, session, self.role_id, akid, start)
        t = start + dt.timedelta(seconds=40)
        self.add(g.event(t, ui, "sts.amazonaws.com", "GetCallerIdentity", "us-east-1", None, None, read_only=True,
                         ip=ip, ua=LAPTOP_CLI_UA.format(cmd="sts.get-caller-identity")))
        t += dt.timedelta(seconds=31)
        self.add(g.event(t, ui, "cloudformation.amazonaws.com", "DescribeStackEvents", "us-east-1",
                         {"stackName": STACK}, None, read_only=True, ip=ip,
                         ua=LAPTOP_CLI_UA.format(cmd="cloudformation.describe-stack-events")))
        t += dt.timedelta(seconds=75)
        self.add(g.event(t, ui, "lambda.amazonaws.com", "GetFunction20150331v2", "us-east-1",
                         {"functionName": FUNCTION}, None, read_only=True, ip=ip,
                         ua=LAPTOP_CLI_UA.format(cmd="lambda.get-function")))

    # ---- other principals --------------------------------------------------------------------------
    def alice_day(self, start):
        g = self.g
        ip = "198.51.100.23"
        alice = g.iam_user(ACCOUNT, "alice", self.alice_id)
        self.add(g.event(start, alice, "signin.amazonaws.com", "ConsoleLogin", "us-east-1", None,
                         {"ConsoleLogin": "Success"}, read_only=False, ip=ip, ua=BROWSER_UA,
                         extra={"LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_" + g.hexs(16),
                                "MobileVersion": "No", "MFAIdentifier": f"arn:aws:iam::{ACCOUNT}:mfa/alice", "MFAUsed": "Yes"},
                         event_type="AwsConsoleSignIn", host="signin.aws.amazon.com"))
        console = g.iam_user(ACCOUNT, "alice", self.alice_id, g.key_id(), console_since=start)
        t = start
        for source, name, params in [
            ("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": STACK}),
            ("lambda.amazonaws.com", "ListFunctions20150331", {"functionVersion": "ALL", "maxItems": 50}),
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": CLUSTER, "services": [FUNCTION]}),
        ]:
            t += dt.timedelta(seconds=g.rng.randint(10, 90))
            self.add(g.event(t, console, source, name, "us-east-1", params, None, read_only=True, ip=ip,
                             ua=CONSOLE_UA, host=None))
        cli = g.iam_user(ACCOUNT, "alice", self.alice_id, self.alice_key)
        t += dt.timedelta(minutes=7)
        self.add(g.s3(t, cli, "ListObjects", "us-east-1", BUCKET, prefix="builds/", ip=ip,
                      ua=LAPTOP_CLI_UA.format(cmd="s3.ls")))
        t += dt.timedelta(seconds=12)
        self.add(g.s3(t, cli, "GetObject", "us-east-1", BUCKET, f"builds/{self.run_no}/bundle.zip", ip=ip,
                      ua=LAPTOP_CLI_UA.format(cmd="s3.cp")))

    def sso_session(self, start, user, region):
        g = self.g
        ip = "203.0.113.{}".format(g.rng.randint(10, 250))
        ui = g.assumed_role(ACCOUNT, SSO_ROLE, SSO_PATH, user, self.sso_role_id, g.key_id(), start)
        t = start
        for source, name, params in [
            ("iam.amazonaws.com", "ListRoles", {"maxItems": 100}),
            ("iam.amazonaws.com", "GetRole", {"roleName": ROLE_NAME}),
            ("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": STACK}),
            ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/acme/"}),
        ]:
            t += dt.timedelta(seconds=g.rng.randint(5, 60))
            rgn = "us-east-1" if source == "iam.amazonaws.com" else region
            self.add(g.event(t, ui, source, name, rgn, params, None, read_only=True, ip=ip, ua=CONSOLE_UA,
                             host="iam.amazonaws.com" if source == "iam.amazonaws.com" else None))
        if user == "bob@example.com":
            t += dt.timedelta(seconds=40)
            self.add(g.event(t, ui, "ssm.amazonaws.com", "PutParameter", region,
                             {"name": PARAM, "type": "SecureString", "overwrite": True, "keyId": "alias/acme-build"},
                             {"version": 7, "tier": "Standard"}, read_only=False, ip=ip, ua=CONSOLE_UA))

    def other_account_build_agent(self, start):
        """A role also called build-agent, in account 444455556666, reading shared toolchains from our bucket.
        CloudTrail gives the bucket owner these data events (recipientAccountId = bucket owner)."""
        g = self.g
        akid = g.key_id()
        session = "codebuild-" + g.hexs(8)
        ui = g.assumed_role(OTHER_ACCOUNT, ROLE_NAME, "/", session, self.other_role_id, akid, start)
        ip = "3.{}.{}.{}".format(g.rng.randint(80, 95), g.rng.randint(1, 254), g.rng.randint(1, 254))
        ua = "aws-sdk-go-v2/1.32.7 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux md/GOARCH#amd64 api/s3#1.72.0 m/E,Z"
        self.add(g.s3(start, ui, "ListObjects", "us-east-1", BUCKET, prefix="shared/", ip=ip, ua=ua))
        self.add(g.s3(start + dt.timedelta(seconds=2), ui, "GetObject", "us-east-1", BUCKET,
                      "shared/toolchain-2026.11.tar.gz", ip=ip, ua=ua))

    def build(self):
        g = self.g
        denied_plan = {dt.date(2026, 11, 5): "iam", dt.date(2026, 11, 12): "ssm", dt.date(2026, 11, 19): "ec2",
                       dt.date(2026, 11, 26): "iam"}
        day = dt.date(2026, 11, 1)
        while day.month == 11:
            wd = day.weekday()
            base = dt.datetime(day.year, day.month, day.day)
            if wd < 5:
                start = base + dt.timedelta(hours=g.rng.randint(6, 10), minutes=g.rng.randint(0, 40),
                                            seconds=g.rng.randint(0, 59))
                self.run(start, "us-east-1", denied=denied_plan.get(day), via_cfn=(day.day % 3 == 0))
                if wd in (1, 3):
                    start = base + dt.timedelta(hours=g.rng.randint(6, 8), minutes=g.rng.randint(0, 40),
                                                seconds=g.rng.randint(0, 59))
                    self.run(start, "eu-west-1", via_cfn=(day.day % 2 == 0))
                if wd in (0, 2):
                    self.alice_day(base + dt.timedelta(hours=g.rng.randint(7, 10), minutes=g.rng.randint(5, 40)))
                if wd == 4:
                    self.sso_session(base + dt.timedelta(hours=g.rng.randint(7, 10), minutes=g.rng.randint(0, 30)),
                                     "alice@example.com", "us-east-1")
                    self.sso_session(base + dt.timedelta(hours=g.rng.randint(7, 10), minutes=g.rng.randint(0, 30)),
                                     "bob@example.com", "eu-west-1")
            if day.day in (3, 10, 17, 24):
                self.other_account_build_agent(base + dt.timedelta(hours=g.rng.randint(6, 10), minutes=g.rng.randint(0, 50)))
            if day == dt.date(2026, 11, 15):
                # the Sunday scheduled rebuild (the object named ..._20261115T1205Z_... in the README)
                self.run(base + dt.timedelta(hours=11, minutes=53, seconds=12), "us-east-1", via_cfn=True)
            if day == dt.date(2026, 11, 18):
                self.manual_debug(base + dt.timedelta(hours=18, minutes=3, seconds=44))
            day += dt.timedelta(days=1)
        return self.records


# ------------------------------------------------------------------------------------------------
# Writing objects
# ------------------------------------------------------------------------------------------------

def gz_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as f:
        f.write(data)
    return buf.getvalue()


def object_bytes(records):
    return gz_bytes(json.dumps({"Records": records}, separators=(",", ":")).encode())


def group_objects(records, g, account=ACCOUNT, window_minutes=360):
    """Group records as CloudTrail delivers them: per region, per window; the object is named by its delivery
    time (window end + 5 min). Returns [(relpath, records)] sorted by path."""
    buckets = {}
    for r in records:
        t = dt.datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        mins = t.hour * 60 + t.minute
        w = t.replace(hour=0, minute=0, second=0) + dt.timedelta(minutes=mins - mins % window_minutes)
        buckets.setdefault((r["awsRegion"], w), []).append(r)
    out = []
    for (region, w), recs in sorted(buckets.items()):
        d = w + dt.timedelta(minutes=window_minutes + 5)
        name = f"{account}_CloudTrail_{region}_{d:%Y%m%dT%H%M}Z_{g.chars(B62, 16)}.json.gz"
        path = f"AWSLogs/{account}/CloudTrail/{region}/{d:%Y/%m/%d}/{name}"
        recs.sort(key=lambda r: r["eventTime"])
        out.append((path, recs))
    return out


def digest(g, objects, region, start, end, account=ACCOUNT):
    files = []
    for path, recs, data in objects:
        files.append({"s3Bucket": TRAIL_BUCKET, "s3Object": path, "hashValue": hashlib.sha256(data).hexdigest(),
                      "hashAlgorithm": "SHA-256", "newestEventTime": recs[-1]["eventTime"],
                      "oldestEventTime": recs[0]["eventTime"]})
    name = f"{account}_CloudTrail-Digest_{region}_{TRAIL_NAME}_{region}_{end:%Y%m%dT%H%M%S}Z.json.gz"
    path = f"AWSLogs/{account}/CloudTrail-Digest/{region}/{end:%Y/%m/%d}/{name}"
    prev = f"AWSLogs/{account}/CloudTrail-Digest/{region}/{start:%Y/%m/%d}/{account}_CloudTrail-Digest_{region}_{TRAIL_NAME}_{region}_{start:%Y%m%dT%H%M%S}Z.json.gz"
    doc = {
        "awsAccountId": account,
        "digestStartTime": ts(start),
        "digestEndTime": ts(end),
        "digestS3Bucket": TRAIL_BUCKET,
        "digestS3Object": path,
        "digestPublicKeyFingerprint": g.hexs(32),
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": max(f["newestEventTime"] for f in files) if files else None,
        "oldestEventTime": min(f["oldestEventTime"] for f in files) if files else None,
        "previousDigestS3Bucket": TRAIL_BUCKET,
        "previousDigestS3Object": prev,
        "previousDigestHashValue": g.hexs(64),
        "previousDigestHashAlgorithm": "SHA-256",
        "previousDigestSignature": g.hexs(512),
        "logFiles": files,
    }
    return path, gz_bytes(json.dumps(doc, separators=(",", ":")).encode())


def build_trail():
    m = Month()
    records = m.build()
    objs = [(p, recs, object_bytes(recs)) for p, recs in group_objects(records, m.g)]
    d_start, d_end = dt.datetime(2026, 11, 15, 12, 0), dt.datetime(2026, 11, 15, 13, 0)
    covered = [o for o in objs if "/us-east-1/2026/11/15/" in o[0]
               and d_start <= dt.datetime.strptime(o[0].split("_")[-2], "%Y%m%dT%H%MZ") < d_end]
    files = {p: data for p, _, data in objs}
    dp, dd = digest(m.g, covered, "us-east-1", d_start, d_end)
    files[dp] = dd
    return files, records


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "trail")
    files, records = build_trail()
    if "--check" in sys.argv:
        ok = True
        for p, data in files.items():
            fp = os.path.join(out, p)
            if not os.path.exists(fp) or open(fp, "rb").read() != data:
                print("differs:", p)
                ok = False
        existing = {os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs}
        for extra in sorted(existing - set(files)):
            print("not generated:", extra)
            ok = False
        sys.exit(0 if ok else 1)
    if os.path.exists(out):
        shutil.rmtree(out)
    for p, data in sorted(files.items()):
        fp = os.path.join(out, p)
        os.makedirs(os.path.dirname(fp), exist_ok=True)
        with open(fp, "wb") as f:
            f.write(data)
    print(f"wrote {len(files)} objects ({len(files) - 1} log files + 1 digest), {len(records)} records, to {out}")


if __name__ == "__main__":
    main()
