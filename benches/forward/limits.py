"""Forward-validity workloads policygen is known to get wrong, scored with `--set limits` so that the figures
show where the principle stops (docs/forward-validity.md). Imported by workloads.py."""
from make_trail import ACCOUNT
from workloads import arn, at, days, workload


@workload("limits", role="branch-previewer")
def branch_previews(w):
    """Preview stacks named after branches: the names change without a digit in them, so nothing marks them as
    per-run until more than `--max-resources` of them appear."""
    region = "us-east-1"
    words = ["login", "search", "cart", "billing", "profile", "invoices", "dark-mode", "onboarding", "export",
             "filters", "emails", "reports", "settings", "sharing", "uploads", "audit", "tags", "pricing"]
    for n, day in enumerate(d for d in days() if d.weekday() < 5):
        branch = words[n % len(words)]
        stack = f"web-feature-{branch}"
        t = at(day, 14)
        ui = w.role("branch-previewer", "GitHubActions", t, web=True)
        stack_arn = arn("cloudformation", region, f"stack/{stack}/{w.uuid()}")
        w.call(ui, t, "cloudformation.amazonaws.com", "CreateStack", region, {"stackName": stack},
               {"stackId": stack_arn}, truth=[("cloudformation:CreateStack", stack_arn)])
    w.sibling("cloudformation:CreateStack", arn("cloudformation", region, f"stack/web-prod/{w.uuid()}"))


@workload("limits", role="test-runner")
def instance_siblings(w):
    """Instances launched and terminated per run: `instance/i-*` lets the role terminate any instance of the
    account, a sibling no name can tell apart (an `aws:ResourceTag` condition would)."""
    region = "us-east-1"
    for day in days(weekdays_only=True):
        t = at(day, 9)
        ui = w.role("test-runner", f"gh-run-{day:%j}", t, web=True)
        inst = w.ec2_id("i")
        w.call(ui, t, "ec2.amazonaws.com", "TerminateInstances", region,
               {"instancesSet": {"items": [{"instanceId": inst}]}},
               truth=[("ec2:TerminateInstances", arn("ec2", region, f"instance/{inst}"))])
    w.sibling("ec2:TerminateInstances", arn("ec2", region, f"instance/{w.ec2_id('i')}"))


_ = ACCOUNT
