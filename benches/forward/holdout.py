"""Held-out forward-validity workloads: written before the last round of changes and scored only at the
end (docs/forward-validity.md), to check the principle rather than the training workloads. Imported by
workloads.py with `--set holdout` or `--set all`."""
import datetime as dt

import make_trail as mt
from make_trail import ACCOUNT
from workloads import arn, at, days, workload


@workload("holdout", role="ml-trainer")
def sagemaker_trainer(w):
    """Nightly training jobs named with a timestamp, data read by date partition, the role passed on."""
    region = "us-west-2"
    exec_role = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-exec"
    for day in days():
        for model in ["churn-model", "fraud-model"]:
            t = at(day, 1 if model == "churn-model" else 2, 0)
            role = "ml-trainer" if model == "churn-model" else "fraud-trainer"
            ui = w.role(role, f"airflow-{day:%Y%m%d}", t)
            job = f"{model}-{t:%Y-%m-%d-%H-%M-%S}-{w.randint(100, 999)}"
            w.s3(ui, t, "GetObject", "acme-ml", f"{model}/train/dt={day:%Y-%m-%d}/data.csv", region=region)
            w.call(ui, t, "sagemaker.amazonaws.com", "CreateTrainingJob", region,
                   {"trainingJobName": job, "roleArn": exec_role},
                   {"trainingJobArn": arn("sagemaker", region, f"training-job/{job}")},
                   truth=[("sagemaker:CreateTrainingJob", arn("sagemaker", region, f"training-job/{job}")),
                          ("iam:PassRole", exec_role)])
            for _ in range(w.randint(3, 6)):
                t += dt.timedelta(minutes=10)
                w.call(ui, t, "sagemaker.amazonaws.com", "DescribeTrainingJob", region, {"trainingJobName": job},
                       truth=[("sagemaker:DescribeTrainingJob", arn("sagemaker", region, f"training-job/{job}"))],
                       ro=True)
            w.s3(ui, t, "GetObject", "acme-ml", f"{model}/output/{job}/output/model.tar.gz", region=region)
    w.sibling("sagemaker:CreateTrainingJob", arn("sagemaker", region, "training-job/fraud-model-2026-12-01-02-00-00-123"))
    w.sibling("s3:GetObject", "arn:aws:s3:::acme-ml/fraud-model/train/dt=2026-12-01/data.csv")
    w.sibling("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/admin")


@workload("holdout", role="log-shipper")
def log_shipper(w):
    """Hosts of an autoscaling group ship logs hourly under `YYYY/MM/DD/HH/`, named by instance and epoch."""
    region = "eu-central-1"
    hosts = [w.ec2_id("i") for _ in range(3)]
    for day in days():
        if day.weekday() == 2:
            hosts = hosts[1:] + [w.ec2_id("i")]  # a host replaced each week
        for hour in range(0, 24, 3):
            for host in hosts:
                t = at(day, hour, 1)
                ui = w.role("log-shipper", host, t)
                epoch = int(t.replace(tzinfo=dt.timezone.utc).timestamp())
                w.s3(ui, t, "PutObject", "acme-logs", f"app/{t:%Y/%m/%d/%H}/app-{host}-{epoch}.log.gz", region=region)
        a = w.role("audit-shipper", "audit", at(day, 5))
        w.s3(a, at(day, 5), "PutObject", "acme-logs", f"audit/{day:%Y/%m/%d}/00/audit.log.gz", region=region)
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-logs/audit/2026/12/01/00/audit.log.gz")
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-logs-archive/app/2026/12/01/00/app.log.gz")
    w.sibling("s3:GetObject", "arn:aws:s3:::acme-logs/app/2026/12/01/00/app-i-0123456789abcdef0-1764547200.log.gz")


@workload("holdout", role="tenant-reporter")
def k8s_reporter(w):
    """A Kubernetes deployment (IRSA sessions named by epoch) writing monthly reports per tenant; pod names
    carry a ReplicaSet hash and a random suffix."""
    region = "us-east-1"
    tenants = ["acme", "globex", "initech", "umbrella"]
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    replicaset = w.hex(9)
    for day in days():
        if day.weekday() == 0:
            replicaset = w.hex(9)  # a weekly rollout
        for _ in range(w.randint(2, 4)):
            pod = f"reporter-{replicaset}-{w.g.chars(alphabet, 5)}"
            t = at(day, w.randint(0, 23), w.randint(0, 59))
            ui = w.role("tenant-reporter", f"botocore-session-{int(t.replace(tzinfo=dt.timezone.utc).timestamp())}", t)
            tenant = w.pick(tenants)
            w.call(ui, t, "dynamodb.amazonaws.com", "GetItem", region, {"tableName": "tenants"},
                   truth=[("dynamodb:GetItem", arn("dynamodb", region, "table/tenants"))], ro=True, data=True)
            w.call(ui, t, "sqs.amazonaws.com", "ReceiveMessage", region,
                   {"queueUrl": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/report-requests"},
                   truth=[("sqs:ReceiveMessage", arn("sqs", region, "report-requests"))], ro=True, data=True)
            w.s3(ui, t, "PutObject", "acme-reports", f"tenants/{tenant}/{day:%Y-%m}/report-{pod}.pdf")
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-reports/internal/2026-12/finance.pdf")
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-reports-private/tenants/acme/2026-12/x.pdf")
    w.sibling("dynamodb:GetItem", arn("dynamodb", region, "table/tenants-billing"))
    w.sibling("sqs:ReceiveMessage", arn("sqs", region, "report-requests-dlq"))


@workload("holdout", role="ssm-patcher")
def ssm_patcher(w):
    """Weekly patching through Run Command on a fleet; command output in S3 under the command ID."""
    region = "us-east-1"
    fleet = [w.ec2_id("i") for _ in range(5)]
    for day in days():
        if day.weekday() == 4:
            fleet = fleet[1:] + [w.ec2_id("i")]
        if day.weekday() not in (1, 5):
            continue
        t = at(day, 4, 0)
        ui = w.role("ssm-patcher", "patch-window", t)
        command = w.uuid()
        # The SAR's document ARN has the account (scored once with none, an error of this file: see
        # docs/forward-validity.md).
        doc = arn("ssm", region, "document/AWS-RunPatchBaseline")
        w.call(ui, t, "ssm.amazonaws.com", "SendCommand", region,
               {"documentName": "AWS-RunPatchBaseline", "instanceIds": fleet,
                "outputS3BucketName": "acme-ssm-output", "outputS3KeyPrefix": "patch"},
               {"command": {"commandId": command}},
               truth=[("ssm:SendCommand", doc)] + [("ssm:SendCommand", arn("ec2", region, f"instance/{i}")) for i in fleet])
        for i in fleet:
            via = w.role("ssm-patcher", i, t)
            w.s3(via, t + dt.timedelta(minutes=20), "PutObject", "acme-ssm-output",
                 f"patch/{command}/{i}/awsrunShellScript/PatchLinux/stdout")
    w.sibling("ssm:SendCommand", arn("ssm", region, "document/AWS-RunShellScript"))
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-ssm-output/adhoc/x/stdout")


@workload("holdout", role="db-migrator")
def db_migrator(w):
    """Releases twice a week: a snapshot before migrating, the migrator's secret, a log stream per release."""
    region = "us-east-1"
    secret = arn("secretsmanager", region, "secret:orders/migrator-Tq4Lw9")
    minor = 40
    for day in days(weekdays_only=True):
        if day.weekday() not in (1, 3):
            continue
        minor += 1
        release = f"v1.{minor}.0"
        t = at(day, 11, 0)
        ui = w.role("db-migrator", f"gh-run-{day:%j}{minor}", t, web=True)
        sha = w.hex(7)
        w.call(ui, t, "rds.amazonaws.com", "CreateDBSnapshot", region,
               {"dBInstanceIdentifier": "orders-db", "dBSnapshotIdentifier": f"pre-migrate-{sha}"},
               truth=[("rds:CreateDBSnapshot", arn("rds", region, "db:orders-db")),
                      ("rds:CreateDBSnapshot", arn("rds", region, f"snapshot:pre-migrate-{sha}"))])
        w.call(ui, t, "secretsmanager.amazonaws.com", "GetSecretValue", region, {"secretId": secret},
               truth=[("secretsmanager:GetSecretValue", secret)], ro=True)
        w.call(ui, t, "logs.amazonaws.com", "CreateLogStream", region,
               {"logGroupName": "/migrations/orders", "logStreamName": release},
               truth=[("logs:CreateLogStream", arn("logs", region, f"log-group:/migrations/orders:log-stream:{release}"))])
    w.sibling("rds:CreateDBSnapshot", arn("rds", region, "db:payments-db"))
    w.sibling("secretsmanager:GetSecretValue", arn("secretsmanager", region, "secret:payments/migrator-Hh2Kp0"))
    w.sibling("logs:CreateLogStream", arn("logs", region, "log-group:/migrations/payments:log-stream:v1.0.0"))


@workload("holdout", role="sessionize-job")
def glue_jobs(w):
    """Glue job runs writing Hive partitions, files named by the job-run ID."""
    region = "us-east-1"
    for day in days():
        t = at(day, 3, 0)
        ui = w.role("sessionize-job", "GlueJobRunnerSession", t)
        run = "jr_" + w.hex(64)
        w.call(ui, t, "glue.amazonaws.com", "GetTable", region, {"databaseName": "web", "name": "clicks"},
               truth=[("glue:GetTable", arn("glue", region, "catalog")), ("glue:GetTable", arn("glue", region, "database/web")),
                      ("glue:GetTable", arn("glue", region, "table/web/clicks"))], ro=True)
        for part in range(w.randint(2, 4)):
            w.s3(ui, t, "GetObject", "acme-datalake",
                 f"web/clicks/year={day:%Y}/month={day:%m}/day={day:%d}/part-{part:05d}.parquet")
        w.s3(ui, t, "PutObject", "acme-datalake",
             f"web/sessions/year={day:%Y}/month={day:%m}/day={day:%d}/{run}-part-r-00000.parquet")
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-datalake/web/clicks/year=2026/month=12/day=01/part-00000.parquet")
    w.sibling("s3:GetObject", "arn:aws:s3:::acme-datalake/billing/year=2026/month=12/day=01/part-00000.parquet")
    w.sibling("glue:GetTable", arn("glue", region, "table/billing/invoices"))


@workload("holdout", role="orders-exporter")
def monthly_exports(w):
    """Point-in-time exports of a table, written into monthly prefixes and tables named `YYYYMM`."""
    region = "us-east-1"
    table = arn("dynamodb", region, "table/orders")
    for day in days():
        t = at(day, 6, 0)
        ui = w.role("orders-exporter", "orders-exporter", t)
        w.call(ui, t, "dynamodb.amazonaws.com", "ExportTableToPointInTime", region,
               {"tableArn": table, "s3Bucket": "acme-exports", "s3Prefix": f"orders/{day:%Y%m}"},
               truth=[("dynamodb:ExportTableToPointInTime", table)])
        month_table = f"orders_{day:%Y%m}"
        w.call(ui, t, "dynamodb.amazonaws.com", "UpdateItem", region, {"tableName": month_table},
               truth=[("dynamodb:UpdateItem", arn("dynamodb", region, f"table/{month_table}"))], data=True)
        export = f"{int(t.replace(tzinfo=dt.timezone.utc).timestamp() * 1000)}-{w.hex(8)}"
        w.s3(ui, t, "PutObject", "acme-exports", f"orders/{day:%Y%m}/AWSDynamoDB/{export}/manifest-summary.json")
    w.sibling("dynamodb:ExportTableToPointInTime", arn("dynamodb", region, "table/payments"))
    w.sibling("dynamodb:UpdateItem", arn("dynamodb", region, "table/payments_202612"))
    w.sibling("s3:PutObject", "arn:aws:s3:::acme-exports/payments/202612/AWSDynamoDB/x/manifest-summary.json")


_ = mt  # record shapes come from make_trail through workloads.World
