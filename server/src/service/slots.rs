//! Places for long-running work, counted per holder in this process, so that one holder cannot
//! tie up the server's connections, CPU and database: live streams per caller, exports per
//! organization. Beyond its places a holder is answered 429 at once instead of queueing.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The places taken, counted per holder, at most `most` each.
pub struct Slots<K> {
    most: usize,
    taken: Mutex<HashMap<K, usize>>,
}

/// One taken place, given back when dropped.
pub struct Slot<K: Eq + Hash> {
    slots: Arc<Slots<K>>,
    holder: K,
}

impl<K: Eq + Hash + Clone> Slots<K> {
    /// Places for at most `most` pieces of work per holder at once.
    pub fn new(most: usize) -> Self {
        Self {
            most,
            taken: Mutex::default(),
        }
    }

    /// A place for one more piece of work of `holder`, unless it already holds the most allowed.
    pub fn take(self: &Arc<Self>, holder: &K) -> Option<Slot<K>> {
        let mut taken = self.taken();
        let held = taken.entry(holder.clone()).or_default();
        if *held >= self.most {
            return None;
        }
        *held += 1;
        Some(Slot {
            slots: self.clone(),
            holder: holder.clone(),
        })
    }
}

impl<K: Eq + Hash> Slots<K> {
    /// The counts; a panic while they were held leaves them consistent (each change is one step).
    fn taken(&self) -> MutexGuard<'_, HashMap<K, usize>> {
        self.taken.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K: Eq + Hash> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut taken = self.slots.taken();
        if let Some(held) = taken.get_mut(&self.holder) {
            *held -= 1;
            if *held == 0 {
                taken.remove(&self.holder);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_takes_at_most_its_places_and_a_dropped_one_frees_its_place() {
        let slots = Arc::new(Slots::new(5));
        let held: Vec<_> = (0..5)
            .map(|_| slots.take(&"one").expect("a free place"))
            .collect();
        assert!(slots.take(&"one").is_none(), "a sixth is refused");
        assert!(
            slots.take(&"other").is_some(),
            "another holder has places of its own"
        );
        drop(held);
        assert!(slots.taken().is_empty(), "no count is left behind");
        assert!(slots.take(&"one").is_some());
    }
}
