//! The identifiers users give and records carry, each with its one parser: an AWS account ID and a region
//! name. (ARNs and actions have theirs in [`crate::arn`] and [`crate::action`].)

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("`{0}` is not an account ID (12 digits)")]
    Account(String),
    #[error("`{0}` is not a region name (like `us-east-1`)")]
    Region(String),
}

/// A 12-digit AWS account ID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(String);

impl FromStr for AccountId {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, IdError> {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccountId(text.to_string()))
        } else {
            Err(IdError::Account(text.to_string()))
        }
    }
}

/// An AWS region name: lowercase letters, digits and at least two dashes (`us-east-1`, `us-gov-west-1`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(String);

impl FromStr for Region {
    type Err = IdError;
    fn from_str(text: &str) -> Result<Self, IdError> {
        let text = text.trim();
        let valid = text.split('-').count() >= 3
            && text.split('-').all(|part| !part.is_empty())
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if valid {
            Ok(Region(text.to_string()))
        } else {
            Err(IdError::Region(text.to_string()))
        }
    }
}

macro_rules! as_text {
    ($($id:ident),*) => {$(
        impl $id {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $id {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Sets of them are looked up by the text a record carries.
        impl Borrow<str> for $id {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    )*};
}

as_text!(AccountId, Region);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn parse_and_look_up_by_text() {
        let account: AccountId = "111122223333".parse().expect("valid");
        assert_eq!(account.to_string(), "111122223333");
        assert!(BTreeSet::from([account]).contains("111122223333"));
        for bad in ["12", "11112222333a", "1111222233334"] {
            assert!(bad.parse::<AccountId>().is_err(), "{bad}");
        }
        assert!("us-gov-west-1".parse::<Region>().is_ok());
        for bad in ["us-east", "US-EAST-1", "us--1", "all"] {
            assert!(bad.parse::<Region>().is_err(), "{bad}");
        }
    }
}
