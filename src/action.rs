//! IAM actions, with their one parser: `prefix:Name`, a service prefix and an action name, either of which
//! may be a pattern (`s3:Get*`, `*:List*`) in a policy. AWS writes the prefix in lower case and the name in
//! PascalCase; IAM compares both without regard to case, and so does [`Action`].

use std::fmt;

/// An action or action pattern, borrowed from the text it was parsed from.
#[derive(Debug, Clone, Copy)]
pub struct Action<'a> {
    text: &'a str,
    colon: usize,
}

impl<'a> Action<'a> {
    /// The action `text` is, if it is one: a prefix of letters, digits and `-`, a colon, and a name of
    /// letters, digits and `-`; `*` and `?` may stand in either. `*` alone (every action) is no `Action`.
    pub fn parse(text: &'a str) -> Option<Action<'a>> {
        let colon = text.find(':')?;
        let valid = |part: &str| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'*' | b'?'))
        };
        (valid(&text[..colon]) && valid(&text[colon + 1..])).then_some(Action { text, colon })
    }

    /// The service prefix, as written: `s3`.
    pub fn prefix(&self) -> &'a str {
        &self.text[..self.colon]
    }

    /// The action name, as written: `GetObject`.
    pub fn name(&self) -> &'a str {
        &self.text[self.colon + 1..]
    }

    /// Whether it has a wildcard: a pattern that may stand for several actions.
    pub fn is_pattern(&self) -> bool {
        self.text.contains(['*', '?'])
    }

    /// Whether it is the action `other` (`prefix:Name`), compared as IAM compares actions.
    pub fn is(&self, other: &str) -> bool {
        self.text.eq_ignore_ascii_case(other)
    }

    pub fn as_str(&self) -> &'a str {
        self.text
    }
}

/// IAM compares actions without regard to case: `S3:getobject` is `s3:GetObject`.
impl PartialEq for Action<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.is(other.text)
    }
}

impl Eq for Action<'_> {}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_name() {
        let action = Action::parse("s3:GetObject").expect("an action");
        assert_eq!((action.prefix(), action.name()), ("s3", "GetObject"));
        assert!(!action.is_pattern());
        assert_eq!(Action::parse("S3:getobject"), Some(action));
        assert!(action.is("s3:getObject"));
        let pattern = Action::parse("kafka-cluster:Describe*").expect("a pattern");
        assert_eq!(pattern.prefix(), "kafka-cluster");
        assert!(pattern.is_pattern());
        assert!(Action::parse("*:List*").is_some());
        assert!(Action::parse("vpc-lattice:AssociateViaAWSService-EventsAndStates").is_some());
        for not in [
            "*",
            "s3",
            "s3:",
            ":Get",
            "s3:Get:Object",
            "s3:Get Object",
            "s3:Get_Object",
        ] {
            assert!(Action::parse(not).is_none(), "{not}");
        }
    }
}
