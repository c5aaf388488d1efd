//! A progress bar on the terminal for long work, shown only once the work
//! has taken more than a moment so that quick builds stay quiet.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

const DELAY: Duration = Duration::from_millis(400);

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: Mutex<bool>,
}

impl Progress {
    /// A bar of `total` steps; `enabled` false makes every call a no-op.
    pub fn new(enabled: bool, total: u64, label: &'static str) -> Progress {
        let bar = enabled.then(|| {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            b.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b.set_message(label);
            b
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: Mutex::new(false),
        }
    }

    pub fn inc(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if self.started.elapsed() > DELAY {
            if let Ok(mut shown) = self.shown.try_lock() {
                if !*shown {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    *shown = true;
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
