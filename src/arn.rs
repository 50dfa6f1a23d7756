//! ARNs, with their one parser: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, split at the first five
//! colons (the resource part keeps its own, `log-group:NAME:*`). A colon inside a `${…}` policy variable
//! (`${aws:PrincipalAccount}`) does not split, so the same parser reads the `Resource` patterns of a policy.
//! Parsing borrows and allocates nothing: it runs once per record.

use std::fmt;

/// An ARN, borrowed from the text it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    text: &'a str,
    partition: &'a str,
    service: &'a str,
    region: &'a str,
    account: &'a str,
    resource: &'a str,
}

impl<'a> Arn<'a> {
    /// The ARN `text` is, if it is one: `arn:` and five more colon-separated parts (any may be empty, as
    /// the region and account of an S3 ARN are).
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        match segments(text).as_slice() {
            &["arn", partition, service, region, account, resource] => Some(Arn {
                text,
                partition,
                service,
                region,
                account,
                resource,
            }),
            _ => None,
        }
    }

    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub fn partition(&self) -> &'a str {
        self.partition
    }

    /// The service prefix: `s3`, `iam`, `logs`.
    pub fn service(&self) -> &'a str {
        self.service
    }

    /// Empty for global resources (IAM, S3 buckets).
    pub fn region(&self) -> &'a str {
        self.region
    }

    /// Empty for S3 buckets; `aws` for AWS-owned resources (managed policies).
    pub fn account(&self) -> &'a str {
        self.account
    }

    /// Everything after the fifth colon: `role/ci/deployer`, `log-group:/ci/app:*`, `bucket/key`.
    pub fn resource(&self) -> &'a str {
        self.resource
    }

    /// The text before the resource part, its last colon included: `arn:aws:logs:us-east-1:111122223333:`.
    pub fn head(&self) -> &'a str {
        &self.text[..self.text.len() - self.resource.len()]
    }

    pub fn as_str(&self) -> &'a str {
        self.text
    }
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

/// Text split at its first five colons outside `${…}` policy variables: at most six parts.
#[derive(Debug, Clone, Copy)]
pub struct Segments<'a> {
    parts: [&'a str; 6],
    len: usize,
}

impl<'a> Segments<'a> {
    pub fn as_slice(&self) -> &[&'a str] {
        &self.parts[..self.len]
    }
}

/// `text` split at its first five colons, where a colon inside a `${...}` policy variable does not count:
/// `arn`, partition, service, region, account and the rest, or fewer parts when it has fewer colons. The
/// parser of [`Arn`]; policy evaluation matches a `Resource` pattern part by part with it.
pub fn segments(text: &str) -> Segments<'_> {
    let mut parts = [""; 6];
    let mut len = 0;
    let mut start = 0;
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                parts[len] = &text[start..i];
                len += 1;
                start = i + 1;
                if len == 5 {
                    break;
                }
            }
            _ => {}
        }
    }
    parts[len] = &text[start..];
    Segments {
        parts,
        len: len + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_an_arn() {
        let arn =
            Arn::parse("arn:aws:logs:us-east-1:111122223333:log-group:/ci/app:*").expect("an ARN");
        assert_eq!(
            (arn.partition(), arn.service(), arn.region(), arn.account()),
            ("aws", "logs", "us-east-1", "111122223333")
        );
        assert_eq!(arn.resource(), "log-group:/ci/app:*");
        assert_eq!(arn.head(), "arn:aws:logs:us-east-1:111122223333:");
        let bucket = Arn::parse("arn:aws-cn:s3:::b/k:x").expect("an ARN");
        assert_eq!((bucket.region(), bucket.account()), ("", ""));
        assert_eq!(
            (bucket.head(), bucket.resource()),
            ("arn:aws-cn:s3:::", "b/k:x")
        );
        for not in ["*", "arn:aws:s3", "arn:aws:iam::1", "urn:aws:s3:::b", ""] {
            assert_eq!(Arn::parse(not), None, "{not}");
        }
        assert_eq!(
            Arn::parse("arn:aws:iam::111122223333:").map(|a| a.resource()),
            Some("")
        );
    }

    #[test]
    fn policy_variables_do_not_split() {
        assert_eq!(
            segments("arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}").as_slice(),
            [
                "arn",
                "aws",
                "iam",
                "",
                "${aws:PrincipalAccount}",
                "user/${aws:username}"
            ]
        );
        let arn = Arn::parse("arn:aws:iam::${aws:PrincipalAccount}:user/x").expect("an ARN");
        assert_eq!(arn.account(), "${aws:PrincipalAccount}");
        assert_eq!(segments("arn:aws:s3").as_slice(), ["arn", "aws", "s3"]);
        assert_eq!(segments("*").as_slice(), ["*"]);
    }
}
