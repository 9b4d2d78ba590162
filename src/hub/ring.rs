//! [`Ring`]: one topic's bounded history, which is also the live buffer its subscribers read.
//!
//! Subscribers do not get a queue of their own: each keeps the position of the last entry it
//! sent and reads the shared ring from there, so an idle subscriber costs a waker slot, and
//! one that falls behind costs nothing until its unread entries are evicted (it lags).

use super::position::Pos;
use crate::field::EventId;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use bytes::Bytes;
use core::task::Waker;
use core::time::Duration;
use tokio::time::Instant;

/// One published event, as every subscriber of the topic gets it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) pos: Pos,
    pub(crate) id: EventId,
    pub(crate) bytes: Bytes,
    pub(crate) at: Instant,
}

/// The bounds a ring keeps to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) events: usize,
    pub(crate) bytes: usize,
    pub(crate) age: Option<Duration>,
}

/// A subscriber's place in the ring's waker list.
#[derive(Debug)]
enum Slot {
    Free,
    Idle,
    Waiting(Waker),
}

/// What a subscriber finds after its position.
pub(crate) enum Next<'a> {
    /// The first entry after it, and whether it is the newest.
    Entry(&'a Entry, bool),
    /// Nothing yet.
    Nothing,
    /// Entries after it were evicted: it cannot go on without a gap.
    Lagged,
}

#[derive(Debug, Default)]
pub(crate) struct Ring {
    entries: VecDeque<Entry>,
    bytes: usize,
    /// The newest position evicted: a subscriber behind it missed something.
    evicted: Pos,
    slots: Vec<Slot>,
    free: Vec<u32>,
    subscribers: usize,
}

impl Ring {
    /// An empty ring that counts everything up to `evicted` as lost (a topic that existed
    /// before and was removed may have held events up to there).
    pub(crate) fn new(evicted: Pos) -> Self {
        Self {
            evicted,
            ..Self::default()
        }
    }

    /// Adds the newest entry and evicts the oldest beyond the bounds (the newest stays, so
    /// live subscribers get it however large it is).
    pub(crate) fn push(&mut self, entry: Entry, bounds: &Bounds) {
        self.bytes += entry.bytes.len();
        self.entries.push_back(entry);
        while self.entries.len() > 1
            && (self.entries.len() > bounds.events || self.bytes > bounds.bytes)
        {
            self.evict_oldest();
        }
        self.expire(bounds);
    }

    /// Evicts entries older than the age bound, if there is one.
    pub(crate) fn expire(&mut self, bounds: &Bounds) {
        let Some(age) = bounds.age else { return };
        let now = Instant::now();
        while self
            .entries
            .front()
            .is_some_and(|oldest| now.saturating_duration_since(oldest.at) >= age)
        {
            self.evict_oldest();
        }
    }

    fn evict_oldest(&mut self) {
        if let Some(oldest) = self.entries.pop_front() {
            self.bytes -= oldest.bytes.len();
            self.evicted = self.evicted.max(oldest.pos);
        }
    }

    /// The first entry after `after`, or why there is none.
    pub(crate) fn next_after(&self, after: Pos) -> Next<'_> {
        if self.evicted > after {
            return Next::Lagged;
        }
        // Live subscribers are after one of the newest few entries: look there first, O(1);
        // the ring is sorted by position, so anywhere else is a binary search.
        let mut at = self.entries.len();
        let mut steps = 0;
        while at > 0 && self.entries[at - 1].pos > after {
            if steps == 4 {
                at = self.entries.partition_point(|entry| entry.pos <= after);
                break;
            }
            at -= 1;
            steps += 1;
        }
        let newest = at + 1 == self.entries.len();
        self.entries
            .get(at)
            .map_or(Next::Nothing, |entry| Next::Entry(entry, newest))
    }

    /// Whether entries after `after` were evicted.
    pub(crate) fn lost_after(&self, after: Pos) -> bool {
        self.evicted > after
    }

    /// The position of the newest entry with this id, searched from the newest end.
    pub(crate) fn find(&self, id: &str) -> Option<Pos> {
        self.entries
            .iter()
            .rev()
            .find(|entry| entry.id.as_bytes() == id.as_bytes())
            .map(|entry| entry.pos)
    }

    /// The newest position evicted (for a topic about to be removed).
    pub(crate) fn evicted(&self) -> Pos {
        self.evicted
    }

    /// Whether the ring is of no use any more: nobody subscribed and nothing to replay.
    pub(crate) fn is_unused(&self) -> bool {
        self.subscribers == 0 && self.entries.is_empty()
    }

    pub(crate) fn subscribers(&self) -> usize {
        self.subscribers
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn byte_len(&self) -> usize {
        self.bytes
    }

    /// Takes a waker slot for a new subscriber.
    pub(crate) fn join(&mut self) -> u32 {
        self.subscribers += 1;
        if let Some(slot) = self.free.pop() {
            self.slots[slot as usize] = Slot::Idle;
            return slot;
        }
        self.slots.push(Slot::Idle);
        // More than 4 billion subscribers on one topic would not fit in memory anyway.
        u32::try_from(self.slots.len() - 1).unwrap_or(u32::MAX)
    }

    /// Gives the slot back.
    pub(crate) fn leave(&mut self, slot: u32) {
        if let Some(place) = self.slots.get_mut(slot as usize) {
            *place = Slot::Free;
            self.free.push(slot);
            self.subscribers -= 1;
        }
    }

    /// Stores the waker to wake at the next entry (no clone if the same task is there).
    pub(crate) fn wait(&mut self, slot: u32, waker: &Waker) {
        if let Some(place) = self.slots.get_mut(slot as usize) {
            match place {
                Slot::Waiting(stored) if stored.will_wake(waker) => {}
                _ => *place = Slot::Waiting(waker.clone()),
            }
        }
    }

    /// Moves every waiting subscriber's waker into `wakers`.
    pub(crate) fn take_wakers(&mut self, wakers: &mut Vec<Waker>) {
        for place in &mut self.slots {
            if let Slot::Waiting(_) = place {
                if let Slot::Waiting(waker) = core::mem::replace(place, Slot::Idle) {
                    wakers.push(waker);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64) -> Entry {
        Entry {
            pos: Pos::new(1, seq),
            id: EventId::from(seq),
            bytes: Bytes::from_static(b"data: x\n\n"),
            at: Instant::now(),
        }
    }

    #[tokio::test]
    async fn finds_the_next_entry_from_anywhere_and_reports_eviction() {
        let bounds = Bounds {
            events: 50,
            bytes: usize::MAX,
            age: None,
        };
        let mut ring = Ring::default();
        // Every third position: other topics took the ones in between.
        for seq in (3..=300).step_by(3) {
            ring.push(entry(seq), &bounds);
        }
        assert_eq!(ring.len(), 50);
        let oldest = 300 - 49 * 3;
        // The newest evicted is `oldest - 3`: from there on nothing was lost.
        for after in oldest - 3..=300 {
            let expected = (after + 1..=300).find(|seq| seq % 3 == 0);
            match ring.next_after(Pos::new(1, after)) {
                Next::Entry(entry, newest) => {
                    assert_eq!(Some(entry.pos.seq), expected, "after {after}");
                    assert_eq!(newest, entry.pos.seq == 300);
                }
                Next::Nothing => assert_eq!(expected, None, "after {after}"),
                Next::Lagged => panic!("after {after}: nothing after it was evicted"),
            }
        }
        assert!(matches!(
            ring.next_after(Pos::new(1, oldest - 4)),
            Next::Lagged
        ));
        assert!(matches!(ring.next_after(Pos::new(1, 5)), Next::Lagged));
        assert_eq!(ring.find("300"), Some(Pos::new(1, 300)));
        assert_eq!(ring.find("3"), None);
    }

    #[tokio::test]
    async fn the_newest_entry_stays_whatever_its_size() {
        let bounds = Bounds {
            events: 10,
            bytes: 4,
            age: None,
        };
        let mut ring = Ring::default();
        ring.push(entry(1), &bounds);
        ring.push(entry(2), &bounds);
        assert_eq!(ring.len(), 1);
        assert!(matches!(
            ring.next_after(Pos::new(1, 1)),
            Next::Entry(_, true)
        ));
        assert!(ring.lost_after(Pos::new(1, 0)));
    }
}
