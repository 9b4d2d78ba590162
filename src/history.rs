//! [`History`]: recent encoded events kept for `Last-Event-ID` replay.

use crate::error::ReplayError;
use crate::event::Event;
use crate::field::EventId;
use alloc::collections::VecDeque;
use bytes::Bytes;
use core::cmp::Ordering;

/// One stored event: its id and the very bytes live subscribers got.
#[derive(Debug, Clone)]
struct Entry {
    id: EventId,
    bytes: Bytes,
}

/// A bounded history of encoded events, keyed by id, for resuming clients.
///
/// A client that reconnects sends the last id it saw as `Last-Event-ID`;
/// [`replay_after`](Self::replay_after) gives every event stored after it. The history keeps
/// the same [`Bytes`] that went to live subscribers, so replay copies nothing, and it is
/// bounded both by number of events and by bytes (the oldest go first).
///
/// # Cost
/// - [`push`](Self::push): O(1) amortized (one id comparison, and evictions).
/// - [`replay_after`](Self::replay_after): O(log n) while ids were pushed in increasing
///   order, compared naturally (runs of digits as numbers, so `9 < 10` and
///   `1700000000000-9 < 1700000000000-10`): sequence numbers, timestamps and Redis stream
///   ids all qualify. Once an id arrives out of order the history falls back to a scan from
///   the newest end, O(n). With duplicate ids, replay starts after the newest one.
///
/// # Examples
/// ```
/// use sse_wire::{Event, History, ReplayError};
///
/// let mut history = History::new(1000, 1 << 20);
/// for n in 1..=5_u32 {
///     let live = history.record(&Event::new().id(n).data(format!("event {n}")));
///     // ... send `live` to every current subscriber ...
///     # let _ = live;
/// }
/// let missed: Vec<_> = history.replay_after("3")?.cloned().collect();
/// assert_eq!(missed, ["id: 4\ndata: event 4\n\n", "id: 5\ndata: event 5\n\n"]);
/// assert_eq!(history.replay_after("99").unwrap_err(), ReplayError::Unknown);
/// # Ok::<(), ReplayError>(())
/// ```
#[derive(Debug, Clone)]
pub struct History {
    entries: VecDeque<Entry>,
    bytes: usize,
    max_events: usize,
    max_bytes: usize,
    /// Whether every id so far was greater than the one before (binary search is valid).
    ordered: bool,
    /// Whether an event was ever evicted (to tell "too old" from "never seen").
    evicted: bool,
}

impl History {
    /// An empty history holding at most `max_events` events and `max_bytes` encoded bytes.
    pub fn new(max_events: usize, max_bytes: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            bytes: 0,
            max_events,
            max_bytes,
            ordered: true,
            evicted: false,
        }
    }

    /// Encodes `event` once, stores it if it has an id, and returns the bytes to send to live
    /// subscribers (the same allocation the history keeps).
    pub fn record(&mut self, event: &Event) -> Bytes {
        let bytes = event.to_bytes();
        if let Some(id) = event.event_id() {
            self.push(id.clone(), bytes.clone());
        }
        bytes
    }

    /// Stores an already encoded event under `id`, evicting the oldest events beyond the
    /// bounds. An event larger than the byte bound is not kept.
    pub fn push(&mut self, id: EventId, bytes: Bytes) {
        if let Some(newest) = self.entries.back() {
            self.ordered &= natural_cmp(newest.id.as_str(), id.as_str()) == Ordering::Less;
        }
        self.bytes += bytes.len();
        self.entries.push_back(Entry { id, bytes });
        while self.entries.len() > self.max_events || self.bytes > self.max_bytes {
            let Some(oldest) = self.entries.pop_front() else {
                break;
            };
            self.bytes -= oldest.bytes.len();
            self.evicted = true;
        }
        if self.entries.is_empty() {
            // Nothing left to be out of order with.
            self.ordered = true;
        }
    }

    /// Every stored event after the one with id `last_event_id`, oldest first.
    ///
    /// # Errors
    /// - [`ReplayError::Evicted`]: the id is older than everything still held: events were
    ///   lost, send the client a full resync.
    /// - [`ReplayError::Unknown`]: the id was never stored here (or the history cannot tell
    ///   it from an evicted one): resync too.
    pub fn replay_after(&self, last_event_id: &str) -> Result<Replay<'_>, ReplayError> {
        let found = if self.ordered {
            let at = self.entries.partition_point(|entry| {
                natural_cmp(entry.id.as_str(), last_event_id) == Ordering::Less
            });
            match self.entries.get(at) {
                Some(entry) if entry.id == last_event_id => Some(at),
                _ if at == 0 && self.evicted => return Err(ReplayError::Evicted),
                _ => None,
            }
        } else {
            self.entries
                .iter()
                .rposition(|entry| entry.id == last_event_id)
        };
        let at = found.ok_or(ReplayError::Unknown)?;
        Ok(Replay {
            entries: self.entries.range(at + 1..),
        })
    }

    /// The id of the newest stored event.
    pub fn newest_id(&self) -> Option<&EventId> {
        self.entries.back().map(|entry| &entry.id)
    }

    /// Number of stored events.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Encoded bytes stored.
    pub fn byte_len(&self) -> usize {
        self.bytes
    }
}

/// The events to replay, oldest first: see [`History::replay_after`].
#[derive(Debug, Clone)]
pub struct Replay<'a> {
    entries: alloc::collections::vec_deque::Iter<'a, Entry>,
}

impl<'a> Iterator for Replay<'a> {
    type Item = &'a Bytes;

    fn next(&mut self) -> Option<&'a Bytes> {
        self.entries.next().map(|entry| &entry.bytes)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for Replay<'_> {}

/// Compares ids the way people read them: runs of ASCII digits as numbers, everything else
/// byte by byte.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (x_digits, x_rest) = split_digits(a);
                let (y_digits, y_rest) = split_digits(b);
                let x_digits = trim_zeros(x_digits);
                let y_digits = trim_zeros(y_digits);
                let order = x_digits
                    .len()
                    .cmp(&y_digits.len())
                    .then_with(|| x_digits.cmp(y_digits));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (x_rest, y_rest);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(bytes: &[u8]) -> (&[u8], &[u8]) {
    let end = bytes
        .iter()
        .position(|byte| !byte.is_ascii_digit())
        .unwrap_or(bytes.len());
    bytes.split_at(end)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let start = digits
        .iter()
        .position(|&digit| digit != b'0')
        .unwrap_or(digits.len());
    &digits[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec::Vec;

    fn event(id: &str) -> Event {
        Event::new()
            .id(EventId::try_from(id).unwrap())
            .data(format!("payload {id}"))
    }

    fn ids(replay: Replay<'_>) -> Vec<Bytes> {
        replay.cloned().collect()
    }

    #[test]
    fn natural_order_reads_digit_runs_as_numbers() {
        assert_eq!(natural_cmp("9", "10"), Ordering::Less);
        assert_eq!(
            natural_cmp("1700000000000-9", "1700000000000-10"),
            Ordering::Less
        );
        assert_eq!(natural_cmp("evt-0009", "evt-10"), Ordering::Less);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
        assert_eq!(natural_cmp("007", "7"), Ordering::Equal);
        assert_eq!(natural_cmp("1", "1a"), Ordering::Less);
    }

    #[test]
    fn replays_what_came_after_and_shares_the_live_bytes() {
        let mut history = History::new(10, 1 << 20);
        let live: Vec<Bytes> = (1..=4)
            .map(|n| history.record(&event(&format!("{n}"))))
            .collect();
        let replay = ids(history.replay_after("2").unwrap());
        assert_eq!(replay, live[2..]);
        assert_eq!(replay[0].as_ptr(), live[2].as_ptr(), "no copy");
        assert_eq!(history.replay_after("4").unwrap().len(), 0);
    }

    #[test]
    fn bounds_by_count_and_by_bytes() {
        let mut history = History::new(3, 1 << 20);
        (1..=5).for_each(|n| drop(history.record(&event(&format!("{n}")))));
        assert_eq!(history.len(), 3);
        assert_eq!(history.replay_after("1").unwrap_err(), ReplayError::Evicted);
        assert_eq!(ids(history.replay_after("3").unwrap()).len(), 2);

        let one = event("1").encoded_len();
        let mut history = History::new(100, 2 * one);
        (1..=3).for_each(|n| drop(history.record(&event(&format!("{n}")))));
        assert_eq!(history.len(), 2);
        assert!(history.byte_len() <= 2 * one);
    }

    #[test]
    fn unknown_ids_and_events_without_ids() {
        let mut history = History::new(10, 1 << 20);
        drop(history.record(&Event::new().data("no id")));
        assert!(history.is_empty());
        drop(history.record(&event("5")));
        assert_eq!(history.replay_after("7").unwrap_err(), ReplayError::Unknown);
        assert_eq!(
            history.replay_after("3").unwrap_err(),
            ReplayError::Unknown,
            "nothing was evicted"
        );
    }

    #[test]
    fn out_of_order_ids_fall_back_to_a_scan() {
        let mut history = History::new(10, 1 << 20);
        for id in ["b", "a", "c", "a"] {
            drop(history.record(&event(id)));
        }
        assert!(!history.ordered);
        assert_eq!(
            history.replay_after("a").unwrap().len(),
            0,
            "after the newest duplicate"
        );
        assert_eq!(history.replay_after("b").unwrap().len(), 3);
        assert_eq!(history.newest_id().unwrap(), "a");
    }
}
