//! Progress drawn on stderr while a source is read: built hidden unless the binary says stderr is a
//! terminal (and not `--quiet`), so captured output never holds it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of the bytes of `objects` objects read (`total` bytes), on stderr, named `label`; hidden unless
/// `enabled`. The caller counts the objects in its message.
pub fn bytes_bar(label: &str, total: u64, objects: usize, enabled: bool) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} {label} [{{elapsed}}] {{bar:28}} {{binary_bytes}}/{{binary_total_bytes}} {{binary_bytes_per_sec}} eta {{eta}} {{msg}}"
    )) {
        bar.set_style(style);
    }
    bar.set_message(format!("0/{objects} objects"));
    bar
}

/// A spinner drawn as `template` (indicatif's, with `{msg}` for `message`), ticking while the caller works
/// without a total to show; hidden unless `enabled`.
pub fn spinner(enabled: bool, template: &str, message: String) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        spinner.set_style(style);
    }
    spinner.set_message(message);
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}
