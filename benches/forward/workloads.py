#!/usr/bin/env python3
"""Forward-validity workloads: five weeks of CloudTrail for one account (2026-11-01 .. 2026-12-06), one
workload per directory, each a role that runs per-run jobs plus decoy principals that use sibling resources.

    python3 benches/forward/workloads.py --out DIR [--set train|holdout|limits|all]

`train`: the workloads scored while building; `holdout` (holdout.py): written before the last changes and
scored at the end; `limits` (limits.py): cases policygen is known to get wrong; `all`: train and holdout.

For every workload, DIR/<name>/ holds:
  trail/      CloudTrail's S3 layout (gzip JSON objects, per region and six hours)
  calls.jsonl one line per permission each call of the target role needed: {"time", "action", "resource"}.
              Written here from what the call does (the IAM action and the ARN the request is authorised
              against, after the Service Authorization Reference), never from policygen's service maps.
  siblings.jsonl (action, resource) pairs the role must NOT get: other buckets and prefixes, log groups,
              tables, stacks, environments, state machines, repositories that neighbours use.
  meta.json   the role name

`cargo bench --bench forward` builds a policy from three weeks with the real binary and scores the fourth
(docs/forward-validity.md). Deterministic: each workload has its own seed; gzip mtime 0. Stdlib only; record
shapes come from examples/make_trail.py (modelled on real records in tests/data/real/records.jsonl).
"""
import argparse
import datetime as dt
import json
import os
import shutil
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "examples"))
import make_trail as mt  # noqa: E402
from make_trail import ACCOUNT, Gen  # noqa: E402

FIRST_DAY = dt.date(2026, 11, 1)
LAST_DAY = dt.date(2026, 12, 6)
UA = mt.CLI_UA
SDK_UA = "Boto3/1.35.90 md/Botocore#1.35.90 ua/2.0 os/linux#5.10.230 md/arch#x86_64 lang/python#3.12.8 cfg/retry-mode#legacy"
TF_UA = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.80.0 "
         "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.6 os/linux lang/go#1.23.3")

WORKLOADS = {}


def workload(kind, role=None):
    """Registers a workload of set `kind` (`train` or `holdout`) whose target is `role` (default: its name)."""
    def register(fn):
        name = fn.__name__.replace("_", "-")
        WORKLOADS[name] = (fn, kind, role or name)
        return fn
    return register


def days(weekdays_only=False):
    d = FIRST_DAY
    while d <= LAST_DAY:
        if not weekdays_only or d.weekday() < 5:
            yield d
        d += dt.timedelta(days=1)


def at(day, hour, minute=0, second=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, second)


class World:
    """One workload's trail: records of every principal, and the truth about the target role's calls."""

    def __init__(self, name, target):
        self.g = Gen(zlib.crc32(name.encode()))
        self.target = target
        self.records = []
        self.calls = []
        self.siblings = []
        self.role_ids = {}

    # ---- ids ---------------------------------------------------------------------------------------
    def ec2_id(self, prefix):
        return f"{prefix}-{self.g.hexs(17)}"

    def hex(self, n):
        return self.g.hexs(n)

    def uuid(self):
        return self.g.uuid()

    def pick(self, items):
        return self.g.rng.choice(items)

    def randint(self, lo, hi):
        return self.g.rng.randint(lo, hi)

    # ---- principals --------------------------------------------------------------------------------
    def role(self, name, session, start, path="/", web=False, invoked_by=None):
        role_id = self.role_ids.setdefault(name, self.g.unique_id("AROA"))
        return Gen.assumed_role(ACCOUNT, name, path, session, role_id, self.g.key_id(), start,
                                web_identity=web, invoked_by=invoked_by)

    def ours(self, ui):
        return ui.get("sessionContext", {}).get("sessionIssuer", {}).get("userName") == self.target

    # ---- calls -------------------------------------------------------------------------------------
    def call(self, ui, t, source, name, region, params=None, resp=None, truth=(), ro=False, resources=None,
             data=False, ua=None):
        service = ui.get("invokedBy")
        self.records.append(self.g.event(
            t, ui, source, name, region, params, resp, read_only=ro, ip=service or "20.55.14.201",
            ua=service or ua or UA.format(cmd=f"{source.split('.')[0]}.{name.lower()}"), resources=resources,
            category="Data" if data else "Management", tls=service is None))
        if self.ours(ui):
            for action, arn in truth:
                self.calls.append({"time": mt.ts(t), "action": action, "resource": arn})

    def s3(self, ui, t, name, bucket, key=None, prefix=None, region="us-east-1"):
        self.records.append(self.g.s3(t, ui, name, region, bucket, key, prefix=prefix, ip="20.55.14.201",
                                      ua=UA.format(cmd="s3.cp")))
        action = {"GetObject": "s3:GetObject", "HeadObject": "s3:GetObject", "PutObject": "s3:PutObject",
                  "DeleteObject": "s3:DeleteObject", "ListObjects": "s3:ListBucket"}[name]
        arn = f"arn:aws:s3:::{bucket}" + ("" if name == "ListObjects" else f"/{key}")
        if self.ours(ui):
            self.calls.append({"time": mt.ts(t), "action": action, "resource": arn})

    def sibling(self, action, arn):
        self.siblings.append({"action": action, "resource": arn})

    # ---- output ------------------------------------------------------------------------------------
    def write(self, out):
        if os.path.exists(out):
            shutil.rmtree(out)
        for path, recs in mt.group_objects(self.records, self.g):
            fp = os.path.join(out, "trail", path)
            os.makedirs(os.path.dirname(fp), exist_ok=True)
            with open(fp, "wb") as f:
                f.write(mt.object_bytes(recs))
        with open(os.path.join(out, "calls.jsonl"), "w") as f:
            for c in sorted(self.calls, key=lambda c: (c["time"], c["action"], c["resource"])):
                f.write(json.dumps(c, sort_keys=True) + "\n")
        with open(os.path.join(out, "siblings.jsonl"), "w") as f:
            for s in self.siblings:
                f.write(json.dumps(s, sort_keys=True) + "\n")
        with open(os.path.join(out, "meta.json"), "w") as f:
            json.dump({"role": self.target, "records": len(self.records), "calls": len(self.calls)}, f,
                      sort_keys=True)
            f.write("\n")


def arn(service, region, rest, account=ACCOUNT):
    return f"arn:aws:{service}:{region}:{account}:{rest}"


# ------------------------------------------------------------------------------------------------------
# Workloads scored while building policygen
# ------------------------------------------------------------------------------------------------------

@workload("train")
def terraform_deployer(w):
    """GitHub Actions OIDC role running Terraform: state in S3, lock in DynamoDB, refresh reads, applies."""
    region = "us-east-1"
    bucket, table, fn = "acme-tfstate", "terraform-locks", "app-api"
    stacks = ["network", "app"]

    def run(role, env, t):
        ui = w.role(role, "GitHubActions", t, web=True)
        w.call(ui, t, "sts.amazonaws.com", "GetCallerIdentity", region, ro=True)
        w.s3(ui, t, "ListObjects", bucket, prefix=f"env/{env}/")
        for stack in stacks:
            key = f"env/{env}/{stack}/terraform.tfstate"
            lock = f"{bucket}/{key}"
            t += dt.timedelta(seconds=3)
            w.call(ui, t, "dynamodb.amazonaws.com", "PutItem", region, {"tableName": table, "key": {"LockID": {}}},
                   truth=[("dynamodb:PutItem", arn("dynamodb", region, f"table/{table}"))], data=True)
            w.s3(ui, t, "GetObject", bucket, key)
            w.call(ui, t, "dynamodb.amazonaws.com", "GetItem", region, {"tableName": table, "key": {"LockID": lock}},
                   truth=[("dynamodb:GetItem", arn("dynamodb", region, f"table/{table}"))], ro=True, data=True)
            function = fn if env == "prod" else f"{fn}-{env}"
            w.call(ui, t, "lambda.amazonaws.com", "GetFunction20150331v2", region, {"functionName": function},
                   truth=[("lambda:GetFunction", arn("lambda", region, f"function:{function}"))], ro=True)
            w.call(ui, t, "iam.amazonaws.com", "GetRole", region, {"roleName": f"{function}-exec"},
                   truth=[("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/{function}-exec")], ro=True)
            w.call(ui, t, "ssm.amazonaws.com", "GetParameter", region, {"name": f"/app/{env}/db-host"},
                   truth=[("ssm:GetParameter", arn("ssm", region, f"parameter/app/{env}/db-host"))], ro=True)
            if w.randint(0, 2) == 0:
                t += dt.timedelta(seconds=40)
                w.s3(ui, t, "PutObject", bucket, key)
                w.call(ui, t, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", region,
                       {"functionName": function, "timeout": 30},
                       truth=[("lambda:UpdateFunctionConfiguration", arn("lambda", region, f"function:{function}"))])
            w.call(ui, t, "dynamodb.amazonaws.com", "DeleteItem", region, {"tableName": table, "key": {"LockID": {}}},
                   truth=[("dynamodb:DeleteItem", arn("dynamodb", region, f"table/{table}"))], data=True)

    for day in days(weekdays_only=True):
        for _ in range(w.randint(1, 3)):
            run("terraform-deployer", "prod", at(day, w.randint(8, 17), w.randint(0, 59)))
        if day.weekday() in (1, 3):
            run("terraform-deployer-staging", "staging", at(day, w.randint(8, 17), w.randint(0, 59)))
    for action, rest in [("s3:GetObject", f"{bucket}/env/staging/app/terraform.tfstate"),
                         ("s3:PutObject", f"{bucket}/env/staging/network/terraform.tfstate"),
                         ("s3:GetObject", f"{bucket}-sandbox/env/prod/app/terraform.tfstate"),
                         ("s3:PutObject", f"{bucket}/global/iam/terraform.tfstate")]:
        w.sibling(action, f"arn:aws:s3:::{rest}")
    w.sibling("dynamodb:PutItem", arn("dynamodb", region, f"table/{table}-staging"))
    w.sibling("lambda:UpdateFunctionConfiguration", arn("lambda", region, f"function:{fn}-staging"))
    w.sibling("ssm:GetParameter", arn("ssm", region, "parameter/app/staging/db-host"))
    w.sibling("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/admin")


@workload("train")
def cfn_deployer(w):
    """GitHub Actions runs deploying a CloudFormation stack through change sets in two Regions."""
    bucket = "acme-cfn-templates"
    stack_ids = {}

    def run(role, stack, region, n, t):
        session = f"gh-run-{n}"
        ui = w.role(role, session, t, web=True)
        sha = w.hex(40)
        stack_id = stack_ids.setdefault((stack, region), w.uuid())
        stack_arn = arn("cloudformation", region, f"stack/{stack}/{stack_id}")
        key = f"{stack}/{sha[:12]}.yaml"
        w.s3(ui, t, "PutObject", bucket, key)
        t += dt.timedelta(seconds=5)
        w.call(ui, t, "cloudformation.amazonaws.com", "DescribeStacks", region, {"stackName": stack},
               truth=[("cloudformation:DescribeStacks", stack_arn)], ro=True)
        cs_name = f"{session}-{sha[:7]}"
        cs_arn = arn("cloudformation", region, f"changeSet/{cs_name}/{w.uuid()}")
        w.call(ui, t, "cloudformation.amazonaws.com", "CreateChangeSet", region,
               {"stackName": stack, "changeSetName": cs_name, "changeSetType": "UPDATE",
                "templateURL": f"https://{bucket}.s3.amazonaws.com/{key}", "capabilities": ["CAPABILITY_IAM"]},
               {"id": cs_arn, "stackId": stack_arn}, truth=[("cloudformation:CreateChangeSet", stack_arn)])
        for _ in range(w.randint(1, 3)):
            t += dt.timedelta(seconds=10)
            w.call(ui, t, "cloudformation.amazonaws.com", "DescribeChangeSet", region,
                   {"changeSetName": cs_name, "stackName": stack},
                   truth=[("cloudformation:DescribeChangeSet", stack_arn)], ro=True)
        w.call(ui, t, "cloudformation.amazonaws.com", "ExecuteChangeSet", region,
               {"changeSetName": cs_name, "stackName": stack},
               truth=[("cloudformation:ExecuteChangeSet", stack_arn)])
        for _ in range(w.randint(2, 4)):
            t += dt.timedelta(seconds=20)
            w.call(ui, t, "cloudformation.amazonaws.com", "DescribeStackEvents", region, {"stackName": stack},
                   truth=[("cloudformation:DescribeStackEvents", stack_arn)], ro=True)

    n = 7100
    for day in days(weekdays_only=True):
        for region in ["us-east-1", "eu-west-1"]:
            for _ in range(w.randint(1, 2)):
                n += 1
                run("cfn-deployer", "orders-api", region, n, at(day, w.randint(8, 18), w.randint(0, 59)))
        n += 1
        run("payments-deployer", "payments-api", "us-east-1", n, at(day, w.randint(8, 18), w.randint(0, 59)))
    for region in ["us-east-1", "eu-west-1"]:
        for stack in ["payments-api", "orders-api-staging", "orders-api-admin"]:
            w.sibling("cloudformation:ExecuteChangeSet", arn("cloudformation", region, f"stack/{stack}/{w.uuid()}"))
    w.sibling("s3:PutObject", f"arn:aws:s3:::{bucket}/payments-api/3f2a9c1b7e4d.yaml")
    w.sibling("s3:PutObject", f"arn:aws:s3:::{bucket}/orders-api-admin.yaml")


@workload("train")
def orders_task(w):
    """The task role of an ECS service: each deploy starts new tasks, whose session names are task IDs."""
    region = "us-east-1"
    bucket, table, queue = "acme-orders-data", "orders", "orders-events"
    secret = arn("secretsmanager", region, "secret:orders/db-Xk3pQ7")
    key_arn = arn("kms", region, "key/6b1f0c2e-8a43-4d7e-9c15-3e2f7a9b0d41")

    def task_day(role, tasks, day, tbl, bkt, sec, q):
        for task in tasks:
            for _ in range(w.randint(3, 6)):
                t = at(day, w.randint(0, 23), w.randint(0, 59), w.randint(0, 59))
                ui = w.role(role, task, t)
                order = w.uuid()
                w.call(ui, t, "dynamodb.amazonaws.com", "PutItem", region, {"tableName": tbl},
                       truth=[("dynamodb:PutItem", arn("dynamodb", region, f"table/{tbl}"))], data=True)
                w.call(ui, t, "dynamodb.amazonaws.com", "Query", region,
                       {"tableName": tbl, "indexName": "by-customer"},
                       truth=[("dynamodb:Query", arn("dynamodb", region, f"table/{tbl}/index/by-customer"))],
                       ro=True, data=True)
                w.s3(ui, t, "PutObject", bkt, f"invoices/{day:%Y/%m/%d}/{order}.pdf")
                w.s3(ui, t, "GetObject", bkt, "config/pricing.json")
                w.call(ui, t, "sqs.amazonaws.com", "SendMessage", region,
                       {"queueUrl": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{q}"},
                       truth=[("sqs:SendMessage", arn("sqs", region, q))], data=True)
            t = at(day, 0, 5)
            ui = w.role(role, task, t)
            w.call(ui, t, "secretsmanager.amazonaws.com", "GetSecretValue", region, {"secretId": sec},
                   truth=[("secretsmanager:GetSecretValue", sec)], ro=True)
            via = w.role(role, task, t, invoked_by="secretsmanager.amazonaws.com")
            w.call(via, t, "kms.amazonaws.com", "Decrypt", region, {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                   truth=[("kms:Decrypt", key_arn)], ro=True,
                   resources=[{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key_arn}])

    tasks = [w.hex(32), w.hex(32)]
    for day in days():
        if day.weekday() < 5 and w.randint(0, 1):
            tasks = [w.hex(32), w.hex(32)]  # a deploy replaces the tasks
        task_day("orders-task", tasks, day, table, bucket, secret, queue)
        task_day("payments-task", [w.hex(32)], day, "payments", "acme-payments-data",
                 arn("secretsmanager", region, "secret:payments/db-Pq81Lm"), "payments-events")
    w.sibling("dynamodb:PutItem", arn("dynamodb", region, "table/payments"))
    w.sibling("dynamodb:PutItem", arn("dynamodb", region, "table/orders-archive"))
    w.sibling("dynamodb:Query", arn("dynamodb", region, "table/orders/index/by-status"))
    w.sibling("s3:GetObject", f"arn:aws:s3:::{bucket}/exports/2026/12/01/all.csv")
    w.sibling("s3:PutObject", f"arn:aws:s3:::{bucket}/config/pricing.json")
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-payments-data/invoices/2026/12/01/x.pdf")
    w.sibling("secretsmanager:GetSecretValue", arn("secretsmanager", region, "secret:payments/db-Pq81Lm"))
    w.sibling("sqs:SendMessage", arn("sqs", region, "payments-events"))


@workload("train", role="thumbnailer-role")
def thumbnailer(w):
    """A Lambda function's execution role: a log stream per container, objects named by upload IDs."""
    region = "eu-west-1"
    for day in days():
        for role, fn, table in [("thumbnailer-role", "thumbnailer", "media"),
                                ("billing-export-role", "billing-export", "invoices")]:
            for _ in range(w.randint(2, 5)):
                container = w.hex(32)
                t = at(day, w.randint(0, 23), w.randint(0, 59))
                ui = w.role(role, fn, t)
                stream = f"{day:%Y/%m/%d}/[$LATEST]{container}"
                w.call(ui, t, "logs.amazonaws.com", "CreateLogStream", region,
                       {"logGroupName": f"/aws/lambda/{fn}", "logStreamName": stream},
                       truth=[("logs:CreateLogStream", arn("logs", region, f"log-group:/aws/lambda/{fn}:log-stream:{stream}"))])
                for _ in range(w.randint(1, 6)):
                    upload = w.uuid()
                    t += dt.timedelta(seconds=w.randint(1, 300))
                    if fn == "thumbnailer":
                        w.s3(ui, t, "GetObject", "acme-media-uploads", f"uploads/{upload}.jpg", region=region)
                        w.s3(ui, t, "PutObject", "acme-media-public", f"thumbs/{upload}/256.jpg", region=region)
                    w.call(ui, t, "dynamodb.amazonaws.com", "UpdateItem", region, {"tableName": table},
                           truth=[("dynamodb:UpdateItem", arn("dynamodb", region, f"table/{table}"))], data=True)
    w.sibling("logs:CreateLogStream",
              arn("logs", region, "log-group:/aws/lambda/billing-export:log-stream:2026/12/01/[$LATEST]0123456789abcdef0123456789abcdef"))
    w.sibling("logs:CreateLogStream", arn("logs", region, "log-group:/aws/lambda/thumbnailer-admin:log-stream:x"))
    w.sibling("s3:GetObject", "arn:aws:s3:::acme-media-uploads/private/3b9e1f0a-1111-4222-8333-444455556666.jpg")
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-media-public/originals/3b9e1f0a-1111-4222-8333-444455556666.jpg")
    w.sibling("s3:GetObject", "arn:aws:s3:::acme-invoices/2026/12/01/a.pdf")
    w.sibling("dynamodb:UpdateItem", arn("dynamodb", region, "table/invoices"))


@workload("train", role="codebuild-app-build")
def codebuild_app(w):
    """A CodeBuild project's service role: a log stream per build ID, artefacts per build number, ECR pushes,
    CodePipeline source artefacts with random names."""
    region = "us-east-1"
    n = {"app-build": 311, "infra-build": 87}
    for day in days(weekdays_only=True):
        for project, repo in [("app-build", "app"), ("infra-build", "infra-tools")]:
            for _ in range(w.randint(1, 3) if project == "app-build" else 1):
                n[project] += 1
                build = w.uuid()
                t = at(day, w.randint(7, 19), w.randint(0, 59))
                ui = w.role(f"codebuild-{project}", f"AWSCodeBuild-{build}", t)
                w.call(ui, t, "logs.amazonaws.com", "CreateLogStream", region,
                       {"logGroupName": f"/aws/codebuild/{project}", "logStreamName": build},
                       truth=[("logs:CreateLogStream", arn("logs", region, f"log-group:/aws/codebuild/{project}:log-stream:{build}"))])
                source = w.g.chars(mt.B62, 7)
                w.s3(ui, t, "GetObject", "acme-codepipeline-artifacts", f"{project[:10]}/SourceArti/{source}")
                w.call(ui, t, "ecr.amazonaws.com", "GetAuthorizationToken", region, ro=True,
                       truth=[("ecr:GetAuthorizationToken", "*")])
                repo_arn = arn("ecr", region, f"repository/{repo}")
                res = [{"accountId": ACCOUNT, "ARN": repo_arn}]
                for name in ["BatchCheckLayerAvailability", "InitiateLayerUpload", "UploadLayerPart",
                             "CompleteLayerUpload", "PutImage"]:
                    t += dt.timedelta(seconds=2)
                    w.call(ui, t, "ecr.amazonaws.com", name, region, {"registryId": ACCOUNT, "repositoryName": repo},
                           truth=[(f"ecr:{name}", repo_arn)], resources=res, ro=name == "BatchCheckLayerAvailability")
                w.s3(ui, t, "PutObject", "acme-build-artifacts", f"{project}/{n[project]}/{repo}.zip")
    w.sibling("logs:CreateLogStream", arn("logs", region, f"log-group:/aws/codebuild/infra-build:log-stream:{w.uuid()}"))
    w.sibling("ecr:PutImage", arn("ecr", region, "repository/infra-tools"))
    w.sibling("ecr:PutImage", arn("ecr", region, "repository/app-admin"))
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-build-artifacts/infra-build/99/infra-tools.zip")
    w.sibling("s3:GetObject", "arn:aws:s3:::acme-codepipeline-artifacts/infra-buil/SourceArti/Ab3dE9x")


@workload("train")
def etl_nightly(w):
    """A date-partitioned pipeline: raw events in, Parquet out, Glue partitions, Athena queries."""
    region = "us-east-1"
    lake, results = "acme-datalake", "acme-athena-results"
    glue = lambda rest: arn("glue", region, rest)  # noqa: E731
    for day in days():
        t = at(day, 2, 10)
        ui = w.role("etl-nightly", f"etl-{day:%Y%m%d}", t)
        w.s3(ui, t, "ListObjects", lake, prefix=f"raw/events/dt={day:%Y-%m-%d}/")
        for hour in sorted(w.g.rng.sample(range(24), 4)):
            w.s3(ui, t, "GetObject", lake, f"raw/events/dt={day:%Y-%m-%d}/hour={hour:02d}/events-{w.uuid()}.json.gz")
        w.s3(ui, t, "PutObject", lake, f"curated/events/dt={day:%Y-%m-%d}/part-00000-{w.uuid()}-c000.snappy.parquet")
        for name in ["GetTable", "BatchCreatePartition"]:
            w.call(ui, t, "glue.amazonaws.com", name, region,
                   {"databaseName": "analytics", "tableName": "events", "name": "events"},
                   truth=[(f"glue:{name}", glue("catalog")), (f"glue:{name}", glue("database/analytics")),
                          (f"glue:{name}", glue("table/analytics/events"))], ro=name == "GetTable")
        qid = w.uuid()
        w.call(ui, t, "athena.amazonaws.com", "StartQueryExecution", region,
               {"queryString": "INSERT INTO daily ...", "workGroup": "etl"}, {"queryExecutionId": qid},
               truth=[("athena:StartQueryExecution", arn("athena", region, "workgroup/etl"))])
        via = w.role("etl-nightly", f"etl-{day:%Y%m%d}", t, invoked_by="athena.amazonaws.com")
        w.s3(via, t, "PutObject", results, f"etl/{qid}.csv")
        w.s3(ui, t, "GetObject", results, f"etl/{qid}.csv")
        # An analyst on the same lake (decoy).
        if day.weekday() < 5:
            a = w.role("analyst", "alice@example.com", t)
            w.s3(a, at(day, 10), "GetObject", lake, f"raw/pii/dt={day:%Y-%m-%d}/users-{w.uuid()}.json.gz")
            w.call(a, at(day, 10), "athena.amazonaws.com", "StartQueryExecution", region,
                   {"queryString": "SELECT 1", "workGroup": "primary"}, ro=False)
    w.sibling("s3:GetObject", f"arn:aws:s3:::{lake}/raw/pii/dt=2026-12-01/users.json.gz")
    w.sibling("s3:PutObject", f"arn:aws:s3:::{lake}/curated/finance/dt=2026-12-01/part-00000.parquet")
    w.sibling("s3:PutObject", f"arn:aws:s3:::{lake}/raw/events/dt=2026-12-01/hour=01/x.json.gz")
    w.sibling("glue:GetTable", glue("table/finance/ledger"))
    w.sibling("glue:BatchCreatePartition", glue("table/analytics/users"))
    w.sibling("athena:StartQueryExecution", arn("athena", region, "workgroup/primary"))
    w.sibling("s3:PutObject", f"arn:aws:s3:::{results}/adhoc/x.csv")


@workload("train")
def ebs_backup(w):
    """Nightly backups: EBS snapshots of fixed volumes, dated RDS snapshots, and pruning of old ones."""
    region = "us-east-1"
    volumes = [w.ec2_id("vol"), w.ec2_id("vol")]
    taken = []
    for day in days():
        t = at(day, 1, 0)
        ui = w.role("ebs-backup", "ebs-backup", t)
        for vol in volumes:
            snap = w.ec2_id("snap")
            w.call(ui, t, "ec2.amazonaws.com", "CreateSnapshot", region,
                   {"volumeId": vol, "description": f"nightly {day}"}, {"snapshotId": snap, "volumeId": vol},
                   truth=[("ec2:CreateSnapshot", arn("ec2", region, f"volume/{vol}")),
                          ("ec2:CreateSnapshot", f"arn:aws:ec2:{region}::snapshot/{snap}")])
            w.call(ui, t, "ec2.amazonaws.com", "CreateTags", region,
                   {"resourcesSet": {"items": [{"resourceId": snap}]},
                    "tagSet": {"items": [{"key": "backup", "value": "nightly"}]}},
                   truth=[("ec2:CreateTags", f"arn:aws:ec2:{region}::snapshot/{snap}")])
            taken.append((day, snap))
        for when, snap in [x for x in taken if (day - x[0]).days == 7]:
            w.call(ui, t, "ec2.amazonaws.com", "DeleteSnapshot", region, {"snapshotId": snap},
                   truth=[("ec2:DeleteSnapshot", f"arn:aws:ec2:{region}::snapshot/{snap}")])
        w.call(ui, t, "rds.amazonaws.com", "CreateDBSnapshot", region,
               {"dBInstanceIdentifier": "orders-db", "dBSnapshotIdentifier": f"orders-db-{day:%Y-%m-%d}"},
               truth=[("rds:CreateDBSnapshot", arn("rds", region, "db:orders-db")),
                      ("rds:CreateDBSnapshot", arn("rds", region, f"snapshot:orders-db-{day:%Y-%m-%d}"))])
        old = day - dt.timedelta(days=7)
        w.call(ui, t, "rds.amazonaws.com", "DeleteDBSnapshot", region,
               {"dBSnapshotIdentifier": f"orders-db-{old:%Y-%m-%d}"},
               truth=[("rds:DeleteDBSnapshot", arn("rds", region, f"snapshot:orders-db-{old:%Y-%m-%d}"))])
    other = w.ec2_id("vol")
    w.sibling("ec2:CreateSnapshot", arn("ec2", region, f"volume/{other}"))
    w.sibling("rds:CreateDBSnapshot", arn("rds", region, "db:payments-db"))
    w.sibling("rds:DeleteDBSnapshot", arn("rds", region, "snapshot:payments-db-2026-11-28"))
    w.sibling("rds:DeleteDBSnapshot", arn("rds", region, "snapshot:orders-db-final"))


@workload("train")
def image_builder(w):
    """Packer-style image builds: a key pair, security group and instance per run, then an image; old images
    and their snapshots are pruned."""
    region = "us-east-1"
    base, subnet, vpc = w.ec2_id("ami"), w.ec2_id("subnet"), w.ec2_id("vpc")
    images = []
    n = 500
    for day in days(weekdays_only=True):
        if day.weekday() not in (0, 2, 4):
            continue
        n += 1
        t = at(day, 3, w.randint(0, 30))
        ui = w.role("image-builder", f"gh-run-{n}", t, web=True)
        key = f"packer_{w.uuid()}"
        sg, inst, image = w.ec2_id("sg"), w.ec2_id("i"), w.ec2_id("ami")
        ec2 = lambda rest, acct=ACCOUNT: f"arn:aws:ec2:{region}:{acct}:{rest}"  # noqa: E731
        w.call(ui, t, "ec2.amazonaws.com", "CreateKeyPair", region, {"keyName": key},
               {"keyName": key, "keyPairId": w.ec2_id("key")}, truth=[("ec2:CreateKeyPair", ec2(f"key-pair/{key}"))])
        w.call(ui, t, "ec2.amazonaws.com", "CreateSecurityGroup", region,
               {"groupName": f"packer_{w.uuid()}", "groupDescription": "Temporary group for Packer", "vpcId": vpc},
               {"groupId": sg}, truth=[("ec2:CreateSecurityGroup", ec2(f"security-group/{sg}")),
                                       ("ec2:CreateSecurityGroup", ec2(f"vpc/{vpc}"))])
        w.call(ui, t, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", region, {"groupId": sg},
               truth=[("ec2:AuthorizeSecurityGroupIngress", ec2(f"security-group/{sg}"))])
        t += dt.timedelta(seconds=5)
        w.call(ui, t, "ec2.amazonaws.com", "RunInstances", region,
               {"instancesSet": {"items": [{"imageId": base, "minCount": 1, "maxCount": 1, "keyName": key}]},
                "instanceType": "t3.medium", "subnetId": subnet, "groupSet": {"items": [{"groupId": sg}]}},
               {"instancesSet": {"items": [{"instanceId": inst}]}},
               truth=[("ec2:RunInstances", f"arn:aws:ec2:{region}::image/{base}"),
                      ("ec2:RunInstances", ec2(f"subnet/{subnet}")),
                      ("ec2:RunInstances", ec2(f"security-group/{sg}")),
                      ("ec2:RunInstances", ec2(f"key-pair/{key}")),
                      ("ec2:RunInstances", ec2(f"instance/{inst}")),
                      ("ec2:RunInstances", ec2(f"volume/{w.ec2_id('vol')}")),
                      ("ec2:RunInstances", ec2(f"network-interface/{w.ec2_id('eni')}"))])
        t += dt.timedelta(minutes=12)
        w.call(ui, t, "ec2.amazonaws.com", "CreateImage", region, {"instanceId": inst, "name": f"base-{day:%Y%m%d}-{n}"},
               {"imageId": image}, truth=[("ec2:CreateImage", ec2(f"instance/{inst}")),
                                          ("ec2:CreateImage", f"arn:aws:ec2:{region}::image/{image}"),
                                          ("ec2:CreateImage", f"arn:aws:ec2:{region}::snapshot/{w.ec2_id('snap')}")])
        w.call(ui, t, "ec2.amazonaws.com", "CreateTags", region,
               {"resourcesSet": {"items": [{"resourceId": image}]}, "tagSet": {"items": [{"key": "build", "value": str(n)}]}},
               truth=[("ec2:CreateTags", f"arn:aws:ec2:{region}::image/{image}")])
        t += dt.timedelta(minutes=3)
        w.call(ui, t, "ec2.amazonaws.com", "TerminateInstances", region,
               {"instancesSet": {"items": [{"instanceId": inst}]}},
               truth=[("ec2:TerminateInstances", ec2(f"instance/{inst}"))])
        w.call(ui, t, "ec2.amazonaws.com", "DeleteSecurityGroup", region, {"groupId": sg},
               truth=[("ec2:DeleteSecurityGroup", ec2(f"security-group/{sg}"))])
        w.call(ui, t, "ec2.amazonaws.com", "DeleteKeyPair", region, {"keyName": key},
               truth=[("ec2:DeleteKeyPair", ec2(f"key-pair/{key}"))])
        images.append(image)
        if len(images) > 4:
            old = images.pop(0)
            w.call(ui, t, "ec2.amazonaws.com", "DeregisterImage", region, {"imageId": old},
                   truth=[("ec2:DeregisterImage", f"arn:aws:ec2:{region}::image/{old}")])
    w.sibling("ec2:RunInstances", f"arn:aws:ec2:{region}:{ACCOUNT}:subnet/{w.ec2_id('subnet')}")
    w.sibling("ec2:CreateSecurityGroup", f"arn:aws:ec2:{region}:{ACCOUNT}:vpc/{w.ec2_id('vpc')}")
    w.sibling("ec2:CreateKeyPair", f"arn:aws:ec2:{region}:{ACCOUNT}:key-pair/prod-bastion")


@workload("train")
def release_publisher(w):
    """GitHub Actions publishing images to two ECR repositories and a Lambda layer version twice a week."""
    region = "us-east-1"
    version = 40
    for day in days(weekdays_only=True):
        if day.weekday() not in (1, 3):
            continue
        t = at(day, 15, w.randint(0, 59))
        ui = w.role("release-publisher", "GitHubActions", t, web=True)
        w.call(ui, t, "ecr.amazonaws.com", "GetAuthorizationToken", region, ro=True,
               truth=[("ecr:GetAuthorizationToken", "*")])
        for repo in ["web", "worker"]:
            repo_arn = arn("ecr", region, f"repository/{repo}")
            for name in ["BatchCheckLayerAvailability", "InitiateLayerUpload", "UploadLayerPart",
                         "CompleteLayerUpload", "PutImage"]:
                t += dt.timedelta(seconds=3)
                w.call(ui, t, "ecr.amazonaws.com", name, region, {"registryId": ACCOUNT, "repositoryName": repo},
                       truth=[(f"ecr:{name}", repo_arn)], resources=[{"accountId": ACCOUNT, "ARN": repo_arn}])
        version += 1
        w.s3(ui, t, "PutObject", "acme-layers", f"shared-deps/{day:%Y%m%d}-{w.hex(7)}.zip")
        w.call(ui, t, "lambda.amazonaws.com", "PublishLayerVersion20181031", region,
               {"layerName": "shared-deps", "compatibleRuntimes": ["python3.12"]},
               {"layerVersionArn": arn("lambda", region, f"layer:shared-deps:{version}"), "version": version},
               truth=[("lambda:PublishLayerVersion", arn("lambda", region, "layer:shared-deps"))])
        w.call(ui, t, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", region,
               {"functionName": "web-ssr", "layers": [arn("lambda", region, f"layer:shared-deps:{version}")]},
               truth=[("lambda:UpdateFunctionConfiguration", arn("lambda", region, "function:web-ssr"))])
    w.sibling("ecr:PutImage", arn("ecr", region, "repository/admin-console"))
    w.sibling("lambda:PublishLayerVersion", arn("lambda", region, "layer:billing-deps"))
    w.sibling("lambda:UpdateFunctionConfiguration", arn("lambda", region, "function:web-admin"))
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-layers/billing-deps/20261201-a1b2c3d.zip")


@workload("train")
def batch_orchestrator(w):
    """A scheduler starting Step Functions executions named by date (nightly) or by UUID (on demand)."""
    region = "us-east-1"
    sm = lambda name: arn("states", region, f"stateMachine:{name}")  # noqa: E731
    ex = lambda machine, name: arn("states", region, f"execution:{machine}:{name}")  # noqa: E731
    for day in days():
        runs = [("nightly-batch", f"nightly-{day:%Y-%m-%d}")]
        if day.weekday() < 5:
            runs += [("reindex", w.uuid()) for _ in range(w.randint(0, 2))]
        for machine, name in runs:
            t = at(day, 0 if machine == "nightly-batch" else w.randint(9, 17), 30)
            ui = w.role("batch-orchestrator", "batch-trigger", t)
            w.call(ui, t, "states.amazonaws.com", "StartExecution", region,
                   {"stateMachineArn": sm(machine), "name": name, "input": "{}"},
                   {"executionArn": ex(machine, name), "startDate": mt.ts(t)},
                   truth=[("states:StartExecution", sm(machine))])
            for _ in range(w.randint(2, 5)):
                t += dt.timedelta(minutes=5)
                w.call(ui, t, "states.amazonaws.com", "DescribeExecution", region,
                       {"executionArn": ex(machine, name)}, truth=[("states:DescribeExecution", ex(machine, name))],
                       ro=True)
            w.call(ui, t, "states.amazonaws.com", "GetExecutionHistory", region, {"executionArn": ex(machine, name)},
                   truth=[("states:GetExecutionHistory", ex(machine, name))], ro=True)
        p = w.role("payments-scheduler", "payments-trigger", at(day, 1))
        w.call(p, at(day, 1), "states.amazonaws.com", "StartExecution", region,
               {"stateMachineArn": sm("payments-batch"), "name": f"nightly-{day:%Y-%m-%d}"})
    w.sibling("states:StartExecution", sm("payments-batch"))
    w.sibling("states:DescribeExecution", ex("payments-batch", "nightly-2026-12-01"))
    w.sibling("states:StartExecution", sm("nightly-batch-v2"))


@workload("train")
def preview_deployer(w):
    """Preview stacks per pull request: created on open, updated on push, deleted on close."""
    region = "us-east-1"
    bucket = "acme-preview-assets"
    open_prs = {}
    pr, n = 1200, 9000
    for day in days(weekdays_only=True):
        for _ in range(w.randint(0, 2)):
            pr += 1
            open_prs[pr] = w.uuid()
        for number in sorted(open_prs):
            if w.randint(0, 2):
                continue
            n += 1
            t = at(day, w.randint(8, 18), w.randint(0, 59))
            ui = w.role("preview-deployer", f"gh-run-{n}", t, web=True)
            stack = f"web-preview-pr-{number}"
            stack_arn = arn("cloudformation", region, f"stack/{stack}/{open_prs[number]}")
            asset = f"pr-{number}/{w.hex(20)}.js"
            w.s3(ui, t, "PutObject", bucket, asset)
            w.call(ui, t, "cloudformation.amazonaws.com", "DescribeStacks", region, {"stackName": stack},
                   truth=[("cloudformation:DescribeStacks", stack_arn)], ro=True)
            w.call(ui, t, "cloudformation.amazonaws.com", "UpdateStack", region, {"stackName": stack},
                   {"stackId": stack_arn}, truth=[("cloudformation:UpdateStack", stack_arn)])
        for number in sorted(open_prs):
            if w.randint(0, 5) == 0:
                n += 1
                t = at(day, 19, w.randint(0, 59))
                ui = w.role("preview-deployer", f"gh-run-{n}", t, web=True)
                stack = f"web-preview-pr-{number}"
                stack_arn = arn("cloudformation", region, f"stack/{stack}/{open_prs.pop(number)}")
                w.call(ui, t, "cloudformation.amazonaws.com", "DeleteStack", region, {"stackName": stack},
                       truth=[("cloudformation:DeleteStack", stack_arn)])
        prod = w.role("prod-deployer", f"gh-run-{n}", at(day, 12), web=True)
        w.call(prod, at(day, 12), "cloudformation.amazonaws.com", "UpdateStack", region, {"stackName": "web-prod"})
    for stack in ["web-prod", "web-staging", "api-preview-pr-1301"]:
        w.sibling("cloudformation:UpdateStack", arn("cloudformation", region, f"stack/{stack}/{w.uuid()}"))
        w.sibling("cloudformation:DeleteStack", arn("cloudformation", region, f"stack/{stack}/{w.uuid()}"))
    w.sibling("s3:PutObject", f"arn:aws:s3:::{bucket}/prod/main.js")
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-prod-assets/pr-1301/a.js")


@workload("train")
def metrics_rollup(w):
    """Hourly rollups into monthly and daily DynamoDB tables, created ahead and dropped after a week."""
    region = "us-east-1"
    tbl = lambda name: arn("dynamodb", region, f"table/{name}")  # noqa: E731
    for day in days():
        for hour in range(0, 24, 6):
            t = at(day, hour, 5)
            ui = w.role("metrics-rollup", "metrics-rollup", t)
            monthly = f"metrics_{day:%Y_%m}"
            w.call(ui, t, "dynamodb.amazonaws.com", "BatchWriteItem", region, {"requestItems": {monthly: []}},
                   truth=[("dynamodb:BatchWriteItem", tbl(monthly))], data=True,
                   resources=[{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table", "ARN": tbl(monthly)}])
            daily = f"events-{day:%Y%m%d}"
            w.call(ui, t, "dynamodb.amazonaws.com", "Query", region, {"tableName": daily},
                   truth=[("dynamodb:Query", tbl(daily))], ro=True, data=True)
            w.s3(ui, t, "PutObject", "acme-metrics", f"rollups/{day:%Y/%m/%d}/hourly-{hour:02d}.json")
        t = at(day, 23, 30)
        ui = w.role("metrics-rollup", "metrics-rollup", t)
        tomorrow, old = day + dt.timedelta(days=1), day - dt.timedelta(days=7)
        w.call(ui, t, "dynamodb.amazonaws.com", "CreateTable", region, {"tableName": f"events-{tomorrow:%Y%m%d}"},
               truth=[("dynamodb:CreateTable", tbl(f"events-{tomorrow:%Y%m%d}"))])
        w.call(ui, t, "dynamodb.amazonaws.com", "DeleteTable", region, {"tableName": f"events-{old:%Y%m%d}"},
               truth=[("dynamodb:DeleteTable", tbl(f"events-{old:%Y%m%d}"))])
        b = w.role("billing-rollup", "billing-rollup", t)
        w.call(b, t, "dynamodb.amazonaws.com", "BatchWriteItem", region, {"requestItems": {}}, data=True,
               resources=[{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table", "ARN": tbl(f"billing_{day:%Y_%m}")}])
    w.sibling("dynamodb:BatchWriteItem", tbl("billing_2026_12"))
    w.sibling("dynamodb:BatchWriteItem", tbl("metrics-archive"))
    w.sibling("dynamodb:DeleteTable", tbl("orders"))
    w.sibling("dynamodb:DeleteTable", tbl("billing-20261201"))
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-metrics/raw/2026/12/01/x.json")


@workload("train", role="build-agent")
def ci_artifacts(w):
    """The example trail's pattern: a CI role putting bundles by build number and templates by commit, and
    reading a cache keyed by lock-file hash, all in one bucket whose other prefixes belong to others."""
    bucket = "acme-build-artifacts"
    n = 4180
    for day in days(weekdays_only=True):
        for _ in range(w.randint(1, 3)):
            n += 1
            t = at(day, w.randint(7, 18), w.randint(0, 59))
            ui = w.role("build-agent", f"gh-run-{n}", t, web=True)
            sha = w.hex(40)
            w.s3(ui, t, "ListObjects", bucket, prefix="cache/")
            w.s3(ui, t, "GetObject", bucket, f"cache/node_modules-{sha[:8]}.tar.zst")
            w.s3(ui, t, "PutObject", bucket, f"builds/{n}/bundle.zip")
            w.s3(ui, t, "PutObject", bucket, f"cfn/acme-api-{sha[:12]}.yaml")
            w.call(ui, t, "logs.amazonaws.com", "CreateLogStream", "us-east-1",
                   {"logGroupName": "/acme/ci/build-agent", "logStreamName": f"gh-run-{n}"},
                   truth=[("logs:CreateLogStream", arn("logs", "us-east-1", f"log-group:/acme/ci/build-agent:log-stream:gh-run-{n}"))])
        r = w.role("release-manager", "alice", at(day, 17))
        w.s3(r, at(day, 17), "PutObject", bucket, f"releases/{day:%Y.%m.%d}/bundle.zip")
    for key in ["releases/2026.12.01/bundle.zip", "secrets/deploy-key.pem", "builds-archive/4000/bundle.zip"]:
        w.sibling("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}")
        w.sibling("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}")
    w.sibling("logs:CreateLogStream", arn("logs", "us-east-1", "log-group:/acme/ci/build-agent-admin:log-stream:x"))


@workload("train", role="ecsTaskExecutionRole")
def ecs_task_logs(w):
    """The task execution role writing container logs: one stream per container and task, in two log
    groups whose names share a prefix with a third that belongs to another service."""
    region = "us-east-1"
    tasks = {"orders": [w.hex(32)], "orders-api": [w.hex(32), w.hex(32)]}
    for day in days():
        for service in tasks:
            if w.randint(0, 2) == 0:
                tasks[service] = [w.hex(32) for _ in tasks[service]]
            for task in tasks[service]:
                for container in ["app", "envoy"]:
                    t = at(day, w.randint(0, 23), w.randint(0, 59))
                    ui = w.role("ecsTaskExecutionRole", task, t)
                    stream = f"{service}/{container}/{task}"
                    w.call(ui, t, "logs.amazonaws.com", "CreateLogStream", region,
                           {"logGroupName": f"/ecs/{service}", "logStreamName": stream},
                           truth=[("logs:CreateLogStream", arn("logs", region, f"log-group:/ecs/{service}:log-stream:{stream}"))])
            w.call(w.role("ecsTaskExecutionRole", tasks[service][0], at(day, 0)), at(day, 0, 1),
                   "ecr.amazonaws.com", "GetAuthorizationToken", region, ro=True,
                   truth=[("ecr:GetAuthorizationToken", "*")])
    w.sibling("logs:CreateLogStream", arn("logs", region, f"log-group:/ecs/orders-api-admin:log-stream:app/app/{w.hex(32)}"))
    w.sibling("logs:CreateLogStream", arn("logs", region, f"log-group:/ecs/payments:log-stream:payments/app/{w.hex(32)}"))
    w.sibling("logs:CreateLogStream", arn("logs", region, "log-group:/aws/lambda/orders:log-stream:x"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--set", choices=["train", "holdout", "limits", "all"], default="train")
    args = parser.parse_args()
    if args.set in ("holdout", "all"):
        import holdout  # noqa: F401  (registers its workloads)
    if args.set == "limits":
        import limits  # noqa: F401  (registers its workloads)
    for name, (fn, kind, role) in WORKLOADS.items():
        if args.set not in ("all", kind):
            continue
        w = World(name, target=role)
        fn(w)
        w.write(os.path.join(args.out, name))
        print(f"{name}: {len(w.records)} records, {len(w.calls)} calls of `{w.target}`, {len(w.siblings)} siblings")


if __name__ == "__main__":
    sys.modules.setdefault("workloads", sys.modules["__main__"])  # holdout.py imports the helpers above
    main()
