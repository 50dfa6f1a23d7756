data "aws_iam_policy_document" "build-agent" {
  version = "2012-10-17"

  statement {
    sid    = "Cloudformation5DD77103"
    effect = "Allow"
    actions = [
      "cloudformation:DescribeStackResource",
      "cloudformation:GetTemplate*",
    ]
    resources = [
      "arn:aws:cloudformation:us-east-1:111122223333:stack/web/*",
    ]
  }

  statement {
    sid    = "Cloudformation5FD28DEB"
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
  }

  statement {
    sid    = "CloudformationAE8B6352"
    effect = "Allow"
    actions = [
      "cloudformation:DescribeStackEvents",
    ]
    resources = [
      "arn:aws:cloudformation:us-east-1:111122223333:stack/acme-api/*",
    ]
  }

  statement {
    sid    = "EcrAllResources"
    effect = "Allow"
    actions = [
      "ecr:GetAuthorizationToken",
    ]
    resources = [
      "*",
    ]
  }

  statement {
    sid    = "EcrFE7B75ED"
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
  }

  statement {
    sid    = "Ecs712E689F"
    effect = "Allow"
    actions = [
      "ecs:UpdateService",
    ]
    resources = [
      "arn:aws:ecs:eu-west-1:111122223333:service/acme/acme-api",
      "arn:aws:ecs:us-east-1:111122223333:service/acme/acme-api",
    ]
  }

  statement {
    sid    = "Ecs91736F3D"
    effect = "Allow"
    actions = [
      "ecs:RegisterTaskDefinition",
    ]
    resources = [
      "arn:aws:ecs:eu-west-1:111122223333:task-definition/acme-api:*",
      "arn:aws:ecs:us-east-1:111122223333:task-definition/acme-api:*",
    ]
  }

  statement {
    sid    = "Iam8EF7A67A"
    effect = "Allow"
    actions = [
      "iam:PassRole",
    ]
    resources = [
      "arn:aws:iam::111122223333:role/acme-api-task",
      "arn:aws:iam::111122223333:role/ecsTaskExecutionRole",
    ]
  }

  statement {
    sid    = "Kms0FC4294A"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
    ]
    resources = [
      "arn:aws:kms:eu-west-1:111122223333:key/2b164095-6f02-424f-9f4e-2166ede18709",
      "arn:aws:kms:us-east-1:111122223333:key/78513033-587e-4f7e-8859-194258220bac",
    ]
  }

  statement {
    sid    = "LambdaC1BC0875"
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
  }

  statement {
    sid    = "Logs3E8CF9C3"
    effect = "Allow"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = [
      "arn:aws:logs:eu-west-1:111122223333:log-group:/acme/ci/build-agent:log-stream:gh-run-*",
      "arn:aws:logs:us-east-1:111122223333:log-group:/acme/ci/build-agent:log-stream:gh-run-*",
    ]
  }

  statement {
    sid    = "Logs90DC4D9B"
    effect = "Allow"
    actions = [
      "logs:PutRetentionPolicy",
    ]
    resources = [
      "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/acme-api:*",
      "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/acme-api:*",
    ]
  }

  statement {
    sid    = "S36B2C030A"
    effect = "Allow"
    actions = [
      "s3:PutObject",
    ]
    resources = [
      "arn:aws:s3:::acme-build-artifacts/builds/*/bundle.zip",
      "arn:aws:s3:::acme-build-artifacts/cfn/acme-api-*.yaml",
    ]
  }

  statement {
    sid    = "S3B2077078"
    effect = "Allow"
    actions = [
      "s3:ListBucket",
    ]
    resources = [
      "arn:aws:s3:::acme-build-artifacts",
    ]
  }

  statement {
    sid    = "S3E85652C5"
    effect = "Allow"
    actions = [
      "s3:GetObject",
    ]
    resources = [
      "arn:aws:s3:::acme-build-artifacts/cache/node_modules-*.tar.zst",
    ]
  }

  statement {
    sid    = "Ssm397CB0EB"
    effect = "Allow"
    actions = [
      "ssm:GetParameter",
    ]
    resources = [
      "arn:aws:ssm:eu-west-1:111122223333:parameter/acme/build/token",
      "arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token",
      "arn:aws:ssm:us-east-1:111122223333:parameter/app/old-token",
    ]
  }

  statement {
    sid    = "SsmDE7B0747"
    effect = "Allow"
    actions = [
      "ssm:DeleteParameter*",
    ]
    resources = [
      "arn:aws:ssm:us-east-1:111122223333:parameter/app/old-token",
    ]
  }
}
