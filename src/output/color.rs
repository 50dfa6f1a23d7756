//! Whether the summary on stderr is coloured: `--color auto|always|never`, with `auto` colouring only a
//! terminal, and never when `NO_COLOR` is set to anything (https://no-color.org) or `TERM` is `dumb`.

use super::ColorChoice;
use std::io::IsTerminal;

/// Whether to colour stderr under `choice`, from the environment and whether stderr is a terminal.
pub fn color_enabled(choice: ColorChoice) -> bool {
    decide(
        choice,
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        std::env::var("TERM").is_ok_and(|t| t == "dumb"),
    )
}

fn decide(choice: ColorChoice, terminal: bool, no_color: bool, dumb: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && !no_color && !dumb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_and_dumb_terminals_win_over_auto_only() {
        assert!(decide(ColorChoice::Auto, true, false, false));
        assert!(!decide(ColorChoice::Auto, false, false, false));
        assert!(!decide(ColorChoice::Auto, true, true, false));
        assert!(!decide(ColorChoice::Auto, true, false, true));
        assert!(decide(ColorChoice::Always, false, true, false));
        assert!(!decide(ColorChoice::Never, true, false, false));
    }
}
