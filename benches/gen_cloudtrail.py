#!/usr/bin/env python3
# Provenance: verbatim copy of /work/shared/bench/gen_cloudtrail.py (sha256 c8ce22015931ebc5143104e56569d6748116df03575cb02f9b59c74edbd2b92c), only this line added; see benches/PROVENANCE.md
"""Deterministic synthetic CloudTrail corpus generator (S3 delivery layout).

Writes gzipped CloudTrail log files exactly as a trail delivers them to S3:

  OUT/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
      <account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<16 alnum>.json.gz

each file being one line of compact JSON `{"Records":[...]}` with 100-2000
records, plus OUT/manifest.json (sizes, principals, target role) and
OUT/truth.json (per principal, per eventSource:eventName, per UTC day counts of
successful / AccessDenied / other-error calls, and the IAM action(s) each
event needs) so that a policy generator's output can be checked exactly.

Everything is a pure function of (--records, --principals, --seed, --start,
--days, --account, --workers is irrelevant): running it twice gives
byte-identical files (gzip mtime is 0, per-file RNG streams are seeded from
"<seed>-<file index>").

Usage:
  gen_cloudtrail.py generate --out DIR --records 1000000 --principals 200 --seed 42
  gen_cloudtrail.py expect --truth DIR/truth.json --principal ARN \
                           --from 2024-01-31 --to 2024-03-01 [--include-denied]

Only the standard library is used (Python >= 3.8).
"""
import argparse
import base64
import bisect
import datetime as dt
import gzip
import hashlib
import itertools
import json
import math
import multiprocessing as mp
import os
import random
import sys
import time

# --------------------------------------------------------------------------
# Static world description
# --------------------------------------------------------------------------

REGIONS = [  # (name, weight)
    ("us-east-1", 0.33), ("us-west-2", 0.14), ("eu-west-1", 0.12),
    ("eu-central-1", 0.08), ("us-east-2", 0.06), ("ap-southeast-2", 0.04),
    ("ap-northeast-1", 0.04), ("eu-west-2", 0.03), ("ap-south-1", 0.02),
    ("ap-southeast-1", 0.02), ("ca-central-1", 0.02), ("us-west-1", 0.02),
    ("eu-west-3", 0.01), ("eu-north-1", 0.01), ("ap-northeast-2", 0.01),
    ("sa-east-1", 0.01), ("ap-northeast-3", 0.01), ("eu-south-1", 0.01),
    ("me-south-1", 0.01), ("af-south-1", 0.01),
]
REGION_NAMES = [r for r, _ in REGIONS]

# services whose events CloudTrail delivers to us-east-1 only
GLOBAL_SOURCES = {"iam.amazonaws.com", "route53.amazonaws.com",
                  "cloudfront.amazonaws.com", "organizations.amazonaws.com",
                  "signin.amazonaws.com", "health.amazonaws.com"}

PROJECTS = ["orders", "payments", "inventory", "shipping", "catalog", "search",
            "auth", "billing", "reports", "analytics", "notifications", "media",
            "checkout", "pricing", "users", "reviews", "recommendations",
            "fraud", "ledger", "etl", "ingest", "gateway", "chat", "audit"]
ENVS = ["prod", "prod", "prod", "staging", "dev"]
FIRST_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace",
               "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy",
               "rupert", "sybil", "trent", "victor", "walter", "yasmin",
               "zoe", "ahmed", "bianca", "chen", "dmitri", "elena", "fatima",
               "goran", "hiro", "ines", "jonas", "kavya", "lars", "mei"]
INSTANCE_TYPES = ["t3.micro", "t3.small", "t3.medium", "t3.large", "m5.large",
                  "m5.xlarge", "m6i.large", "m6i.2xlarge", "c5.xlarge",
                  "c6g.large", "r5.large", "r6g.xlarge", "g4dn.xlarge",
                  "t4g.medium", "m7g.large", "p3.2xlarge"]
UA_SDK = [
    "aws-sdk-java/1.12.600 Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS java/17.0.9 vendor/Amazon.com_Inc. cfg/retry-mode/standard",
    "aws-sdk-java/2.21.46 Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.1+12-LTS Java/21.0.1 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    "Boto3/1.34.34 md/Botocore#1.34.34 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.34",
    "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/dynamodb#1.26.8",
    "aws-sdk-nodejs/2.1531.0 linux/v18.19.0 exec-env/AWS_ECS_FARGATE promise",
    "aws-sdk-js/3.485.0 ua/2.0 os/linux#5.10.205-214.809.amzn2.x86_64 lang/js md/nodejs#20.10.0 exec-env/AWS_Lambda_nodejs20.x api/sqs#3.485.0",
]
UA_CLI = [
    "aws-cli/2.15.10 Python/3.11.6 Linux/6.2.0-1018-aws exe/x86_64.ubuntu.22 prompt/off command/s3.cp",
    "aws-cli/2.13.25 Python/3.11.5 Darwin/23.2.0 exe/x86_64 prompt/off command/sts.get-caller-identity",
    "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.49.13 (go1.21.5; linux; amd64)",
    "aws-cli/1.29.85 md/Botocore#1.31.85 ua/2.0 os/linux#5.15.0-1051-azure md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.31.85",
]
UA_CONSOLE = [
    "AWS Internal",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
]
TLS = [("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"),
       ("TLSv1.3", "TLS_AES_256_GCM_SHA384")]
HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def h16(*parts, alphabet=UPPER, n=16):
    d = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=max(16, n)).digest()
    return "".join(alphabet[b % len(alphabet)] for b in d)[:n]


def uuid_from(bits):
    s = "%032x" % bits
    return f"{s[0:8]}-{s[8:12]}-4{s[13:16]}-a{s[17:20]}-{s[20:32]}"


# --------------------------------------------------------------------------
# Event catalog: (eventSource, eventName) -> spec
#   ro: readOnly, cat: "Data" or "Management", iam: list of IAM actions the call
#   needs (ground truth; [] = no identity permission needed),
#   req/res/resp: builders taking the context c.
# --------------------------------------------------------------------------


class C:
    """Per-record context handed to the builders."""
    __slots__ = ("r", "acct", "region", "proj", "env", "p", "t")


def _key(c):
    r = c.r
    tm = time.gmtime(c.t - r.randrange(0, 30 * 86400))
    return (f"{c.proj}/{r.choice(['in', 'out', 'tmp', 'archive', 'exports'])}/"
            f"{tm.tm_year}/{tm.tm_mon:02d}/{tm.tm_mday:02d}/"
            f"{r.choice(['order', 'invoice', 'item', 'batch', 'report', 'img'])}-{r.randrange(10**6):06d}."
            f"{r.choice(['json', 'parquet', 'csv.gz', 'pdf', 'png'])}")


def bucket(c):
    return f"{c.acct}-{c.proj}-{c.env}-{c.region}"


def s3host(c, b):
    return f"{b}.s3.{c.region}.amazonaws.com"


def s3_add(c, out_bytes=0, in_bytes=0):
    r = c.r
    return {"SignatureVersion": "SigV4", "CipherSuite": "ECDHE-RSA-AES128-GCM-SHA256",
            "bytesTransferredIn": in_bytes, "AuthenticationMethod": "AuthHeader",
            "x-amz-id-2": base64.b64encode(r.getrandbits(8 * 57).to_bytes(57, "big")).decode(),
            "bytesTransferredOut": out_bytes}


def kms_key_arn(c, n=0):
    return f"arn:aws:kms:{c.region}:{c.acct}:key/{uuid_from(int(h16(c.proj, c.env, c.region, n, alphabet='0123456789abcdef', n=32), 16))}"


def res(c, typ, arn, acct=True):
    d = {"accountId": c.acct, "type": typ, "ARN": arn} if acct else {"type": typ, "ARN": arn}
    return d


def fn_name(c):
    return f"{c.proj}-{c.env}-{c.r.choice(['worker', 'api', 'consumer', 'cron', 'resize'])}"


def fn_arn(c, name):
    return f"arn:aws:lambda:{c.region}:{c.acct}:function:{name}"


def table(c):
    return f"{c.proj}-{c.env}-{c.r.choice(['items', 'sessions', 'events', 'locks'])}"


def table_arn(c, t):
    return f"arn:aws:dynamodb:{c.region}:{c.acct}:table/{t}"


def queue(c):
    return f"{c.proj}-{c.env}-{c.r.choice(['events', 'jobs', 'dlq', 'events.fifo'])}"


def topic_arn(c):
    return f"arn:aws:sns:{c.region}:{c.acct}:{c.proj}-{c.env}-{c.r.choice(['alerts', 'events', 'notifications'])}"


def role_arn_any(c):
    return f"arn:aws:iam::{c.acct}:role/{c.proj}-{c.env}-{c.r.choice(['deploy', 'readonly', 'cross-account', 'task'])}"


def instance_id(c):
    return "i-0" + "%016x" % c.r.getrandbits(64)


def subnet_id(c):
    return "subnet-0" + "%016x" % c.r.getrandbits(64)


def sg_id(c):
    return "sg-0" + "%016x" % c.r.getrandbits(64)


def ami(c):
    return "ami-0" + "%016x" % c.r.getrandbits(64)


def secret_arn(c):
    return f"arn:aws:secretsmanager:{c.region}:{c.acct}:secret:{c.env}/{c.proj}/{c.r.choice(['db', 'api-key', 'oauth'])}-{h16(c.proj, c.env, alphabet=ALNUM, n=6)}"


def ts_str(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def ts_long(t):
    return time.strftime("%b %d, %Y, %I:%M:%S %p", time.gmtime(t)).replace(" 0", " ")


def ecs_task(c):
    return "%032x" % c.r.getrandbits(128)


def s3_get(c):
    b = bucket(c)
    k = _key(c)
    return ({"bucketName": b, "Host": s3host(c, b), "key": k},
            [res(c, "AWS::S3::Object", f"arn:aws:s3:::{b}/{k}", False),
             res(c, "AWS::S3::Bucket", f"arn:aws:s3:::{b}")],
            None, s3_add(c, out_bytes=c.r.randint(200, 5_000_000)))


def s3_head(c):
    b = bucket(c)
    k = _key(c)
    return ({"bucketName": b, "Host": s3host(c, b), "key": k},
            [res(c, "AWS::S3::Object", f"arn:aws:s3:::{b}/{k}", False),
             res(c, "AWS::S3::Bucket", f"arn:aws:s3:::{b}")],
            None, s3_add(c))


def s3_put(c):
    b = bucket(c)
    k = _key(c)
    kid = kms_key_arn(c)
    return ({"bucketName": b, "Host": s3host(c, b), "key": k,
             "x-amz-server-side-encryption": "aws:kms",
             "x-amz-server-side-encryption-aws-kms-key-id": kid},
            [res(c, "AWS::S3::Object", f"arn:aws:s3:::{b}/{k}", False),
             res(c, "AWS::S3::Bucket", f"arn:aws:s3:::{b}")],
            {"x-amz-server-side-encryption-aws-kms-key-id": kid,
             "x-amz-server-side-encryption": "aws:kms",
             "x-amz-version-id": h16(c.r.random(), alphabet=ALNUM, n=32)},
            s3_add(c, in_bytes=c.r.randint(200, 5_000_000)))


def s3_list(c):
    b = bucket(c)
    return ({"list-type": "2", "bucketName": b, "encoding-type": "url", "max-keys": "1000",
             "prefix": f"{c.proj}/{c.r.choice(['in', 'out', 'archive'])}/", "delimiter": "/",
             "Host": s3host(c, b)},
            [res(c, "AWS::S3::Object", f"arn:aws:s3:::{b}/", False),
             res(c, "AWS::S3::Bucket", f"arn:aws:s3:::{b}")],
            None, s3_add(c, out_bytes=c.r.randint(300, 90000)))


def s3_bucket_mgmt(extra=None):
    def f(c):
        b = bucket(c)
        p = {"bucketName": b, "Host": s3host(c, b)}
        if extra:
            p[extra] = ""
        return (p, [res(c, "AWS::S3::Bucket", f"arn:aws:s3:::{b}")], None, s3_add(c, out_bytes=c.r.randint(100, 2000)))
    return f


def s3_listbuckets(c):
    return ({"Host": f"s3.{c.region}.amazonaws.com"}, None, None, s3_add(c, out_bytes=c.r.randint(500, 20000)))


def s3_copy(c):
    b = bucket(c)
    k = _key(c)
    src = f"{b}/{_key(c)}"
    return ({"bucketName": b, "Host": s3host(c, b), "key": k, "x-amz-copy-source": src},
            [res(c, "AWS::S3::Object", f"arn:aws:s3:::{b}/{k}", False),
             res(c, "AWS::S3::Object", f"arn:aws:s3:::{src}", False),
             res(c, "AWS::S3::Bucket", f"arn:aws:s3:::{b}")],
            None, s3_add(c))


def lam_invoke(c):
    a = fn_arn(c, fn_name(c))
    return ({"functionName": a, "invocationType": c.r.choice(["RequestResponse", "Event"])},
            [res(c, "AWS::Lambda::Function", a)], None, {"functionVersion": f"{a}:$LATEST"})


def lam_fn(c):
    n = fn_name(c)
    return ({"functionName": n}, None, None, None)


def lam_fn_config_resp(c, n):
    return {"functionName": n, "functionArn": fn_arn(c, n), "runtime": c.r.choice(["python3.12", "nodejs20.x", "java21", "provided.al2023"]),
            "role": f"arn:aws:iam::{c.acct}:role/{n}-role", "handler": "index.handler", "codeSize": c.r.randint(1000, 50_000_000),
            "description": "", "timeout": 30, "memorySize": c.r.choice([128, 256, 512, 1024]),
            "lastModified": ts_str(c.t).replace("Z", ".000+0000"), "codeSha256": base64.b64encode(c.r.getrandbits(256).to_bytes(32, "big")).decode(),
            "version": "$LATEST", "tracingConfig": {"mode": "PassThrough"}, "revisionId": uuid_from(c.r.getrandbits(128)),
            "state": "Active", "lastUpdateStatus": "InProgress", "packageType": "Zip", "architectures": ["x86_64"],
            "ephemeralStorage": {"size": 512}, "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
            "loggingConfig": {"logFormat": "Text", "logGroup": f"/aws/lambda/{n}"}}


def lam_update_code(c):
    n = fn_name(c)
    return ({"functionName": n, "s3Bucket": f"{c.acct}-artifacts-{c.region}", "s3Key": f"{n}/{h16(c.r.random(), n=12).lower()}.zip",
             "publish": False, "dryRun": False}, None, lam_fn_config_resp(c, n), None)


def lam_update_conf(c):
    n = fn_name(c)
    return ({"functionName": n, "environment": {}, "timeout": 30}, None, lam_fn_config_resp(c, n), None)


def cw_put(c):
    ns = c.r.choice([c.proj.capitalize() + "Service", "CWAgent", "Custom/" + c.proj])
    return ({"namespace": ns, "metricData": [
        {"metricName": c.r.choice(["Latency", "Errors", "Requests", "QueueDepth", "mem_used_percent"]),
         "dimensions": [{"name": "Service", "value": c.proj}, {"name": "Environment", "value": c.env}],
         "timestamp": ts_str(c.t), "value": round(c.r.random() * 100, 3), "unit": "Milliseconds"}]},
            None, None, None)


def cw_simple(c):
    return ({"alarmNames": [f"{c.proj}-{c.env}-high-latency"]}, None, None, None)


def cw_getmetric(c):
    return ({"metricDataQueries": [{"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2", "metricName": "CPUUtilization"}, "period": 300, "stat": "Average"}}],
             "startTime": ts_str(c.t - 3600), "endTime": ts_str(c.t)}, None, None, None)


def ec2_run(c):
    it = c.r.choice(INSTANCE_TYPES)
    iid = instance_id(c)
    sub = subnet_id(c)
    az = c.region + c.r.choice("abc")
    return ({"instancesSet": {"items": [{"imageId": ami(c), "minCount": 1, "maxCount": 1}]},
             "instanceType": it, "blockDeviceMapping": {}, "availabilityZone": az,
             "monitoring": {"enabled": False}, "disableApiTermination": False, "disableApiStop": False,
             "clientToken": uuid_from(c.r.getrandbits(128)),
             "networkInterfaceSet": {"items": [{"deviceIndex": 0, "subnetId": sub, "associatePublicIpAddress": False,
                                                "groupSet": {"items": [{"groupId": sg_id(c)}]}}]},
             "iamInstanceProfile": {"arn": f"arn:aws:iam::{c.acct}:instance-profile/{c.proj}-{c.env}"},
             "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": [
                 {"key": "Name", "value": f"{c.proj}-{c.env}"}, {"key": "env", "value": c.env}]}]}},
            None,
            {"requestId": uuid_from(c.r.getrandbits(128)), "reservationId": "r-0" + "%016x" % c.r.getrandbits(64),
             "ownerId": c.acct, "groupSet": {},
             "instancesSet": {"items": [{"instanceId": iid, "imageId": ami(c), "currentInstanceBootMode": "legacy-bios",
                                         "instanceState": {"code": 0, "name": "pending"}, "privateDnsName": f"ip-10-0-{c.r.randint(0, 255)}-{c.r.randint(0, 255)}.ec2.internal",
                                         "amiLaunchIndex": 0, "productCodes": {}, "instanceType": it,
                                         "launchTime": int(c.t * 1000), "placement": {"availabilityZone": az, "tenancy": "default"},
                                         "monitoring": {"state": "disabled"}, "subnetId": sub, "vpcId": "vpc-0" + "%016x" % c.r.getrandbits(64),
                                         "privateIpAddress": f"10.0.{c.r.randint(0, 255)}.{c.r.randint(0, 255)}",
                                         "stateReason": {"code": "pending", "message": "pending"}, "architecture": "x86_64",
                                         "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
                                         "virtualizationType": "hvm", "hypervisor": "xen", "clientToken": uuid_from(c.r.getrandbits(128)),
                                         "sourceDestCheck": True, "ebsOptimized": False, "enaSupport": True,
                                         "cpuOptions": {"coreCount": 1, "threadsPerCore": 2},
                                         "capacityReservationSpecification": {"capacityReservationPreference": "open"},
                                         "enclaveOptions": {"enabled": False},
                                         "metadataOptions": {"state": "pending", "httpTokens": "required", "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"},
                                         "maintenanceOptions": {"autoRecovery": "default"}}]}},
            None)


def ec2_describe_instances(c):
    return ({"instancesSet": {}, "filterSet": {"items": [{"name": "tag:Name", "valueSet": {"items": [{"value": f"{c.proj}-{c.env}"}]}},
                                                         {"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}}]}},
            None, None, None)


def ec2_ids(key):
    def f(c):
        return ({key: {"items": [{"instanceId": instance_id(c)}]}}, None, None, None)
    return f


def ec2_filter(c):
    return ({"filterSet": {"items": [{"name": "vpc-id", "valueSet": {"items": [{"value": "vpc-0" + "%016x" % c.r.getrandbits(64)}]}}]}}, None, None, None)


def ec2_tags(c):
    return ({"resourcesSet": {"items": [{"resourceId": instance_id(c)}]},
             "tagSet": {"items": [{"key": "owner", "value": c.proj}]}}, None, {"requestId": uuid_from(c.r.getrandbits(128)), "_return": True}, None)


def ec2_eni(c):
    return ({"subnetId": subnet_id(c), "description": f"arn:aws:ecs:{c.region}:{c.acct}:attachment/{uuid_from(c.r.getrandbits(128))}",
             "groupSet": {"items": [{"groupId": sg_id(c)}]}, "privateIpAddressesSet": {}, "ipv6AddressCount": 0,
             "clientToken": uuid_from(c.r.getrandbits(128))}, None, None, None)


def ec2_sg_ingress(c):
    return ({"groupId": sg_id(c), "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
                                                               "groups": {}, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/16"}]},
                                                               "ipv6Ranges": {}, "prefixListIds": {}}]}},
            None, {"requestId": uuid_from(c.r.getrandbits(128)), "_return": True}, None)


def sts_assume(c):
    ra = role_arn_any(c)
    sn = c.r.choice([f"{c.proj}-{c.r.randint(1000, 9999)}", f"botocore-session-{int(c.t) - c.r.randint(0, 3600)}", "GitHubActions", "terraform"])
    return ({"roleArn": ra, "roleSessionName": sn, "durationSeconds": 3600},
            [res(c, "AWS::IAM::Role", ra)],
            {"credentials": {"accessKeyId": "ASIA" + h16(c.r.random()), "sessionToken": base64.b64encode(c.r.getrandbits(8 * 96).to_bytes(96, "big")).decode(),
                             "expiration": ts_long(c.t + 3600)},
             "assumedRoleUser": {"assumedRoleId": "AROA" + h16(ra, n=17) + ":" + sn, "arn": ra.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/" + sn}},
            None)


def sts_web(c):
    r, sn = sts_assume(c)[0]["roleArn"], "botocore-session-%d" % int(c.t)
    return ({"roleArn": r, "roleSessionName": sn, "durationSeconds": 3600},
            [res(c, "AWS::IAM::Role", r)],
            {"subjectFromWebIdentityToken": f"system:serviceaccount:{c.proj}:{c.proj}-sa", "provider": f"arn:aws:iam::{c.acct}:oidc-provider/oidc.eks.{c.region}.amazonaws.com/id/{h16(c.proj, n=32)}",
             "audience": "sts.amazonaws.com"}, None)


def none_params(c):
    return (None, None, None, None)


def kms_decrypt(c):
    k = kms_key_arn(c)
    if c.r.random() < 0.6:
        ctx = {"aws:s3:arn": f"arn:aws:s3:::{bucket(c)}/{_key(c)}"}
    else:
        ctx = {"SecretARN": secret_arn(c), "SecretVersionId": uuid_from(c.r.getrandbits(128))}
    return ({"encryptionAlgorithm": "SYMMETRIC_DEFAULT", "encryptionContext": ctx}, [res(c, "AWS::KMS::Key", k)], None, None)


def kms_gen(c):
    k = kms_key_arn(c)
    return ({"keyId": k, "encryptionContext": {"aws:s3:arn": f"arn:aws:s3:::{bucket(c)}/{_key(c)}"}, "keySpec": "AES_256"},
            [res(c, "AWS::KMS::Key", k)], None, None)


def kms_key(c):
    k = kms_key_arn(c)
    return ({"keyId": k}, [res(c, "AWS::KMS::Key", k)], None, None)


def ddb_item(kind):
    def f(c):
        t = table(c)
        p = {"tableName": t, "key": {"pk": HIDDEN, "sk": HIDDEN}}
        if kind == "put":
            p = {"tableName": t, "item": HIDDEN, "conditionExpression": "attribute_not_exists(pk)", "returnValues": "NONE"}
        elif kind == "query":
            p = {"tableName": t, "indexName": "gsi1", "keyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
                 "expressionAttributeNames": {"#pk": "pk", "#sk": "sk"}, "expressionAttributeValues": HIDDEN, "limit": 100}
        elif kind == "update":
            p = {"tableName": t, "key": {"pk": HIDDEN}, "updateExpression": "SET #s = :s, #u = :u",
                 "expressionAttributeNames": {"#s": "status", "#u": "updatedAt"}, "expressionAttributeValues": HIDDEN, "returnValues": "ALL_NEW"}
        elif kind == "scan":
            p = {"tableName": t, "limit": 1000}
        elif kind == "batch":
            p = {"requestItems": HIDDEN, "returnConsumedCapacity": "TOTAL"}
        return (p, [res(c, "AWS::DynamoDB::Table", table_arn(c, t))], None, None)
    return f


def ddb_mgmt(c):
    t = table(c)
    return ({"tableName": t}, [res(c, "AWS::DynamoDB::Table", table_arn(c, t))], None, None)


def sqs_msg(kind):
    def f(c):
        q = queue(c)
        url = f"https://sqs.{c.region}.amazonaws.com/{c.acct}/{q}"
        if kind == "send":
            p = {"queueUrl": url, "messageBody": HIDDEN, "messageAttributes": HIDDEN}
            resp = {"mD5OfMessageBody": "%032x" % c.r.getrandbits(128), "mD5OfMessageAttributes": "%032x" % c.r.getrandbits(128),
                    "messageId": uuid_from(c.r.getrandbits(128))}
        elif kind == "recv":
            p = {"queueUrl": url, "maxNumberOfMessages": 10, "waitTimeSeconds": 20, "attributeNames": ["All"], "messageAttributeNames": ["All"]}
            resp = None
        elif kind == "del":
            p = {"queueUrl": url, "receiptHandle": HIDDEN}
            resp = None
        else:
            p = {"queueUrl": url, "attributeNames": ["All"]}
            resp = None
        return (p, [res(c, "AWS::SQS::Queue", f"arn:aws:sqs:{c.region}:{c.acct}:{q}")], resp, None)
    return f


def sqs_url(c):
    return ({"queueName": queue(c)}, None, None, None)


def sns_pub(c):
    t = topic_arn(c)
    return ({"topicArn": t, "message": HIDDEN, "messageAttributes": HIDDEN}, [res(c, "AWS::SNS::Topic", t)],
            {"messageId": uuid_from(c.r.getrandbits(128))}, None)


def sns_topic(c):
    return ({"topicArn": topic_arn(c)}, None, None, None)


def logs_stream(c):
    return ({"logGroupName": f"/ecs/{c.proj}-{c.env}", "logStreamName": f"ecs/{c.proj}/{ecs_task(c)}"}, None, None, None)


def logs_group(c):
    return ({"logGroupName": f"/aws/lambda/{c.proj}-{c.env}-worker"}, None, None, None)


def logs_filter(c):
    return ({"logGroupName": f"/ecs/{c.proj}-{c.env}", "startTime": int(c.t - 3600) * 1000, "endTime": int(c.t) * 1000,
             "filterPattern": "ERROR", "interleaved": True}, None, None, None)


def logs_query(c):
    return ({"logGroupNames": [f"/ecs/{c.proj}-{c.env}"], "startTime": int(c.t - 86400), "endTime": int(c.t),
             "queryString": "fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 100"},
            None, {"queryId": uuid_from(c.r.getrandbits(128))}, None)


def ecr_repo(c):
    return f"arn:aws:ecr:{c.region}:{c.acct}:repository/{c.proj}"


def ecr_images(c):
    return ({"imageIds": [{"imageTag": f"v1.{c.r.randint(0, 40)}.{c.r.randint(0, 9)}"}],
             "acceptedMediaTypes": ["application/vnd.docker.distribution.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
                                    "application/vnd.oci.image.manifest.v1+json"],
             "repositoryName": c.proj, "registryId": c.acct}, [res(c, None, ecr_repo(c))], None, None)


def ecr_layer(c):
    return ({"repositoryName": c.proj, "registryId": c.acct, "layerDigest": "sha256:%064x" % c.r.getrandbits(256)},
            [res(c, None, ecr_repo(c))], None, None)


def ecr_desc(c):
    return ({"repositoryNames": [c.proj], "registryId": c.acct}, [res(c, None, ecr_repo(c))], None, None)


def ecr_put(c):
    return ({"repositoryName": c.proj, "registryId": c.acct, "imageTag": f"v1.{c.r.randint(0, 40)}.{c.r.randint(0, 9)}",
             "imageManifest": HIDDEN}, [res(c, None, ecr_repo(c))],
            {"image": {"registryId": c.acct, "repositoryName": c.proj, "imageId": {"imageDigest": "sha256:%064x" % c.r.getrandbits(256)}}}, None)


def ssm_param(c):
    return ({"name": f"/{c.env}/{c.proj}/{c.r.choice(['db_host', 'feature_flags', 'api_url', 'log_level'])}", "withDecryption": True}, None, None, None)


def ssm_params(c):
    return ({"names": [f"/{c.env}/{c.proj}/db_host", f"/{c.env}/{c.proj}/db_port"], "withDecryption": True}, None, None, None)


def ssm_path(c):
    return ({"path": f"/{c.env}/{c.proj}/", "recursive": True, "withDecryption": True}, None, None, None)


def ssm_put(c):
    return ({"name": f"/{c.env}/{c.proj}/deploy_version", "type": "String", "value": HIDDEN, "overwrite": True}, None,
            {"version": c.r.randint(1, 400), "tier": "Standard"}, None)


def ssm_instance(c):
    return ({"instanceId": instance_id(c), "agentVersion": "3.2.1705.0", "agentStatus": "Active", "platformType": "Linux",
             "platformName": "Amazon Linux", "platformVersion": "2023", "iPAddress": f"10.0.{c.r.randint(0, 255)}.{c.r.randint(0, 255)}",
             "computerName": f"ip-10-0-{c.r.randint(0, 255)}-{c.r.randint(0, 255)}.ec2.internal", "agentName": "amazon-ssm-agent",
             "availabilityZone": c.region + "a", "availabilityZoneId": "use1-az1"}, None, None, None)


def ssm_send(c):
    return ({"instanceIds": [instance_id(c)], "documentName": "AWS-RunShellScript", "parameters": HIDDEN,
             "interactive": False}, None, None, None)


def sm_get(c):
    return ({"secretId": secret_arn(c)}, None, None, None)


def sm_put(c):
    return ({"secretId": secret_arn(c), "clientRequestToken": uuid_from(c.r.getrandbits(128))}, None,
            {"arn": secret_arn(c), "versionId": uuid_from(c.r.getrandbits(128)), "versionStages": ["AWSCURRENT"]}, None)


def cfn_stack(c):
    return f"arn:aws:cloudformation:{c.region}:{c.acct}:stack/{c.proj}-{c.env}/{uuid_from(int(h16(c.proj, c.env, c.region, alphabet='0123456789abcdef', n=32), 16))}"


def cfn_desc(c):
    return ({"stackName": cfn_stack(c)}, None, None, None)


def cfn_changeset(c):
    return ({"stackName": f"{c.proj}-{c.env}", "templateURL": f"https://s3.{c.region}.amazonaws.com/cdk-hnb659fds-assets-{c.acct}-{c.region}/{'%064x' % c.r.getrandbits(256)}.json",
             "parameters": [{"parameterKey": "BootstrapVersion", "parameterValue": "/cdk-bootstrap/hnb659fds/version"}],
             "capabilities": ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
             "roleARN": f"arn:aws:iam::{c.acct}:role/cdk-hnb659fds-cfn-exec-role-{c.acct}-{c.region}",
             "tags": [{"key": "project", "value": c.proj}], "changeSetName": f"cdk-deploy-change-set", "changeSetType": "UPDATE",
             "description": f"CDK Changeset for execution {uuid_from(c.r.getrandbits(128))}"}, None,
            {"id": f"arn:aws:cloudformation:{c.region}:{c.acct}:changeSet/cdk-deploy-change-set/{uuid_from(c.r.getrandbits(128))}",
             "stackId": cfn_stack(c)}, None)


def iam_role(c):
    return ({"roleName": f"{c.proj}-{c.env}-{c.r.choice(['task', 'deploy', 'lambda'])}"}, None, None, None)


def iam_policy(c):
    return ({"policyArn": f"arn:aws:iam::{c.acct}:policy/{c.proj}-{c.env}-access", "versionId": f"v{c.r.randint(1, 5)}"}, None, None, None)


def iam_put_role_policy(c):
    return ({"roleName": f"{c.proj}-{c.env}-task", "policyName": f"{c.proj}-inline",
             "policyDocument": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{bucket(c)}/*"]}]})},
            None, None, None)


def iam_user(c):
    return ({"userName": c.r.choice(FIRST_NAMES)}, None, None, None)


def elb_tg(c):
    return f"arn:aws:elasticloadbalancing:{c.region}:{c.acct}:targetgroup/{c.proj}-{c.env}/{'%016x' % c.r.getrandbits(64)}"


def elb_desc(c):
    return ({"targetGroupArn": elb_tg(c)}, None, None, None)


def elb_targets(c):
    return ({"targetGroupArn": elb_tg(c), "targets": [{"id": f"10.0.{c.r.randint(0, 255)}.{c.r.randint(0, 255)}", "port": 8080}]}, None, None, None)


def asg(c):
    return ({"autoScalingGroupNames": [f"{c.proj}-{c.env}-asg"]}, None, None, None)


def asg_update(c):
    return ({"autoScalingGroupName": f"{c.proj}-{c.env}-asg", "desiredCapacity": c.r.randint(1, 20)}, None, None, None)


def asg_lifecycle(c):
    return ({"lifecycleHookName": "drain", "autoScalingGroupName": f"{c.proj}-{c.env}-asg", "lifecycleActionResult": "CONTINUE",
             "instanceId": instance_id(c)}, None, None, None)


def ecs_cluster(c):
    return f"arn:aws:ecs:{c.region}:{c.acct}:cluster/{c.env}"


def ecs_desc(c):
    return ({"cluster": ecs_cluster(c), "services": [f"{c.proj}-{c.env}"]}, None, None, None)


def ecs_update(c):
    return ({"cluster": ecs_cluster(c), "service": f"{c.proj}-{c.env}", "taskDefinition": f"{c.proj}-{c.env}:{c.r.randint(1, 300)}",
             "forceNewDeployment": False}, None, None, None)


def ecs_register(c):
    return ({"family": f"{c.proj}-{c.env}", "taskRoleArn": f"arn:aws:iam::{c.acct}:role/{c.proj}-{c.env}-task",
             "executionRoleArn": f"arn:aws:iam::{c.acct}:role/ecsTaskExecutionRole", "networkMode": "awsvpc",
             "containerDefinitions": [{"name": c.proj, "image": f"{c.acct}.dkr.ecr.{c.region}.amazonaws.com/{c.proj}:v1.{c.r.randint(0, 40)}.0",
                                       "cpu": 0, "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                                       "essential": True, "environment": [], "mountPoints": [], "volumesFrom": [],
                                       "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": f"/ecs/{c.proj}-{c.env}", "awslogs-region": c.region, "awslogs-stream-prefix": "ecs"}}}],
             "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024"}, None, None, None)


def ecs_tasks(c):
    return ({"cluster": ecs_cluster(c), "tasks": [f"arn:aws:ecs:{c.region}:{c.acct}:task/{c.env}/{ecs_task(c)}"]}, None, None, None)


def ecs_state(c):
    return ({"cluster": c.env, "task": ecs_task(c), "status": "RUNNING", "reason": "", "containers": [], "attachments": []}, None,
            {"acknowledgment": "ACK"}, None)


def eks_desc(c):
    return ({"name": f"{c.env}-eks"}, None, None, None)


def rds_desc(c):
    return ({"dBInstanceIdentifier": f"{c.proj}-{c.env}-db"}, None, None, None)


def rds_snap(c):
    return ({"dBSnapshotIdentifier": f"{c.proj}-{c.env}-{int(c.t)}", "dBInstanceIdentifier": f"{c.proj}-{c.env}-db"}, None, None, None)


def r53_zone(c):
    return ({"hostedZoneId": "Z0" + h16(c.proj, n=18)}, None, None, None)


def r53_change(c):
    return ({"hostedZoneId": "Z0" + h16(c.proj, n=18), "changeBatch": {"changes": [{"action": "UPSERT", "resourceRecordSet": {
        "name": f"{c.proj}.example.com", "type": "CNAME", "tTL": 300, "resourceRecords": [{"value": f"{c.proj}-{c.env}.elb.amazonaws.com"}]}}]}},
            None, {"changeInfo": {"id": "/change/C0" + h16(c.r.random(), n=18), "status": "PENDING", "submittedAt": ts_long(c.t)}}, None)


def cf_dist(c):
    return ({"id": "E" + h16(c.proj, n=13)}, None, None, None)


def cf_inval(c):
    return ({"distributionId": "E" + h16(c.proj, n=13), "invalidationBatch": {"paths": {"quantity": 1, "items": ["/*"]},
                                                                               "callerReference": str(int(c.t * 1000))}}, None,
            {"location": "https://cloudfront.amazonaws.com/2020-05-31/distribution/E/invalidation/I" + h16(c.r.random(), n=13)}, None)


def sfn_arn(c):
    return f"arn:aws:states:{c.region}:{c.acct}:stateMachine:{c.proj}-{c.env}-workflow"


def sfn_start(c):
    a = sfn_arn(c)
    return ({"stateMachineArn": a, "name": uuid_from(c.r.getrandbits(128)), "input": HIDDEN}, None,
            {"executionArn": a.replace(":stateMachine:", ":execution:") + ":" + uuid_from(c.r.getrandbits(128)), "startDate": ts_long(c.t)}, None)


def sfn_desc(c):
    return ({"executionArn": sfn_arn(c).replace(":stateMachine:", ":execution:") + ":" + uuid_from(c.r.getrandbits(128))}, None, None, None)


def ev_put(c):
    return ({"entries": [{"source": f"com.example.{c.proj}", "detailType": "OrderCreated", "detail": HIDDEN,
                          "eventBusName": f"{c.env}-bus"}]}, None, {"failedEntryCount": 0, "entries": [{"eventId": uuid_from(c.r.getrandbits(128))}]}, None)


def ev_rule(c):
    return ({"name": f"{c.proj}-{c.env}-schedule", "eventBusName": "default"}, None, None, None)


def kin_stream(c):
    return ({"streamName": f"{c.proj}-{c.env}-stream"}, None, None, None)


def fh_put(c):
    return ({"deliveryStreamName": f"{c.proj}-{c.env}-firehose", "records": HIDDEN}, None, None, None)


def athena_start(c):
    return ({"queryString": f"SELECT * FROM {c.proj}.events WHERE dt = '2024-01-01' LIMIT 100", "clientRequestToken": uuid_from(c.r.getrandbits(128)),
             "queryExecutionContext": {"database": c.proj}, "workGroup": "primary"}, None, {"queryExecutionId": uuid_from(c.r.getrandbits(128))}, None)


def athena_get(c):
    return ({"queryExecutionId": uuid_from(c.r.getrandbits(128))}, None, None, None)


def glue_table(c):
    return ({"catalogId": c.acct, "databaseName": c.proj, "name": "events"}, None, None, None)


def glue_job(c):
    return ({"jobName": f"{c.proj}-{c.env}-etl", "arguments": HIDDEN}, None, {"jobRunId": "jr_" + "%064x" % c.r.getrandbits(256)}, None)


def simple(key, val):
    def f(c):
        return ({key: val(c)}, None, None, None)
    return f


def signin(c):
    return (None, None, {"ConsoleLogin": "Success"}, {"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                                                      "MobileVersion": "No", "MFAIdentifier": f"arn:aws:iam::{c.acct}:mfa/{c.p.name}", "MFAUsed": "Yes"})


def ses_send(c):
    return ({"source": f"no-reply@{c.proj}.example.com", "destination": HIDDEN, "message": HIDDEN}, None,
            {"messageId": "0100018c" + "%032x" % c.r.getrandbits(128) + "-000000"}, None)


def apigw(c):
    return ({"restApiId": h16(c.proj, n=10).lower()}, None, None, None)


# (source, name, readOnly, category, builder, iam actions)
S3, LAM, CW, EC2, STS, KMS, DDB, SQS, SNS, LOGS, ECR, SSM, SM, CFN, IAM = (
    "s3.amazonaws.com", "lambda.amazonaws.com", "monitoring.amazonaws.com", "ec2.amazonaws.com", "sts.amazonaws.com",
    "kms.amazonaws.com", "dynamodb.amazonaws.com", "sqs.amazonaws.com", "sns.amazonaws.com", "logs.amazonaws.com",
    "ecr.amazonaws.com", "ssm.amazonaws.com", "secretsmanager.amazonaws.com", "cloudformation.amazonaws.com", "iam.amazonaws.com")
D, M = "Data", "Management"

CATALOG = [
    (S3, "GetObject", True, D, s3_get, ["s3:GetObject"]),
    (S3, "HeadObject", True, D, s3_head, ["s3:GetObject"]),
    (S3, "PutObject", False, D, s3_put, ["s3:PutObject"]),
    (S3, "ListObjects", True, D, s3_list, ["s3:ListBucket"]),
    (S3, "DeleteObject", False, D, s3_head, ["s3:DeleteObject"]),
    (S3, "CopyObject", False, D, s3_copy, ["s3:PutObject", "s3:GetObject"]),
    (S3, "CreateMultipartUpload", False, D, s3_head, ["s3:PutObject"]),
    (S3, "UploadPart", False, D, s3_head, ["s3:PutObject"]),
    (S3, "CompleteMultipartUpload", False, D, s3_head, ["s3:PutObject"]),
    (S3, "ListBuckets", True, M, s3_listbuckets, ["s3:ListAllMyBuckets"]),
    (S3, "GetBucketLocation", True, M, s3_bucket_mgmt("location"), ["s3:GetBucketLocation"]),
    (S3, "GetBucketPolicy", True, M, s3_bucket_mgmt("policy"), ["s3:GetBucketPolicy"]),
    (S3, "GetBucketAcl", True, M, s3_bucket_mgmt("acl"), ["s3:GetBucketAcl"]),
    (S3, "GetBucketVersioning", True, M, s3_bucket_mgmt("versioning"), ["s3:GetBucketVersioning"]),
    (S3, "GetBucketEncryption", True, M, s3_bucket_mgmt("encryption"), ["s3:GetEncryptionConfiguration"]),
    (S3, "PutBucketPolicy", False, M, s3_bucket_mgmt("policy"), ["s3:PutBucketPolicy"]),
    (S3, "HeadBucket", True, M, s3_bucket_mgmt(), ["s3:ListBucket"]),
    (LAM, "Invoke", False, D, lam_invoke, ["lambda:InvokeFunction"]),
    (LAM, "GetFunction20150331v2", True, M, lam_fn, ["lambda:GetFunction"]),
    (LAM, "GetFunctionConfiguration20150331v2", True, M, lam_fn, ["lambda:GetFunctionConfiguration"]),
    (LAM, "UpdateFunctionCode20150331v2", False, M, lam_update_code, ["lambda:UpdateFunctionCode"]),
    (LAM, "UpdateFunctionConfiguration20150331v2", False, M, lam_update_conf, ["lambda:UpdateFunctionConfiguration"]),
    (LAM, "ListFunctions20150331", True, M, none_params, ["lambda:ListFunctions"]),
    (LAM, "PublishVersion20150331", False, M, lam_fn, ["lambda:PublishVersion"]),
    (LAM, "ListTags20170331", True, M, lam_fn, ["lambda:ListTags"]),
    (LAM, "GetPolicy20150331v2", True, M, lam_fn, ["lambda:GetPolicy"]),
    (LAM, "ListVersionsByFunction20150331", True, M, lam_fn, ["lambda:ListVersionsByFunction"]),
    (LAM, "AddPermission20150331v2", False, M, lam_fn, ["lambda:AddPermission"]),
    (CW, "PutMetricData", False, M, cw_put, ["cloudwatch:PutMetricData"]),
    (CW, "GetMetricData", True, M, cw_getmetric, ["cloudwatch:GetMetricData"]),
    (CW, "DescribeAlarms", True, M, cw_simple, ["cloudwatch:DescribeAlarms"]),
    (CW, "PutMetricAlarm", False, M, cw_simple, ["cloudwatch:PutMetricAlarm"]),
    (CW, "ListMetrics", True, M, none_params, ["cloudwatch:ListMetrics"]),
    (CW, "GetMetricStatistics", True, M, cw_getmetric, ["cloudwatch:GetMetricStatistics"]),
    (EC2, "RunInstances", False, M, ec2_run, ["ec2:RunInstances"]),
    (EC2, "DescribeInstances", True, M, ec2_describe_instances, ["ec2:DescribeInstances"]),
    (EC2, "DescribeSecurityGroups", True, M, ec2_filter, ["ec2:DescribeSecurityGroups"]),
    (EC2, "DescribeSubnets", True, M, ec2_filter, ["ec2:DescribeSubnets"]),
    (EC2, "DescribeVpcs", True, M, ec2_filter, ["ec2:DescribeVpcs"]),
    (EC2, "DescribeImages", True, M, ec2_filter, ["ec2:DescribeImages"]),
    (EC2, "DescribeVolumes", True, M, ec2_filter, ["ec2:DescribeVolumes"]),
    (EC2, "DescribeNetworkInterfaces", True, M, ec2_filter, ["ec2:DescribeNetworkInterfaces"]),
    (EC2, "CreateTags", False, M, ec2_tags, ["ec2:CreateTags"]),
    (EC2, "TerminateInstances", False, M, ec2_ids("instancesSet"), ["ec2:TerminateInstances"]),
    (EC2, "StartInstances", False, M, ec2_ids("instancesSet"), ["ec2:StartInstances"]),
    (EC2, "StopInstances", False, M, ec2_ids("instancesSet"), ["ec2:StopInstances"]),
    (EC2, "CreateNetworkInterface", False, M, ec2_eni, ["ec2:CreateNetworkInterface"]),
    (EC2, "DeleteNetworkInterface", False, M, simple("networkInterfaceId", lambda c: "eni-0" + "%016x" % c.r.getrandbits(64)), ["ec2:DeleteNetworkInterface"]),
    (EC2, "AuthorizeSecurityGroupIngress", False, M, ec2_sg_ingress, ["ec2:AuthorizeSecurityGroupIngress"]),
    (STS, "AssumeRole", True, M, sts_assume, ["sts:AssumeRole"]),
    (STS, "GetCallerIdentity", True, M, none_params, []),
    (STS, "AssumeRoleWithWebIdentity", True, M, sts_web, []),
    (STS, "GetSessionToken", True, M, none_params, []),
    (KMS, "Decrypt", True, M, kms_decrypt, ["kms:Decrypt"]),
    (KMS, "Encrypt", True, M, kms_key, ["kms:Encrypt"]),
    (KMS, "GenerateDataKey", True, M, kms_gen, ["kms:GenerateDataKey"]),
    (KMS, "DescribeKey", True, M, kms_key, ["kms:DescribeKey"]),
    (KMS, "ListAliases", True, M, none_params, ["kms:ListAliases"]),
    (KMS, "ReEncrypt", True, M, kms_key, ["kms:ReEncryptFrom", "kms:ReEncryptTo"]),
    (DDB, "GetItem", True, D, ddb_item("get"), ["dynamodb:GetItem"]),
    (DDB, "PutItem", False, D, ddb_item("put"), ["dynamodb:PutItem"]),
    (DDB, "Query", True, D, ddb_item("query"), ["dynamodb:Query"]),
    (DDB, "UpdateItem", False, D, ddb_item("update"), ["dynamodb:UpdateItem"]),
    (DDB, "DeleteItem", False, D, ddb_item("get"), ["dynamodb:DeleteItem"]),
    (DDB, "Scan", True, D, ddb_item("scan"), ["dynamodb:Scan"]),
    (DDB, "BatchWriteItem", False, D, ddb_item("batch"), ["dynamodb:BatchWriteItem"]),
    (DDB, "DescribeTable", True, M, ddb_mgmt, ["dynamodb:DescribeTable"]),
    (DDB, "ListTables", True, M, none_params, ["dynamodb:ListTables"]),
    (SQS, "SendMessage", False, D, sqs_msg("send"), ["sqs:SendMessage"]),
    (SQS, "ReceiveMessage", False, D, sqs_msg("recv"), ["sqs:ReceiveMessage"]),
    (SQS, "DeleteMessage", False, D, sqs_msg("del"), ["sqs:DeleteMessage"]),
    (SQS, "GetQueueAttributes", True, M, sqs_msg("attr"), ["sqs:GetQueueAttributes"]),
    (SQS, "GetQueueUrl", True, M, sqs_url, ["sqs:GetQueueUrl"]),
    (SQS, "ListQueues", True, M, none_params, ["sqs:ListQueues"]),
    (SNS, "Publish", False, D, sns_pub, ["sns:Publish"]),
    (SNS, "ListTopics", True, M, none_params, ["sns:ListTopics"]),
    (SNS, "GetTopicAttributes", True, M, sns_topic, ["sns:GetTopicAttributes"]),
    (SNS, "Subscribe", False, M, sns_topic, ["sns:Subscribe"]),
    (LOGS, "CreateLogStream", False, M, logs_stream, ["logs:CreateLogStream"]),
    (LOGS, "CreateLogGroup", False, M, logs_group, ["logs:CreateLogGroup"]),
    (LOGS, "DescribeLogGroups", True, M, none_params, ["logs:DescribeLogGroups"]),
    (LOGS, "DescribeLogStreams", True, M, logs_group, ["logs:DescribeLogStreams"]),
    (LOGS, "FilterLogEvents", True, M, logs_filter, ["logs:FilterLogEvents"]),
    (LOGS, "GetLogEvents", True, M, logs_stream, ["logs:GetLogEvents"]),
    (LOGS, "StartQuery", True, M, logs_query, ["logs:StartQuery"]),
    (LOGS, "PutRetentionPolicy", False, M, logs_group, ["logs:PutRetentionPolicy"]),
    (ECR, "GetAuthorizationToken", True, M, none_params, ["ecr:GetAuthorizationToken"]),
    (ECR, "BatchGetImage", True, M, ecr_images, ["ecr:BatchGetImage"]),
    (ECR, "GetDownloadUrlForLayer", True, M, ecr_layer, ["ecr:GetDownloadUrlForLayer"]),
    (ECR, "BatchCheckLayerAvailability", True, M, ecr_layer, ["ecr:BatchCheckLayerAvailability"]),
    (ECR, "DescribeImages", True, M, ecr_desc, ["ecr:DescribeImages"]),
    (ECR, "DescribeRepositories", True, M, ecr_desc, ["ecr:DescribeRepositories"]),
    (ECR, "PutImage", False, M, ecr_put, ["ecr:PutImage"]),
    (ECR, "InitiateLayerUpload", False, M, ecr_desc, ["ecr:InitiateLayerUpload"]),
    (SSM, "GetParameter", True, M, ssm_param, ["ssm:GetParameter"]),
    (SSM, "GetParameters", True, M, ssm_params, ["ssm:GetParameters"]),
    (SSM, "GetParametersByPath", True, M, ssm_path, ["ssm:GetParametersByPath"]),
    (SSM, "PutParameter", False, M, ssm_put, ["ssm:PutParameter"]),
    (SSM, "DescribeParameters", True, M, none_params, ["ssm:DescribeParameters"]),
    (SSM, "UpdateInstanceInformation", False, M, ssm_instance, ["ssm:UpdateInstanceInformation"]),
    (SSM, "SendCommand", False, M, ssm_send, ["ssm:SendCommand"]),
    (SM, "GetSecretValue", True, M, sm_get, ["secretsmanager:GetSecretValue"]),
    (SM, "DescribeSecret", True, M, sm_get, ["secretsmanager:DescribeSecret"]),
    (SM, "ListSecrets", True, M, none_params, ["secretsmanager:ListSecrets"]),
    (SM, "PutSecretValue", False, M, sm_put, ["secretsmanager:PutSecretValue"]),
    (CFN, "DescribeStacks", True, M, cfn_desc, ["cloudformation:DescribeStacks"]),
    (CFN, "DescribeStackEvents", True, M, cfn_desc, ["cloudformation:DescribeStackEvents"]),
    (CFN, "DescribeStackResources", True, M, cfn_desc, ["cloudformation:DescribeStackResources"]),
    (CFN, "GetTemplate", True, M, cfn_desc, ["cloudformation:GetTemplate"]),
    (CFN, "CreateChangeSet", False, M, cfn_changeset, ["cloudformation:CreateChangeSet"]),
    (CFN, "DescribeChangeSet", True, M, cfn_desc, ["cloudformation:DescribeChangeSet"]),
    (CFN, "ExecuteChangeSet", False, M, cfn_desc, ["cloudformation:ExecuteChangeSet"]),
    (CFN, "ListStacks", True, M, none_params, ["cloudformation:ListStacks"]),
    (IAM, "GetRole", True, M, iam_role, ["iam:GetRole"]),
    (IAM, "ListRoles", True, M, none_params, ["iam:ListRoles"]),
    (IAM, "ListAttachedRolePolicies", True, M, iam_role, ["iam:ListAttachedRolePolicies"]),
    (IAM, "GetPolicy", True, M, iam_policy, ["iam:GetPolicy"]),
    (IAM, "GetPolicyVersion", True, M, iam_policy, ["iam:GetPolicyVersion"]),
    (IAM, "PutRolePolicy", False, M, iam_put_role_policy, ["iam:PutRolePolicy"]),
    (IAM, "AttachRolePolicy", False, M, iam_policy, ["iam:AttachRolePolicy"]),
    (IAM, "ListUsers", True, M, none_params, ["iam:ListUsers"]),
    (IAM, "GetUser", True, M, iam_user, ["iam:GetUser"]),
    (IAM, "ListAccessKeys", True, M, iam_user, ["iam:ListAccessKeys"]),
    (IAM, "CreateAccessKey", False, M, iam_user, ["iam:CreateAccessKey"]),
    ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", True, M, none_params, ["elasticloadbalancing:DescribeLoadBalancers"]),
    ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", True, M, elb_desc, ["elasticloadbalancing:DescribeTargetGroups"]),
    ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", True, M, elb_desc, ["elasticloadbalancing:DescribeTargetHealth"]),
    ("elasticloadbalancing.amazonaws.com", "RegisterTargets", False, M, elb_targets, ["elasticloadbalancing:RegisterTargets"]),
    ("elasticloadbalancing.amazonaws.com", "DeregisterTargets", False, M, elb_targets, ["elasticloadbalancing:DeregisterTargets"]),
    ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", True, M, asg, ["autoscaling:DescribeAutoScalingGroups"]),
    ("autoscaling.amazonaws.com", "UpdateAutoScalingGroup", False, M, asg_update, ["autoscaling:UpdateAutoScalingGroup"]),
    ("autoscaling.amazonaws.com", "SetDesiredCapacity", False, M, asg_update, ["autoscaling:SetDesiredCapacity"]),
    ("autoscaling.amazonaws.com", "CompleteLifecycleAction", False, M, asg_lifecycle, ["autoscaling:CompleteLifecycleAction"]),
    ("ecs.amazonaws.com", "DescribeServices", True, M, ecs_desc, ["ecs:DescribeServices"]),
    ("ecs.amazonaws.com", "UpdateService", False, M, ecs_update, ["ecs:UpdateService"]),
    ("ecs.amazonaws.com", "RegisterTaskDefinition", False, M, ecs_register, ["ecs:RegisterTaskDefinition"]),
    ("ecs.amazonaws.com", "DescribeTasks", True, M, ecs_tasks, ["ecs:DescribeTasks"]),
    ("ecs.amazonaws.com", "SubmitTaskStateChange", False, M, ecs_state, ["ecs:SubmitTaskStateChange"]),
    ("ecs.amazonaws.com", "DiscoverPollEndpoint", True, M, simple("cluster", lambda c: c.env), ["ecs:DiscoverPollEndpoint"]),
    ("eks.amazonaws.com", "DescribeCluster", True, M, eks_desc, ["eks:DescribeCluster"]),
    ("eks.amazonaws.com", "ListClusters", True, M, none_params, ["eks:ListClusters"]),
    ("eks.amazonaws.com", "ListNodegroups", True, M, eks_desc, ["eks:ListNodegroups"]),
    ("rds.amazonaws.com", "DescribeDBInstances", True, M, rds_desc, ["rds:DescribeDBInstances"]),
    ("rds.amazonaws.com", "DescribeDBClusters", True, M, none_params, ["rds:DescribeDBClusters"]),
    ("rds.amazonaws.com", "CreateDBSnapshot", False, M, rds_snap, ["rds:CreateDBSnapshot"]),
    ("rds.amazonaws.com", "ListTagsForResource", True, M, simple("resourceName", lambda c: f"arn:aws:rds:{c.region}:{c.acct}:db:{c.proj}-{c.env}-db"), ["rds:ListTagsForResource"]),
    ("route53.amazonaws.com", "ListHostedZones", True, M, none_params, ["route53:ListHostedZones"]),
    ("route53.amazonaws.com", "ListResourceRecordSets", True, M, r53_zone, ["route53:ListResourceRecordSets"]),
    ("route53.amazonaws.com", "ChangeResourceRecordSets", False, M, r53_change, ["route53:ChangeResourceRecordSets"]),
    ("route53.amazonaws.com", "GetChange", True, M, simple("id", lambda c: "C0" + h16(c.r.random(), n=18)), ["route53:GetChange"]),
    ("cloudfront.amazonaws.com", "GetDistribution2020_05_31", True, M, cf_dist, ["cloudfront:GetDistribution"]),
    ("cloudfront.amazonaws.com", "ListDistributions2020_05_31", True, M, none_params, ["cloudfront:ListDistributions"]),
    ("cloudfront.amazonaws.com", "CreateInvalidation2020_05_31", False, M, cf_inval, ["cloudfront:CreateInvalidation"]),
    ("states.amazonaws.com", "StartExecution", False, M, sfn_start, ["states:StartExecution"]),
    ("states.amazonaws.com", "DescribeExecution", True, M, sfn_desc, ["states:DescribeExecution"]),
    ("events.amazonaws.com", "PutEvents", False, M, ev_put, ["events:PutEvents"]),
    ("events.amazonaws.com", "DescribeRule", True, M, ev_rule, ["events:DescribeRule"]),
    ("events.amazonaws.com", "PutRule", False, M, ev_rule, ["events:PutRule"]),
    ("kinesis.amazonaws.com", "DescribeStream", True, M, kin_stream, ["kinesis:DescribeStream"]),
    ("kinesis.amazonaws.com", "ListStreams", True, M, none_params, ["kinesis:ListStreams"]),
    ("firehose.amazonaws.com", "PutRecordBatch", False, M, fh_put, ["firehose:PutRecordBatch"]),
    ("athena.amazonaws.com", "StartQueryExecution", False, M, athena_start, ["athena:StartQueryExecution"]),
    ("athena.amazonaws.com", "GetQueryExecution", True, M, athena_get, ["athena:GetQueryExecution"]),
    ("athena.amazonaws.com", "GetQueryResults", True, M, athena_get, ["athena:GetQueryResults"]),
    ("glue.amazonaws.com", "GetTable", True, M, glue_table, ["glue:GetTable"]),
    ("glue.amazonaws.com", "GetPartitions", True, M, glue_table, ["glue:GetPartitions"]),
    ("glue.amazonaws.com", "StartJobRun", False, M, glue_job, ["glue:StartJobRun"]),
    ("elasticache.amazonaws.com", "DescribeCacheClusters", True, M, none_params, ["elasticache:DescribeCacheClusters"]),
    ("es.amazonaws.com", "DescribeDomain", True, M, simple("domainName", lambda c: f"{c.proj}-{c.env}"), ["es:DescribeDomain"]),
    ("apigateway.amazonaws.com", "GetRestApis", True, M, none_params, ["apigateway:GET"]),
    ("apigateway.amazonaws.com", "CreateDeployment", False, M, apigw, ["apigateway:POST"]),
    ("codebuild.amazonaws.com", "StartBuild", False, M, simple("projectName", lambda c: c.proj), ["codebuild:StartBuild"]),
    ("codebuild.amazonaws.com", "BatchGetBuilds", True, M, simple("ids", lambda c: [f"{c.proj}:{uuid_from(c.r.getrandbits(128))}"]), ["codebuild:BatchGetBuilds"]),
    ("codepipeline.amazonaws.com", "GetPipelineState", True, M, simple("name", lambda c: f"{c.proj}-pipeline"), ["codepipeline:GetPipelineState"]),
    ("codepipeline.amazonaws.com", "StartPipelineExecution", False, M, simple("name", lambda c: f"{c.proj}-pipeline"), ["codepipeline:StartPipelineExecution"]),
    ("cognito-idp.amazonaws.com", "AdminGetUser", True, M, simple("userPoolId", lambda c: f"{c.region}_{h16(c.proj, alphabet=ALNUM, n=9)}"), ["cognito-idp:AdminGetUser"]),
    ("acm.amazonaws.com", "DescribeCertificate", True, M, simple("certificateArn", lambda c: f"arn:aws:acm:{c.region}:{c.acct}:certificate/{uuid_from(c.r.getrandbits(128))}"), ["acm:DescribeCertificate"]),
    ("acm.amazonaws.com", "ListCertificates", True, M, none_params, ["acm:ListCertificates"]),
    ("cloudtrail.amazonaws.com", "LookupEvents", True, M, none_params, ["cloudtrail:LookupEvents"]),
    ("cloudtrail.amazonaws.com", "DescribeTrails", True, M, none_params, ["cloudtrail:DescribeTrails"]),
    ("config.amazonaws.com", "PutEvaluations", False, M, none_params, ["config:PutEvaluations"]),
    ("config.amazonaws.com", "DescribeConfigRules", True, M, none_params, ["config:DescribeConfigRules"]),
    ("elasticfilesystem.amazonaws.com", "DescribeFileSystems", True, M, none_params, ["elasticfilesystem:DescribeFileSystems"]),
    ("ses.amazonaws.com", "SendEmail", False, M, ses_send, ["ses:SendEmail"]),
    ("xray.amazonaws.com", "GetSamplingRules", True, M, none_params, ["xray:GetSamplingRules"]),
    ("health.amazonaws.com", "DescribeEvents", True, M, none_params, ["health:DescribeEvents"]),
    ("organizations.amazonaws.com", "DescribeOrganization", True, M, none_params, ["organizations:DescribeOrganization"]),
    ("organizations.amazonaws.com", "ListAccounts", True, M, none_params, ["organizations:ListAccounts"]),
    ("sagemaker.amazonaws.com", "ListEndpoints", True, M, none_params, ["sagemaker:ListEndpoints"]),
    ("sagemaker.amazonaws.com", "DescribeTrainingJob", True, M, simple("trainingJobName", lambda c: f"{c.proj}-{int(c.t)}"), ["sagemaker:DescribeTrainingJob"]),
    ("signin.amazonaws.com", "ConsoleLogin", False, M, signin, []),
]
EV = {(s, n): i for i, (s, n, *_rest) in enumerate(CATALOG)}


def ev(s, n):
    return EV[(s, n)]


SRC_SHORT = {"s3": S3, "lambda": LAM, "cw": CW, "ec2": EC2, "sts": STS, "kms": KMS, "ddb": DDB, "sqs": SQS, "sns": SNS,
             "logs": LOGS, "ecr": ECR, "ssm": SSM, "sm": SM, "cfn": CFN, "iam": IAM}


def evs(spec):
    """'s3:GetObject' style (with SRC_SHORT aliases) or full source -> catalog index."""
    src, name = spec.split(":", 1)
    src = SRC_SHORT.get(src, src if "." in src else src + ".amazonaws.com")
    return EV[(src, name)]


# ---------------------------------------------------------------------------
# Principals and their behaviour profiles
# ---------------------------------------------------------------------------

APP_CORE = ["s3:GetObject", "s3:PutObject", "s3:ListObjects", "s3:HeadObject", "kms:Decrypt", "kms:GenerateDataKey",
            "ddb:GetItem", "ddb:PutItem", "ddb:Query", "ddb:UpdateItem", "ddb:BatchWriteItem", "ddb:DeleteItem",
            "sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
            "sns:Publish", "sm:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
            "cw:PutMetricData", "lambda:Invoke", "logs:CreateLogStream", "sts:GetCallerIdentity", "sts:AssumeRole",
            "states:StartExecution", "events:PutEvents", "firehose:PutRecordBatch", "ses:SendEmail", "xray:GetSamplingRules",
            "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "glue:GetTable",
            "glue:GetPartitions", "kinesis:DescribeStream", "ecr:GetAuthorizationToken", "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer", "s3:CopyObject", "s3:DeleteObject", "s3:CreateMultipartUpload", "s3:UploadPart",
            "s3:CompleteMultipartUpload", "ecs:SubmitTaskStateChange", "ecs:DiscoverPollEndpoint", "cognito-idp:AdminGetUser"]
CI_CORE = ["cfn:DescribeStacks", "cfn:DescribeStackEvents", "cfn:CreateChangeSet", "cfn:DescribeChangeSet", "cfn:ExecuteChangeSet",
           "cfn:GetTemplate", "s3:PutObject", "s3:GetObject", "s3:ListObjects", "s3:GetBucketLocation", "ecr:GetAuthorizationToken",
           "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:DescribeImages",
           "lambda:UpdateFunctionCode20150331v2", "lambda:GetFunction20150331v2", "lambda:PublishVersion20150331",
           "lambda:UpdateFunctionConfiguration20150331v2", "lambda:GetFunctionConfiguration20150331v2", "ecs:UpdateService",
           "ecs:RegisterTaskDefinition", "ecs:DescribeServices", "sts:GetCallerIdentity", "sts:AssumeRole", "ssm:GetParameter",
           "ssm:PutParameter", "cloudfront:CreateInvalidation2020_05_31", "cloudfront:GetDistribution2020_05_31",
           "iam:GetRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
           "ec2:DescribeVpcs", "elasticloadbalancing:DescribeTargetGroups", "route53:ChangeResourceRecordSets", "route53:GetChange",
           "codebuild:StartBuild", "codebuild:BatchGetBuilds", "codepipeline:GetPipelineState", "apigateway:CreateDeployment",
           "kms:DescribeKey", "logs:PutRetentionPolicy", "logs:CreateLogGroup", "sm:DescribeSecret"]
ADMIN_CORE = [f"{a}:{b}" for (a, b, *_r) in CATALOG if b.startswith(("Describe", "List", "Get"))] + [
    "ec2:RunInstances", "ec2:TerminateInstances", "ec2:StartInstances", "ec2:StopInstances", "ec2:CreateTags",
    "ec2:AuthorizeSecurityGroupIngress", "iam:CreateAccessKey", "s3:PutBucketPolicy", "ssm:SendCommand", "rds:CreateDBSnapshot",
    "cw:PutMetricAlarm", "sns:Subscribe", "events:PutRule", "glue:StartJobRun", "lambda:AddPermission20150331v2",
    "autoscaling:UpdateAutoScalingGroup", "sm:PutSecretValue", "kms:Encrypt", "kms:ReEncrypt", "s3:GetObject", "s3:ListObjects"]
EC2_INSTANCE = ["ssm:UpdateInstanceInformation", "cw:PutMetricData", "logs:CreateLogStream", "ec2:DescribeInstances",
                "ec2:DescribeVolumes", "ec2:DescribeImages", "s3:GetObject", "s3:ListObjects",
                "kms:Decrypt", "sm:GetSecretValue", "ssm:GetParameter", "autoscaling:CompleteLifecycleAction", "sts:GetCallerIdentity"]
SLR_ASG = ["ec2:RunInstances", "ec2:TerminateInstances", "ec2:DescribeInstances", "ec2:CreateTags", "ec2:DescribeImages",
           "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:DescribeTargetHealth",
           "ec2:DescribeSubnets", "cw:PutMetricAlarm", "cw:DescribeAlarms"]
SLR_ECS = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
           "ec2:DescribeSecurityGroups", "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets",
           "elasticloadbalancing:DescribeTargetHealth"]
DENY_POOL = ["s3:DeleteObject", "s3:PutBucketPolicy", "ddb:Scan", "iam:ListRoles", "iam:ListUsers", "iam:CreateAccessKey",
             "ec2:DescribeInstances", "ec2:RunInstances", "kms:Encrypt", "sm:ListSecrets", "lambda:ListFunctions20150331",
             "organizations:ListAccounts", "ssm:DescribeParameters", "sts:AssumeRole", "s3:ListBuckets", "s3:GetObject"]

# Hand-made target role (always present, rank 2 by volume): an ECS task role.
TARGET = {
    "name": "orders-api-prod-task",
    "proj": "orders", "env": "prod",
    "regions": ["us-east-1", "eu-west-1"],
    # (event, weight, first_day, last_day) ; day bounds inclusive, None = whole range
    "profile": [
        ("s3:GetObject", 30, None, None), ("s3:PutObject", 12, None, None), ("s3:ListObjects", 5, None, None),
        ("s3:HeadObject", 6, None, None), ("kms:Decrypt", 14, None, None), ("kms:GenerateDataKey", 6, None, None),
        ("ddb:GetItem", 25, None, None), ("ddb:PutItem", 10, None, None), ("ddb:Query", 12, None, None),
        ("ddb:UpdateItem", 6, None, None), ("sqs:SendMessage", 8, None, None), ("sqs:ReceiveMessage", 10, None, None),
        ("sqs:DeleteMessage", 8, None, None), ("sns:Publish", 3, None, None), ("sm:GetSecretValue", 1, None, None),
        ("ssm:GetParametersByPath", 1, None, None), ("cw:PutMetricData", 5, None, None), ("lambda:Invoke", 2, None, None),
        ("logs:CreateLogStream", 0.3, None, None), ("sts:GetCallerIdentity", 0.2, None, None),
        ("states:StartExecution", 0.5, None, None), ("events:PutEvents", 1, None, None),
        ("ecr:GetAuthorizationToken", 0.1, None, None),
        # only outside the 30-day benchmark window (days 30..59 of 90):
        ("lambda:GetFunction20150331v2", 0.2, 0, 20), ("lambda:UpdateFunctionConfiguration20150331v2", 0.05, 3, 9),
        ("ssm:GetParameter", 0.3, 65, 89),
        # only inside it:
        ("sts:AssumeRole", 0.1, 35, 50), ("s3:CopyObject", 0.2, 40, 45),
    ],
    "denied": ["s3:DeleteObject", "ddb:Scan", "ec2:DescribeInstances", "sm:ListSecrets"],
}


class Principal:
    __slots__ = ("idx", "kind", "type", "name", "arn", "pid", "akia", "projs", "env", "regions", "events", "weights",
                 "lo", "hi", "cum", "evidx", "denied", "deny_rate", "err_rate", "ua", "ips", "invoked_by", "acct", "sess_kind", "console")


def make_world(seed, n_principals, account, days):
    r = random.Random(f"world-{seed}")
    principals = []

    def new(kind, typ, name, arn, pid, acct=account):
        p = Principal()
        p.idx, p.kind, p.type, p.name, p.arn, p.pid, p.acct = len(principals), kind, typ, name, arn, pid, acct
        p.akia, p.console, p.invoked_by = None, False, None
        p.env = r.choice(ENVS)
        p.projs = r.sample(PROJECTS, r.choice([1, 1, 1, 2, 3]))
        home = r.choices(REGION_NAMES, weights=[w for _, w in REGIONS], k=r.choice([1, 1, 2, 2, 3]))
        p.regions = sorted(set(home + ["us-east-1"]))
        p.deny_rate = r.choice([0.0, 0.001, 0.003, 0.01])
        p.err_rate = 0.004
        p.denied = [evs(x) for x in r.sample(DENY_POOL, 3)]
        p.ips = [f"{r.randint(3, 54)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}" for _ in range(3)]
        p.ua = UA_SDK
        p.sess_kind = "sdk"
        principals.append(p)
        return p

    def set_profile(p, pool, k_lo, k_hi, full_share=0.85):
        k = min(len(pool), r.randint(k_lo, k_hi))
        chosen = r.sample(pool, k)
        p.events, p.weights, p.lo, p.hi = [], [], [], []
        for e in chosen:
            p.events.append(evs(e))
            p.weights.append(r.paretovariate(1.2))
            if r.random() < full_share:
                p.lo.append(0)
                p.hi.append(days - 1)
            else:
                a = r.randrange(days)
                b = min(days - 1, a + r.randint(1, max(1, days // 4)))
                p.lo.append(a)
                p.hi.append(b)

    # 0: AWS services acting on their own (type AWSService)
    svc = new("aws-service", "AWSService", "AWSService", None, None)
    svc.events = [ev(STS, "AssumeRole"), ev(KMS, "GenerateDataKey"), ev(KMS, "Decrypt"), ev("events.amazonaws.com", "PutEvents"),
                  ev(SQS, "SendMessage"), ev(LOGS, "CreateLogStream")]
    svc.weights = [70, 10, 10, 4, 4, 2]
    svc.lo, svc.hi = [0] * 6, [days - 1] * 6
    svc.deny_rate = 0.0
    svc.denied = []
    svc.regions = list(REGION_NAMES)

    # 1: the target role
    t = TARGET
    tp = new("app-role", "AssumedRole", t["name"], f"arn:aws:iam::{account}:role/{t['name']}", "AROA" + h16(seed, t["name"], n=17))
    tp.projs, tp.env, tp.regions = [t["proj"]], t["env"], list(t["regions"])
    tp.events = [evs(e) for e, *_ in t["profile"]]
    tp.weights = [w for _, w, _, _ in t["profile"]]
    tp.lo = [0 if a is None else a for _, _, a, _ in t["profile"]]
    tp.hi = [days - 1 if b is None else b for _, _, _, b in t["profile"]]
    tp.denied = [evs(x) for x in t["denied"]]
    tp.deny_rate = 0.002
    tp.sess_kind = "ecs"

    used = {t["name"]}
    while len(principals) < n_principals:
        i = len(principals)
        x = r.random()
        if x < 0.30:   # application role (ECS task / Lambda / EKS IRSA)
            proj, env = r.choice(PROJECTS), r.choice(ENVS)
            flavor = r.choice(["task", "lambda", "irsa"])
            name = f"{proj}-{r.choice(['api', 'worker', 'consumer', 'etl', 'cron'])}-{env}-{flavor}"
            while name in used:
                name += str(r.randint(0, 9))
            used.add(name)
            p = new("app-role", "AssumedRole", name, f"arn:aws:iam::{account}:role/{name}", "AROA" + h16(seed, name, n=17))
            p.projs, p.env = [proj], env
            p.sess_kind = {"task": "ecs", "lambda": "lambda", "irsa": "sdk"}[flavor]
            set_profile(p, APP_CORE, 4, 16)
        elif x < 0.38:  # EC2 instance profile roles
            proj, env = r.choice(PROJECTS), r.choice(ENVS)
            name = f"{proj}-{env}-ec2-instance"
            while name in used:
                name += str(r.randint(0, 9))
            used.add(name)
            p = new("instance-role", "AssumedRole", name, f"arn:aws:iam::{account}:role/{name}", "AROA" + h16(seed, name, n=17))
            p.projs, p.env, p.sess_kind = [proj], env, "ec2"
            set_profile(p, EC2_INSTANCE, 5, 12)
        elif x < 0.46:  # CI/CD deploy roles
            name = f"{r.choice(['github-actions', 'gitlab-ci', 'cdk-deploy', 'jenkins'])}-{r.choice(PROJECTS)}-{r.choice(ENVS)}"
            while name in used:
                name += str(r.randint(0, 9))
            used.add(name)
            p = new("ci-role", "AssumedRole", name, f"arn:aws:iam::{account}:role/{name}", "AROA" + h16(seed, name, n=17))
            p.sess_kind, p.ua = "ci", UA_CLI
            p.projs = r.sample(PROJECTS, 3)
            set_profile(p, CI_CORE, 8, 30, full_share=0.7)
        elif x < 0.54:  # IAM Identity Center (SSO) permission-set roles, role path with a region
            ps = r.choice(["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "DataScientist", "Billing", "SupportUser"])
            name = f"AWSReservedSSO_{ps}_{h16(seed, ps, i, alphabet='0123456789abcdef', n=16)}"
            if name in used:
                continue
            used.add(name)
            p = new("sso-role", "AssumedRole", name, f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/{name}",
                    "AROA" + h16(seed, name, n=17))
            p.sess_kind, p.ua, p.console = "sso", UA_CONSOLE + UA_CLI, True
            p.projs = r.sample(PROJECTS, 6)
            set_profile(p, ADMIN_CORE, 10, 60, full_share=0.5)
        elif x < 0.60:  # service-linked roles (role path aws-service-role/..., invokedBy)
            kind = r.choice(["asg", "ecs"])
            if kind == "asg":
                name, path, inv, sn = "AWSServiceRoleForAutoScaling", "aws-service-role/autoscaling.amazonaws.com/", "autoscaling.amazonaws.com", "AutoScaling"
            else:
                name, path, inv, sn = "AWSServiceRoleForECS", "aws-service-role/ecs.amazonaws.com/", "ecs.amazonaws.com", "ECS"
            if name in used:
                continue
            used.add(name)
            p = new("service-linked-role", "AssumedRole", name, f"arn:aws:iam::{account}:role/{path}{name}", "AROA" + h16(seed, name, n=17))
            p.sess_kind, p.invoked_by = "slr:" + sn, inv
            p.ua = [inv]
            p.projs = r.sample(PROJECTS, 4)
            set_profile(p, SLR_ASG if kind == "asg" else SLR_ECS, 5, 11, full_share=1.0)
        elif x < 0.66:  # roles from another account assuming into ours / calling our resources
            other = "%012d" % r.randrange(10**11, 10**12)
            name = f"{r.choice(['partner', 'datalake', 'security-audit', 'shared-services'])}-{r.choice(PROJECTS)}-access"
            p = new("cross-account-role", "AssumedRole", name, f"arn:aws:iam::{other}:role/{name}", "AROA" + h16(seed, name, other, n=17),
                    acct=other)
            p.sess_kind = "sdk"
            p.projs = r.sample(PROJECTS, 2)
            set_profile(p, ["s3:GetObject", "s3:ListObjects", "s3:PutObject", "kms:Decrypt", "sts:AssumeRole", "sqs:SendMessage",
                            "sns:Publish", "lambda:Invoke"], 2, 5)
        else:  # IAM users: humans with console + keys, and service users with long-term keys
            if r.random() < 0.5:
                name = r.choice(FIRST_NAMES) + "." + r.choice(FIRST_NAMES)
                human = True
            else:
                name = f"svc-{r.choice(PROJECTS)}-{r.choice(['legacy', 'backup', 'reporting', 'terraform', 'datadog', 'sftp'])}"
                human = False
            while name in used:
                name += str(r.randint(0, 9))
            used.add(name)
            p = new("iam-user", "IAMUser", name, f"arn:aws:iam::{account}:user/{name}", "AIDA" + h16(seed, name, n=17))
            p.akia = "AKIA" + h16(seed, name, "key")
            if human:
                p.console, p.ua, p.sess_kind = True, UA_CONSOLE + UA_CLI, "human"
                p.projs = r.sample(PROJECTS, 4)
                set_profile(p, ADMIN_CORE + ["signin:ConsoleLogin"], 6, 40, full_share=0.6)
                # make sure humans log in
                p.events.append(evs("signin:ConsoleLogin"))
                p.weights.append(0.5)
                p.lo.append(0)
                p.hi.append(days - 1)
            else:
                p.ua, p.sess_kind = UA_CLI + UA_SDK, "key"
                set_profile(p, APP_CORE + CI_CORE, 3, 12)

    # activity weights: Zipf over a seeded shuffle, target pinned at rank 2, AWSService at rank 4
    others = [p for p in principals if p.idx not in (0, 1)]
    r.shuffle(others)
    order = others[:2] + [tp] + others[2:4] + [svc] + others[4:]
    rank_weight = {}
    for rank, p in enumerate(order):
        rank_weight[p.idx] = 1.0 / (rank + 1) ** 1.0
    return principals, rank_weight


# ---------------------------------------------------------------------------
# File planning
# ---------------------------------------------------------------------------

def plan_files(seed, n_records, start_epoch, days, min_rec=100, max_rec=2000):
    r = random.Random(f"plan-{seed}")
    files = []
    left = n_records
    rw = [w for _, w in REGIONS]
    # diurnal activity (UTC hour weights) and weekday weights
    hour_w = [0.35, 0.3, 0.3, 0.3, 0.35, 0.45, 0.6, 0.8, 1.0, 1.2, 1.3, 1.3, 1.3, 1.3, 1.35, 1.35, 1.3, 1.2, 1.0, 0.9, 0.8,
              0.65, 0.5, 0.4]
    day_w = []
    for d in range(days):
        wd = time.gmtime(start_epoch + d * 86400).tm_wday
        day_w.append(0.55 if wd >= 5 else 1.0)
    while left > 0:
        n = int(round(math.exp(r.uniform(math.log(min_rec), math.log(max_rec)))))
        n = min(n, left)
        if left - n < min_rec and left - n > 0:
            n = left  # fold the remainder into this file (may exceed max_rec slightly)
        left -= n
        reg = r.choices(REGION_NAMES, weights=rw)[0]
        d = r.choices(range(days), weights=day_w)[0]
        hr = r.choices(range(24), weights=hour_w)[0]
        t = start_epoch + d * 86400 + hr * 3600 + r.randrange(3600)
        t -= t % 60  # file names carry minutes; keep delivery times on whole minutes + 0..59 s below
        files.append([t + r.randrange(60), reg, n])
    files.sort(key=lambda f: (f[0], f[1]))
    return files


# ---------------------------------------------------------------------------
# Record generation
# ---------------------------------------------------------------------------

_W = {}


def _init_worker(state):
    _W.update(state)


def session_for(p, r, day, acct):
    """Return (sessionName, accessKeyId, creationDate epoch offset) for a principal on a day."""
    k = r.randrange(6 if p.sess_kind in ("sso", "human") else 24)
    sn_seed = (p.idx, day, k)
    sk = p.sess_kind
    if sk == "ecs":
        sn = "%032x" % int(h16(*sn_seed, alphabet="0123456789abcdef", n=32), 16)
    elif sk == "lambda":
        sn = p.name.rsplit("-", 1)[0]
    elif sk == "ec2":
        sn = "i-0" + h16(*sn_seed, alphabet="0123456789abcdef", n=16)
    elif sk == "ci":
        sn = r.choice(["GitHubActions", "gitlab-" + h16(*sn_seed, n=8).lower(), "aws-go-sdk-%d" % (1704067200 + day * 86400 + k * 3000)])
    elif sk == "sso":
        sn = FIRST_NAMES[(p.idx * 7 + k) % len(FIRST_NAMES)] + "@example.com"
    elif sk.startswith("slr:"):
        sn = sk[4:]
    else:
        sn = "botocore-session-%d" % (1704067200 + day * 86400 + k * 3000)
    return sn, "ASIA" + h16("k", *sn_seed), k * 3000


def user_identity(p, r, day, t, acct, invoked_by):
    if p.type == "AWSService":
        return {"type": "AWSService", "invokedBy": invoked_by}
    if p.type == "IAMUser":
        if p.console and r.random() < 0.5:
            ui = {"type": "IAMUser", "principalId": p.pid, "arn": p.arn, "accountId": acct,
                  "accessKeyId": "ASIA" + h16("c", p.idx, day), "userName": p.name,
                  "sessionContext": {"sessionIssuer": {}, "webIdFederationData": {},
                                     "attributes": {"creationDate": ts_str(day_start(t) + 8 * 3600), "mfaAuthenticated": "true"}}}
            return ui, True
        return {"type": "IAMUser", "principalId": p.pid, "arn": p.arn, "accountId": acct, "accessKeyId": p.akia,
                "userName": p.name}, False
    sn, key, off = session_for(p, r, day, acct)
    created = min(t - 1, day_start(t) + off)
    role_name = p.name
    ui = {"type": "AssumedRole", "principalId": f"{p.pid}:{sn}",
          "arn": f"arn:aws:sts::{p.acct}:assumed-role/{role_name}/{sn}", "accountId": p.acct, "accessKeyId": key,
          "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": p.pid, "arn": p.arn, "accountId": p.acct,
                                               "userName": role_name},
                             "webIdFederationData": {},
                             "attributes": {"creationDate": ts_str(created), "mfaAuthenticated": "false"}}}
    if invoked_by:
        ui["invokedBy"] = invoked_by
    return ui, p.kind == "sso" and r.random() < 0.5


def day_start(t):
    return t - t % 86400


SERVICE_INVOKERS = ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com", "ec2.amazonaws.com", "cloudformation.amazonaws.com",
                    "states.amazonaws.com", "events.amazonaws.com", "cloudtrail.amazonaws.com", "config.amazonaws.com"]


def deny_code(src):
    if src == EC2:
        return "Client.UnauthorizedOperation"
    if src in (S3, STS, IAM, "cloudfront.amazonaws.com", "route53.amazonaws.com", "autoscaling.amazonaws.com", "rds.amazonaws.com",
               "elasticloadbalancing.amazonaws.com", "sns.amazonaws.com", "sqs.amazonaws.com"):
        return "AccessDenied"
    return "AccessDeniedException"


OTHER_ERR = {S3: ("NoSuchKey", "The specified key does not exist."),
             DDB: ("ConditionalCheckFailedException", "The conditional request failed"),
             SM: ("ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
             SSM: ("ParameterNotFound", None), LAM: ("ResourceNotFoundException", "Function not found"),
             "default": ("ThrottlingException", "Rate exceeded")}


def gen_file(task):
    """Generate one log file. Returns (path, gz bytes, raw bytes, n, truth counts)."""
    idx, deliver_t, region, n = task
    W = _W
    seed, acct, start_epoch, out = W["seed"], W["account"], W["start"], W["out"]
    principals, cum_by_region, region_pidx = W["principals"], W["cum"], W["pidx"]
    r = random.Random(f"{seed}-{idx}")
    c = C()
    c.r, c.acct, c.region = r, acct, region
    is_use1 = region == "us-east-1"
    pidx = region_pidx[region]
    chosen = r.choices(pidx, cum_weights=cum_by_region[region], k=n)
    recs = []
    truth = {}
    for pi in chosen:
        p = principals[pi]
        t = max(start_epoch, deliver_t - r.randint(20, 900))
        day = (t - start_epoch) // 86400
        # pick an event valid on that day and in this region
        ei = None
        for _ in range(6):
            j = r.choices(p.evidx, cum_weights=p.cum)[0]
            if p.lo[j] <= day <= p.hi[j]:
                e = p.events[j]
                if is_use1 or CATALOG[e][0] not in GLOBAL_SOURCES:
                    ei = e
                    break
        if ei is None:
            # fall back: first always-on, non-global event
            for j, e in enumerate(p.events):
                if p.lo[j] <= day <= p.hi[j] and (is_use1 or CATALOG[e][0] not in GLOBAL_SOURCES):
                    ei = e
                    break
        if ei is None:
            continue
        status = "ok"
        if p.denied and r.random() < p.deny_rate:
            cand = [d for d in p.denied if is_use1 or CATALOG[d][0] not in GLOBAL_SOURCES]
            if cand:
                ei = r.choice(cand)
                status = "denied"
        elif r.random() < p.err_rate:
            status = "error"
        src, name, ro, cat, builder, iam_actions = CATALOG[ei]
        c.p, c.t = p, t
        c.proj, c.env = (r.choice(p.projs), p.env)
        c.region = region
        req, resources, resp, add = builder(c)
        invoked_by = None
        if p.type == "AWSService":
            invoked_by = r.choice(SERVICE_INVOKERS)
        elif p.invoked_by:
            invoked_by = p.invoked_by
        elif src == KMS and name in ("Decrypt", "GenerateDataKey") and req and "aws:s3:arn" in str(req.get("encryptionContext", "")):
            invoked_by = "s3.amazonaws.com"  # SSE-KMS forward access session
        elif src == KMS and name == "Decrypt":
            invoked_by = "secretsmanager.amazonaws.com"
        console = False
        if p.type == "AWSService":
            ui = user_identity(p, r, day, t, acct, invoked_by)
        else:
            ui, console = user_identity(p, r, day, t, acct, invoked_by)
        if invoked_by:
            ip = ua = invoked_by
        elif p.kind == "service-linked-role":
            ip = ua = p.invoked_by
        else:
            ip = r.choice(p.ips) if p.type == "IAMUser" or p.kind in ("sso-role", "ci-role", "cross-account-role") else \
                f"10.{r.randint(0, 3)}.{r.randint(0, 255)}.{r.randint(1, 254)}" if r.random() < 0.3 else r.choice(p.ips)
            ua = r.choice(p.ua)
        rec = {"eventVersion": "1.09" if cat == D else "1.08", "userIdentity": ui, "eventTime": ts_str(t), "eventSource": src,
               "eventName": name, "awsRegion": region if src not in GLOBAL_SOURCES else "us-east-1",
               "sourceIPAddress": ip, "userAgent": ua}
        if status == "denied":
            rec["errorCode"] = deny_code(src)
            action = iam_actions[0] if iam_actions else f"{src.split('.')[0]}:{name}"
            who = ui.get("arn", "") if isinstance(ui, dict) else ""
            rec["errorMessage"] = ("Access Denied" if src == S3 else
                                   f"User: {who} is not authorized to perform: {action} on resource: "
                                   f"{(resources or [{'ARN': '*'}])[0]['ARN']} because no identity-based policy allows the {action} action")
            resp = None
        elif status == "error":
            code, msg = OTHER_ERR.get(src, OTHER_ERR["default"])
            rec["errorCode"] = code
            if msg:
                rec["errorMessage"] = msg
            resp = None
        rec["requestParameters"] = req
        rec["responseElements"] = resp
        if add:
            rec["additionalEventData"] = add
        rec["requestID"] = h16(r.random()) if src == S3 else uuid_from(r.getrandbits(128))
        rec["eventID"] = uuid_from(r.getrandbits(128))
        rec["readOnly"] = ro
        if resources:
            rec["resources"] = resources
        rec["eventType"] = "AwsConsoleSignIn" if src == "signin.amazonaws.com" else "AwsApiCall"
        rec["managementEvent"] = cat == M
        rec["recipientAccountId"] = acct
        if p.kind == "cross-account-role" or (src == STS and name == "AssumeRole" and p.type == "AWSService"):
            rec["sharedEventID"] = uuid_from(r.getrandbits(128))
        if r.random() < 0.08 and cat == D:
            rec["vpcEndpointId"] = "vpce-0" + "%016x" % r.getrandbits(64)
            rec["vpcEndpointAccountId"] = acct
        rec["eventCategory"] = cat
        if not invoked_by and src != "signin.amazonaws.com":
            tv, cs = TLS[r.randrange(3)]
            host = ((f"{req['bucketName']}.s3.{region}.amazonaws.com" if req and "bucketName" in req else f"s3.{region}.amazonaws.com") if src == S3 else
                    f"{src.split('.')[0]}.{region}.amazonaws.com" if src not in GLOBAL_SOURCES else src)
            rec["tlsDetails"] = {"tlsVersion": tv, "cipherSuite": cs, "clientProvidedHostHeader": host}
        if console:
            rec["sessionCredentialFromConsole"] = "true"
        recs.append(rec)
        key = (pi, ei, int(day), status)
        truth[key] = truth.get(key, 0) + 1
    # a few AwsServiceEvent records with a typeless userIdentity (KMS key rotation etc.)
    if r.random() < 0.05:
        t = deliver_t - r.randint(20, 900)
        c.t = t
        k = kms_key_arn(c, r.randrange(4))
        recs.append({"eventVersion": "1.08", "userIdentity": {"accountId": acct, "invokedBy": "AWS Internal"},
                     "eventTime": ts_str(t), "eventSource": KMS, "eventName": "RotateKey", "awsRegion": region,
                     "sourceIPAddress": "AWS Internal", "userAgent": "AWS Internal", "requestParameters": None,
                     "responseElements": None, "eventID": uuid_from(r.getrandbits(128)), "readOnly": False,
                     "resources": [{"accountId": acct, "type": "AWS::KMS::Key", "ARN": k}], "eventType": "AwsServiceEvent",
                     "managementEvent": True, "recipientAccountId": acct,
                     "serviceEventDetails": {"keyId": k.rsplit("/", 1)[1]}, "eventCategory": "Management"})
    recs.sort(key=lambda x: x["eventTime"])
    raw = json.dumps({"Records": recs}, separators=(",", ":")).encode()
    gz = gzip.compress(raw, compresslevel=6, mtime=0)
    tm = time.gmtime(deliver_t)
    d = os.path.join(out, "AWSLogs", acct, "CloudTrail", region, "%04d" % tm.tm_year, "%02d" % tm.tm_mon, "%02d" % tm.tm_mday)
    os.makedirs(d, exist_ok=True)
    fname = f"{acct}_CloudTrail_{region}_{time.strftime('%Y%m%dT%H%MZ', tm)}_{h16(seed, idx, alphabet=ALNUM)}.json.gz"
    path = os.path.join(d, fname)
    with open(path, "wb") as f:
        f.write(gz)
    return path, len(gz), len(raw), len(recs), truth


def cmd_generate(a):
    t0 = time.time()
    start = dt.datetime.strptime(a.start, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    start_epoch = int(start.timestamp())
    principals, rank_w = make_world(a.seed, a.principals, a.account, a.days)
    for p in principals:
        p.evidx = list(range(len(p.events)))
        p.cum = list(itertools.accumulate(p.weights))
    # per-region cumulative principal weights
    cum, pidx = {}, {}
    for reg in REGION_NAMES:
        ids, acc, s = [], [], 0.0
        for p in principals:
            w = rank_w[p.idx] * (1.0 if reg in p.regions else 0.0)
            if w > 0:
                s += w
                ids.append(p.idx)
                acc.append(s)
        cum[reg], pidx[reg] = acc, ids
    files = plan_files(a.seed, a.records, start_epoch, a.days)
    tasks = [(i, t, reg, n) for i, (t, reg, n) in enumerate(files)]
    state = {"seed": a.seed, "account": a.account, "start": start_epoch, "out": a.out, "principals": principals,
             "cum": cum, "pidx": pidx}
    os.makedirs(a.out, exist_ok=True)
    tot_gz = tot_raw = tot_n = 0
    truth = {}
    if a.workers > 1:
        ctx = mp.get_context("fork")
        with ctx.Pool(a.workers, initializer=_init_worker, initargs=(state,)) as pool:
            results = pool.imap(gen_file, tasks, chunksize=4)
            for res_ in results:
                _acc(res_, truth)
                tot_gz += res_[1]
                tot_raw += res_[2]
                tot_n += res_[3]
    else:
        _init_worker(state)
        for tk in tasks:
            res_ = gen_file(tk)
            _acc(res_, truth)
            tot_gz += res_[1]
            tot_raw += res_[2]
            tot_n += res_[3]
    # truth.json
    per = {}
    for (pi, ei, day, status), cnt in sorted(truth.items()):
        p = principals[pi]
        key = p.arn or "AWSService"
        src, name = CATALOG[ei][0], CATALOG[ei][1]
        ent = per.setdefault(key, {"kind": p.kind, "type": p.type, "records": 0, "events": {}})
        ent["records"] += cnt
        e = ent["events"].setdefault(f"{src}:{name}", {"iam": CATALOG[ei][5], "ok": {}, "denied": {}, "error": {}})
        dstr = time.strftime("%Y-%m-%d", time.gmtime(start_epoch + day * 86400))
        e[status][dstr] = e[status].get(dstr, 0) + cnt
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump({"start": a.start, "days": a.days, "account": a.account, "principals": per}, f, separators=(",", ":"), sort_keys=True)
    top = sorted(((v["records"], k, v["kind"]) for k, v in per.items()), reverse=True)
    manifest = {
        "generator": os.path.abspath(__file__), "seed": a.seed, "records_requested": a.records, "records": tot_n,
        "principals": a.principals, "account": a.account, "start": a.start, "days": a.days, "files": len(files),
        "bytes_gz": tot_gz, "bytes_uncompressed": tot_raw, "avg_record_bytes": round(tot_raw / max(1, tot_n), 1),
        "compression_ratio": round(tot_raw / max(1, tot_gz), 2),
        "target_role_arn": principals[1].arn, "target_role_records": per.get(principals[1].arn, {}).get("records", 0),
        "log_dir": os.path.join(os.path.abspath(a.out), "AWSLogs"),
        "top_principals": [{"arn": k, "kind": kind, "records": n} for n, k, kind in top[:15]],
        "generation_seconds": round(time.time() - t0, 1),
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps({k: v for k, v in manifest.items() if k != "top_principals"}, indent=1))


def _acc(res_, truth):
    for k, v in res_[4].items():
        truth[k] = truth.get(k, 0) + v


def cmd_expect(a):
    with open(a.truth) as f:
        T = json.load(f)
    ent = T["principals"].get(a.principal)
    if ent is None:
        sys.exit(f"principal {a.principal} not in truth file")
    acts, events = set(), {}
    for k, e in ent["events"].items():
        statuses = ["ok", "error"] + (["denied"] if a.include_denied else [])
        n = sum(c for s in statuses for d, c in e[s].items() if a.from_ <= d < a.to)
        if n:
            events[k] = n
            acts.update(e["iam"])
    print(json.dumps({"principal": a.principal, "from": a.from_, "to_exclusive": a.to, "actions": sorted(acts),
                      "events": dict(sorted(events.items()))}, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a corpus")
    g.add_argument("--out", required=True, help="output dir (logs go to OUT/AWSLogs/...)")
    g.add_argument("--records", type=int, default=100_000)
    g.add_argument("--principals", type=int, default=200)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--start", default="2024-01-01", help="first UTC day (YYYY-MM-DD)")
    g.add_argument("--days", type=int, default=90)
    g.add_argument("--account", default="123456789012")
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes (output does not depend on it)")
    e = sub.add_parser("expect", help="expected IAM actions for a principal and a day window, from truth.json")
    e.add_argument("--truth", required=True)
    e.add_argument("--principal", required=True, help="role ARN (arn:aws:iam::ACCT:role/...) or user ARN")
    e.add_argument("--from", dest="from_", required=True, help="first day, inclusive (YYYY-MM-DD)")
    e.add_argument("--to", required=True, help="last day, exclusive (YYYY-MM-DD)")
    e.add_argument("--include-denied", action="store_true")
    a = ap.parse_args()
    if a.cmd == "generate":
        cmd_generate(a)
    else:
        cmd_expect(a)


if __name__ == "__main__":
    main()
