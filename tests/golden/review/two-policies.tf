data "aws_iam_policy_document" "build-agent" {
  version = "2012-10-17"

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
    sid    = "SsmADD50429"
    effect = "Allow"
    actions = [
      "ssm:GetParameter",
    ]
    resources = [
      "arn:aws:ssm:eu-west-1:111122223333:parameter/acme/build/token",
      "arn:aws:ssm:us-east-1:111122223333:parameter/acme/build/token",
    ]
  }

  statement {
    sid    = "NotLoggedDynamodbEsExecuteApiKafkaClusterKinesisLambdaNepAllResources"
    effect = "Allow"
    actions = [
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DeleteItem",
      "dynamodb:GetItem",
      "dynamodb:PartiQLDelete",
      "dynamodb:PartiQLInsert",
      "dynamodb:PartiQLSelect",
      "dynamodb:PartiQLUpdate",
      "dynamodb:PutItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:UpdateItem",
      "es:ESHttpDelete",
      "es:ESHttpGet",
      "es:ESHttpHead",
      "es:ESHttpPatch",
      "es:ESHttpPost",
      "es:ESHttpPut",
      "execute-api:InvalidateCache",
      "execute-api:Invoke",
      "execute-api:ManageConnections",
      "kafka-cluster:AlterCluster",
      "kafka-cluster:AlterClusterDynamicConfiguration",
      "kafka-cluster:AlterGroup",
      "kafka-cluster:AlterTopic",
      "kafka-cluster:AlterTopicDynamicConfiguration",
      "kafka-cluster:AlterTransactionalId",
      "kafka-cluster:Connect",
      "kafka-cluster:CreateTopic",
      "kafka-cluster:DeleteGroup",
      "kafka-cluster:DeleteTopic",
      "kafka-cluster:DescribeCluster",
      "kafka-cluster:DescribeClusterDynamicConfiguration",
      "kafka-cluster:DescribeGroup",
      "kafka-cluster:DescribeTopic",
      "kafka-cluster:DescribeTopicDynamicConfiguration",
      "kafka-cluster:DescribeTransactionalId",
      "kafka-cluster:ReadData",
      "kafka-cluster:WriteData",
      "kafka-cluster:WriteDataIdempotently",
      "kinesis:GetRecords",
      "kinesis:GetShardIterator",
      "kinesis:PutRecord",
      "kinesis:PutRecords",
      "kinesis:SubscribeToShard",
      "lambda:InvokeFunction",
      "lambda:InvokeFunctionUrl",
      "neptune-db:CancelLoaderJob",
      "neptune-db:CancelMLDataProcessingJob",
      "neptune-db:CancelMLModelTrainingJob",
      "neptune-db:CancelMLModelTransformJob",
      "neptune-db:CancelQuery",
      "neptune-db:CreateMLEndpoint",
      "neptune-db:DeleteDataViaQuery",
      "neptune-db:DeleteMLEndpoint",
      "neptune-db:DeleteStatistics",
      "neptune-db:GetEngineStatus",
      "neptune-db:GetGraphSummary",
      "neptune-db:GetLoaderJobStatus",
      "neptune-db:GetMLDataProcessingJobStatus",
      "neptune-db:GetMLEndpointStatus",
      "neptune-db:GetMLModelTrainingJobStatus",
      "neptune-db:GetMLModelTransformJobStatus",
      "neptune-db:GetQueryStatus",
      "neptune-db:GetStatisticsStatus",
      "neptune-db:GetStreamRecords",
      "neptune-db:ListLoaderJobs",
      "neptune-db:ListMLDataProcessingJobs",
      "neptune-db:ListMLEndpoints",
      "neptune-db:ListMLModelTrainingJobs",
      "neptune-db:ListMLModelTransformJobs",
      "neptune-db:ManageStatistics",
      "neptune-db:ReadDataViaQuery",
      "neptune-db:ResetDatabase",
      "neptune-db:StartLoaderJob",
      "neptune-db:StartMLDataProcessingJob",
      "neptune-db:StartMLModelTrainingJob",
      "neptune-db:StartMLModelTransformJob",
      "neptune-db:WriteDataViaQuery",
      "neptune-db:connect",
      "rds-db:connect",
      "sns:Publish",
      "sqs:ChangeMessageVisibility",
      "sqs:DeleteMessage",
      "sqs:ReceiveMessage",
      "sqs:SendMessage",
    ]
    resources = [
      "*",
    ]
  }

  statement {
    sid    = "PassOnlyFromEurope"
    effect = "Allow"
    actions = [
      "iam:PassRole",
    ]
    resources = [
      "arn:aws:iam::111122223333:role/*",
    ]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestedRegion"
      values   = ["eu-west-1"]
    }
  }

  statement {
    sid    = "NoRoleChanges"
    effect = "Deny"
    actions = [
      "iam:*Role*",
    ]
    resources = [
      "*",
    ]

    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }

  statement {
    sid    = "NoParameterWrites"
    effect = "Deny"
    actions = [
      "ssm:Put*",
      "ssm:Delete*",
    ]
    resources = [
      "*",
    ]
  }
}
