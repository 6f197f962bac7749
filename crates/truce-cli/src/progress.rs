//! Progress for work that is usually instant: a spinner appears on stderr
//! only once the work has taken more than a second, and only on a terminal.

use std::sync::mpsc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs `work`; if it is still running after a second, shows `message`
/// with a spinner until it ends.
pub fn after_a_second<T>(message: &str, work: impl FnOnce() -> T) -> T {
    let (done, wait) = mpsc::channel::<()>();
    let message = message.to_owned();
    let spinner = std::thread::spawn(move || {
        if wait.recv_timeout(Duration::from_secs(1)) != Err(mpsc::RecvTimeoutError::Timeout) {
            return;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(120));
        let _ = wait.recv();
        bar.finish_and_clear();
    });
    let out = work();
    let _ = done.send(());
    let _ = spinner.join();
    out
}
