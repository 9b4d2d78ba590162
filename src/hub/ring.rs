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
    /// The first entry after it.
    Entry(&'a Entry),
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
        // Positions only grow, so the ring is sorted: O(log n).
        let at = self.entries.partition_point(|entry| entry.pos <= after);
        self.entries.get(at).map_or(Next::Nothing, Next::Entry)
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
