//! An action in flight: while a server call a button started is running, the buttons it governs
//! are disabled and marked busy (the stylesheet shows progress), and they come back when it ends,
//! whether it succeeded or failed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

/// Whether an action of a page (or form) is running.
#[derive(Clone, Copy)]
pub struct Busy(RwSignal<bool>);

impl Busy {
    /// Idle.
    pub fn new() -> Self {
        Self(RwSignal::new(false))
    }

    /// Whether an action is running (tracked: buttons bind `disabled` and `aria-busy` to it).
    pub fn get(self) -> bool {
        self.0.get()
    }

    /// Runs `action` in the background unless one is already running (a second click is
    /// ignored); busy until it ends.
    pub fn run(self, action: impl Future<Output = ()> + 'static) {
        if self.0.get_untracked() {
            return;
        }
        self.0.set(true);
        spawn_local(async move {
            action.await;
            // The page may be gone by now; then nothing is left to re-enable.
            let _ = self.0.try_set(false);
        });
    }
}

impl Default for Busy {
    fn default() -> Self {
        Self::new()
    }
}
