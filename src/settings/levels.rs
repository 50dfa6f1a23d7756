//! `--allow`, `--warn`, `--deny CODE` and `--deny-warnings` as one [`Levels`].

use crate::cli::GenerateArgs;
use crate::report::{Code, Level, Levels, Severity};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LevelError {
    #[error(
        "`{0}` is no diagnostic code (docs/diagnostics.md lists them, e.g. `wildcard-resource`)"
    )]
    Unknown(String),
    #[error("`{code}` is given two levels, `{first}` and `{second}`: give one")]
    Twice {
        code: String,
        first: &'static str,
        second: &'static str,
    },
    #[error("`{0}` means the policy may miss calls: it always fails the run (exit 1), and cannot be allowed or only warned about")]
    Incomplete(String),
}

pub fn levels(args: &GenerateArgs) -> Result<Levels, LevelError> {
    let mut out = Levels {
        deny_warnings: args.deny_warnings,
        ..Levels::default()
    };
    let given = [
        (Level::Allow, &args.allow),
        (Level::Warn, &args.warn),
        (Level::Deny, &args.deny),
    ];
    for (level, codes) in given {
        for text in codes {
            let code = Code::parse(text).ok_or_else(|| LevelError::Unknown(text.clone()))?;
            if code.severity() == Severity::Incomplete && level != Level::Deny {
                return Err(LevelError::Incomplete(text.clone()));
            }
            if let Some(first) = out.set.insert(code, level).filter(|l| *l != level) {
                return Err(LevelError::Twice {
                    code: text.clone(),
                    first: first.as_str(),
                    second: level.as_str(),
                });
            }
        }
    }
    Ok(out)
}
