data "aws_iam_policy_document" "build-agent" {
  version = "2012-10-17"

  statement {
    sid    = "Cloudformation8191FD31"
    effect = "Allow"
    actions = [
      "cloudformation:DescribeStackEvents",
    ]
    resources = [
      "arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "Cloudformation9D90911E"
    effect = "Allow"
    actions = [
      "cloudformation:CreateChangeSet",
      "cloudformation:DescribeStacks",
      "cloudformation:ExecuteChangeSet",
    ]
    resources = [
      "arn:aws:cloudformation:eu-west-1:111122223333:stack/acme-api/*",
      "arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "Ecr43FE1CC4"
    effect = "Allow"
    actions = [
      "ecr:GetAuthorizationToken",
    ]
    resources = [
      "*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "EcrEB8E9374"
    effect = "Allow"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:CompleteLayerUpload",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [
      "arn:aws:ecr:eu-west-1:111122223333:repository/build-agent/app",
      "arn:aws:ecr:us-east-1:111122223333:repository/build-agent/app",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "Ecs22E14A22"
    effect = "Allow"
    actions = [
      "ecs:UpdateService",
    ]
    resources = [
      "arn:aws:ecs:eu-west-1:111122223333:service/acme/acme-api",
      "arn:aws:ecs:us-east-1:111122223333:service/acme/acme-api",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "EcsA7800904"
    effect = "Allow"
    actions = [
      "ecs:RegisterTaskDefinition",
    ]
    resources = [
      "arn:aws:ecs:eu-west-1:111122223333:task-definition/acme-api:*",
      "arn:aws:ecs:us-east-1:111122223333:task-definition/acme-api:*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "IamD20DAE3B"
    effect = "Allow"
    actions = [
      "iam:PassRole",
    ]
    resources = [
      "arn:aws:iam::111122223333:role/acme-api-task",
      "arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
    ]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid    = "Kms53773C39"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
    ]
    resources = [
      "arn:aws:kms:eu-west-1:111122223333:key/2b164095-6f02-424f-9f4e-2166ede18709",
      "arn:aws:kms:us-east-1:111122223333:key/78513033-587e-4f7e-8859-194258220bac",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "Lambda64FC479C"
    effect = "Allow"
    actions = [
      "lambda:GetFunction",
      "lambda:UpdateFunctionCode",
      "lambda:UpdateFunctionConfiguration",
    ]
    resources = [
      "arn:aws:lambda:eu-west-1:111122223333:function:acme-api",
      "arn:aws:lambda:us-east-1:111122223333:function:acme-api",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "Logs4B7A6416"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = [
      "arn:aws:logs:eu-west-1:111122223333:log-group:/acme/ci/build-agent:log-stream:gh-run-*",
      "arn:aws:logs:us-east-1:111122223333:log-group:/acme/ci/build-agent:log-stream:gh-run-*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "LogsD1E2760E"
    effect = "Allow"
    actions = [
      "logs:PutRetentionPolicy",
    ]
    resources = [
      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/acme-api:*",
      "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/acme-api:*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }

  statement {
    sid    = "S32739B2E3"
    effect = "Allow"
    actions = [
      "s3:ListBucket",
    ]
    resources = [
      "arn:aws:s3:::acme-build-artifacts",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "S37900E1F9"
    effect = "Allow"
    actions = [
      "s3:PutObject",
    ]
    resources = [
      "arn:aws:s3:::acme-build-artifacts/builds/*/bundle.zip",
      "arn:aws:s3:::acme-build-artifacts/cfn/acme-api-*.yaml",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "S3FD0DDBFC"
    effect = "Allow"
    actions = [
      "s3:GetObject",
    ]
    resources = [
      "arn:aws:s3:::acme-build-artifacts/cache/node_modules-*.tar.zst",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["us-east-1"]
    }
  }

  statement {
    sid    = "Ssm46EB2C70"
    effect = "Allow"
    actions = [
      "ssm:GetParameter",
    ]
    resources = [
      "arn:aws:ssm:eu-west-1:111122223333:parameter/acme/build/token",
      "arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1", "us-east-1"]
    }
  }
}
