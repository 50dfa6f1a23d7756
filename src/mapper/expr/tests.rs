use super::*;
use serde_json::json;

fn no_pattern(_: &str) -> Option<Arc<LazyRegex>> {
    None
}

fn ctx<'a>(request: &'a Value, resources: &'a [(String, String)]) -> Context<'a> {
    Context {
        request: Some(request),
        response: None,
        additional: None,
        resources,
        partition: "aws",
        region: "us-east-1",
        account: "111122223333",
        caller: Caller::default(),
    }
}

#[test]
fn paths_and_arrays() {
    let request = json!({"transactItems": [{"put": {"tableName": "a"}}, {"delete": {"tableName": "b"}}, {"put": {"tableName": "c"}}]});
    let c = ctx(&request, &[]);
    let put = Expr::parse("req:transactItems[].put.tableName", no_pattern).expect("valid");
    assert_eq!(put.values(&c), ["a", "c"]);
    let exists = Expr::parse("req:transactItems[].delete", no_pattern).expect("valid");
    assert_eq!(exists.nodes(&c).len(), 1);
    let deep = Expr::parse("req:**", no_pattern).expect("valid");
    assert_eq!(deep.values(&c), ["a", "b", "c"]);
    assert!(Expr::parse("req:missing", no_pattern)
        .expect("valid")
        .values(&c)
        .is_empty());
}

#[test]
fn filters_and_flipped_case() {
    // The shape the DynamoDB Developer Guide documents for a TransactWriteItems record.
    let request = json!({"requestItems": [
        {"operation": "Put", "tableName": "a"},
        {"operation": "Delete", "TableName": "b"},
        {"operation": "Put", "TableName": "c"},
        {"operation": "Update"}
    ]});
    let c = ctx(&request, &[]);
    let put = Expr::parse("req:requestItems[operation=Put].tableName", no_pattern).expect("valid");
    assert_eq!(put.values(&c), ["a", "c"]);
    let delete =
        Expr::parse("req:requestItems[operation=Delete].tableName", no_pattern).expect("valid");
    assert_eq!(delete.values(&c), ["b"]);
    let update = Expr::parse("req:requestItems[operation=Update]", no_pattern).expect("valid");
    assert_eq!(update.nodes(&c).len(), 1);
    for bad in ["req:a[x=]", "req:a[=y]", "req:a[x=y", "req:a[x]"] {
        assert!(Expr::parse(bad, no_pattern).is_err(), "{bad}");
    }
}

#[test]
fn resources_and_patterns() {
    let resources = vec![(
        "AWS::KMS::Key".to_string(),
        "arn:aws:kms:us-east-1:1:key/k".to_string(),
    )];
    let request = json!({"queueUrl": "https://sqs.us-east-1.amazonaws.com/111122223333/jobs"});
    let c = ctx(&request, &resources);
    assert_eq!(
        Expr::parse("res:AWS::KMS::Key", no_pattern)
            .expect("valid")
            .values(&c),
        ["arn:aws:kms:us-east-1:1:key/k"]
    );
    let re = LazyRegex::new(r"/([^/]+)$");
    let expr = Expr::parse("req:queueUrl|queue_name", |_| Some(re.clone())).expect("valid");
    assert_eq!(expr.values(&c), ["jobs"]);
    assert!(Expr::parse("req:queueUrl|missing", no_pattern).is_err());
    assert!(Expr::parse("nope:x", no_pattern).is_err());
}

#[test]
fn concatenation_escapes_what_the_record_says_only() {
    let request = json!({"secretId": "db*prod", "ids": ["a", "b"]});
    let c = ctx(&request, &[]);
    let expr = Expr::parse("req:secretId + lit:-??????", no_pattern).expect("valid");
    assert_eq!(expr.values(&c), ["db*prod-??????"]);
    assert_eq!(expr.policy_values(&c), ["db${*}prod-??????"]);
    assert_eq!(expr.deliberate_wildcard(), Some("-??????"));
    let each = Expr::parse("lit:*/ + req:ids[]", no_pattern).expect("valid");
    assert_eq!(each.policy_values(&c), ["*/a", "*/b"]);
    // A term without a value leaves the whole expression without one.
    let missing = Expr::parse("req:nope + lit::*", no_pattern).expect("valid");
    assert!(missing.values(&c).is_empty());
    assert!(Expr::parse("lit:a + lit:b", no_pattern).is_err());
    // An empty literal is a value (an AWS-owned SSM document's empty account).
    assert_eq!(
        Expr::parse("lit:", no_pattern).expect("valid").values(&c),
        [""]
    );
}

#[test]
fn caller_fields() {
    let request = json!({});
    let mut c = ctx(&request, &[]);
    let user = Expr::parse("caller:user", no_pattern).expect("valid");
    let issuer = Expr::parse("caller:issuer", no_pattern).expect("valid");
    c.caller = Caller {
        kind: "IAMUser",
        arn: "arn:aws:iam::111122223333:user/ops/alice",
        issuer: "",
    };
    assert_eq!(
        user.values(&c),
        ["arn:aws:iam::111122223333:user/ops/alice"]
    );
    assert_eq!(
        issuer.values(&c),
        ["arn:aws:iam::111122223333:user/ops/alice"]
    );
    c.caller = Caller {
        kind: "AssumedRole",
        arn: "arn:aws:sts::111122223333:assumed-role/ci/s1",
        issuer: "arn:aws:iam::111122223333:role/build/ci",
    };
    assert!(user.values(&c).is_empty());
    assert_eq!(
        issuer.values(&c),
        ["arn:aws:iam::111122223333:role/build/ci"]
    );
    assert!(Expr::parse("caller:account", no_pattern).is_err());
}

#[test]
fn has_values_agrees_with_values() {
    let request = json!({"name": "a", "empty": "", "count": 0, "flag": false, "none": null,
        "list": ["", "b"], "blanks": ["", ""], "object": {"k": "v"}, "nested": [{"id": ""}]});
    let resources = [("AWS::S3::Bucket".to_string(), "arn:aws:s3:::b".to_string())];
    let c = ctx(&request, &resources);
    for text in [
        "req:name",
        "req:empty",
        "req:count",
        "req:flag",
        "req:none",
        "req:list[]",
        "req:blanks[]",
        "req:object",
        "req:nested[].id",
        "req:missing",
        "req:**",
        "res:AWS::S3::Bucket",
        "res:AWS::S3::Object",
        "lit:",
        "lit:x",
        "caller:user",
        "req:name + lit:-x",
        "req:empty + lit:-x",
    ] {
        let expr = Expr::parse(text, no_pattern).expect("valid");
        assert_eq!(expr.has_values(&c), !expr.values(&c).is_empty(), "{text}");
    }
}

#[test]
fn a_key_is_found_in_either_case_of_its_first_letter() {
    let long = format!("k{}", "x".repeat(80));
    let request = json!({"BucketName": "a", "bucketname": "wrong", "9lives": "n", "Éclair": "e",
        long.to_uppercase(): "long"});
    for (key, found) in [
        ("bucketName", Some("a")),
        ("BucketName", Some("a")),
        ("9lives", Some("n")),
        ("9Lives", None),
        ("éclair", None),
        ("", None),
        (long.as_str(), None),
        (&format!("K{}", "x".repeat(80)), None),
    ] {
        assert_eq!(
            lookup(&request, key).and_then(Value::as_str),
            found,
            "{key}"
        );
    }
    let upper = long.to_uppercase();
    let mixed = format!("k{}", &upper[1..]);
    assert_eq!(
        lookup(&request, &mixed).and_then(Value::as_str),
        Some("long")
    );
}
