//! How many live streams each caller holds open in this process, so that one session or key
//! cannot tie up the server's connections and database with endless tails.

use crate::service::Credential;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Most live streams one session or API key may hold open at once.
pub const MAX_STREAMS_PER_CALLER: usize = 5;

/// The open streams, counted per caller.
#[derive(Default)]
pub struct StreamSlots(Mutex<HashMap<Credential, usize>>);

/// One open stream's place, given back when dropped.
pub struct StreamSlot {
    slots: Arc<StreamSlots>,
    holder: Credential,
}

impl StreamSlots {
    /// A place for one more stream of `holder`, unless it already holds the most allowed.
    pub fn take(self: &Arc<Self>, holder: &Credential) -> Option<StreamSlot> {
        let mut open = self.open();
        let held = open.entry(holder.clone()).or_default();
        if *held >= MAX_STREAMS_PER_CALLER {
            return None;
        }
        *held += 1;
        Some(StreamSlot {
            slots: self.clone(),
            holder: holder.clone(),
        })
    }

    /// The counts; a panic while they were held leaves them consistent (each change is one step).
    fn open(&self) -> MutexGuard<'_, HashMap<Credential, usize>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open();
        if let Some(held) = open.get_mut(&self.holder) {
            *held -= 1;
            if *held == 0 {
                open.remove(&self.holder);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_holds_at_most_five_streams_and_a_dropped_one_frees_its_place() {
        let slots = Arc::new(StreamSlots::default());
        let key = Credential::ApiKey("atr_one".into());
        let held: Vec<_> = (0..MAX_STREAMS_PER_CALLER)
            .map(|_| slots.take(&key).expect("a free place"))
            .collect();
        assert!(slots.take(&key).is_none(), "a sixth stream is refused");
        assert!(
            slots.take(&Credential::Session("other".into())).is_some(),
            "another caller has places of its own"
        );
        drop(held);
        assert!(slots.open().is_empty(), "no count is left behind");
        assert!(slots.take(&key).is_some());
    }
}
