//! [`Core`]: the topics, their rings and the subscribers' waker slots, behind one lock.
//!
//! Both backends deliver through it: the in-memory hub publishes straight into it, the Redis
//! backend feeds it what its reader task gets from Redis. One lock orders publishing, so
//! positions grow in the same order in every ring and a subscriber merging several rings
//! never sees them out of order.

use super::config::HubConfig;
use super::position::Pos;
use super::ring::{Bounds, Entry, Next, Ring};
use super::target::Target;
use crate::field::EventId;
use alloc::sync::Arc;
use alloc::vec::Vec;
use bytes::{BufMut, Bytes, BytesMut};
use core::task::Waker;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use tokio::time::Instant;

/// Which ring a subscriber reads: the hub-wide one or a topic's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RingRef {
    Everyone,
    Topic(u32),
}

/// A subscriber's membership of one ring.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Member {
    pub(crate) ring: RingRef,
    pub(crate) slot: u32,
}

/// Where a resuming client can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Located {
    /// Right after this position, from the rings.
    After(Pos),
    /// Nowhere: send the resync signal and start live.
    Resync,
    /// A position this process does not hold (older than what it saw, or newer): the Redis
    /// backend asks Redis, the in-memory hub resyncs.
    Elsewhere(Pos),
}

/// What a subscriber finds when it polls.
pub(crate) enum Polled {
    /// The next entry; with the generation its waker was stored at when it was the last one
    /// (the next poll can then wait without the lock, see [`Core::generation`]).
    Entry(Pos, Bytes, Option<u64>),
    /// Nothing yet: the waker is stored, at this generation.
    Nothing(u64),
    Lagged,
}

struct Topic {
    name: Arc<str>,
    ring: Ring,
}

struct State {
    /// The newest position published.
    head: Pos,
    everyone: Ring,
    topics: Vec<Option<Topic>>,
    free_topics: Vec<u32>,
    names: HashMap<Arc<str>, u32>,
    /// The newest position evicted from any topic removed since: a recreated topic may have
    /// held events up to there.
    removed_floor: Pos,
    /// The next topic [`State::sweep_one`] looks at.
    sweep: usize,
    /// The id-only frame for the newest position, made once for every subscriber starting
    /// there (see [`Core::start_point`]).
    resume_point: Option<(Pos, Bytes)>,
}

impl State {
    fn ring(&mut self, ring: RingRef) -> Option<&mut Ring> {
        match ring {
            RingRef::Everyone => Some(&mut self.everyone),
            RingRef::Topic(index) => self
                .topics
                .get_mut(index as usize)
                .and_then(Option::as_mut)
                .map(|topic| &mut topic.ring),
        }
    }

    fn ring_ref(&self, ring: RingRef) -> Option<&Ring> {
        match ring {
            RingRef::Everyone => Some(&self.everyone),
            RingRef::Topic(index) => self
                .topics
                .get(index as usize)
                .and_then(Option::as_ref)
                .map(|topic| &topic.ring),
        }
    }

    fn topic_index(&self, name: &str) -> Option<u32> {
        self.names.get(name).copied()
    }

    /// The topic's index, creating it if needed.
    fn topic(&mut self, name: &str) -> u32 {
        if let Some(index) = self.topic_index(name) {
            return index;
        }
        let name: Arc<str> = Arc::from(name);
        let topic = Topic {
            name: name.clone(),
            ring: Ring::new(self.removed_floor),
        };
        let index = match self.free_topics.pop() {
            Some(index) => {
                self.topics[index as usize] = Some(topic);
                index
            }
            None => {
                self.topics.push(Some(topic));
                u32::try_from(self.topics.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.names.insert(name, index);
        index
    }

    /// Applies the age bound to one topic, round-robin, and removes it if nobody uses it any
    /// more: one step per publish visits every topic in time, so topics nobody follows or
    /// publishes to any more do not pile up (with an age bound).
    fn sweep_one(&mut self, bounds: &Bounds) {
        if self.topics.is_empty() || bounds.age.is_none() {
            return;
        }
        self.sweep = (self.sweep + 1) % self.topics.len();
        if let Some(topic) = &mut self.topics[self.sweep] {
            topic.ring.expire(bounds);
            // The index fits: topics are counted in u32.
            self.remove_if_unused(u32::try_from(self.sweep).unwrap_or(u32::MAX));
        }
    }

    /// Removes a topic nobody uses any more, remembering what it had evicted.
    fn remove_if_unused(&mut self, index: u32) {
        let slot = &mut self.topics[index as usize];
        if slot.as_ref().is_some_and(|topic| topic.ring.is_unused()) {
            if let Some(topic) = slot.take() {
                self.removed_floor = self.removed_floor.max(topic.ring.evicted());
                self.names.remove(&topic.name);
                self.free_topics.push(index);
            }
        }
    }
}

/// The shared state of one hub (all its clones and subscriptions).
pub(crate) struct Core {
    pub(crate) config: HubConfig,
    bounds: Bounds,
    /// The head before anything was published or read.
    origin: Pos,
    state: Mutex<State>,
    /// Bumped under the lock at every insert, before the wakers are taken: a subscriber
    /// whose waker was stored at the generation still current has nothing new and will be
    /// woken, so it can wait without taking the lock.
    generation: AtomicU64,
    /// The task feeding this core (the Redis reader), stopped when the core goes.
    #[cfg(feature = "redis")]
    feeder: std::sync::OnceLock<tokio::task::AbortHandle>,
}

#[cfg(feature = "redis")]
impl Drop for Core {
    fn drop(&mut self) {
        if let Some(feeder) = self.feeder.get() {
            feeder.abort();
        }
    }
}

impl Core {
    /// A core whose history starts after `start`.
    pub(crate) fn new(config: HubConfig, start: Pos) -> Self {
        let bounds = Bounds {
            events: config.history_events,
            bytes: config.history_bytes,
            age: config.history_age,
        };
        Self {
            config,
            bounds,
            origin: start,
            state: Mutex::new(State {
                head: start,
                everyone: Ring::new(Pos::default()),
                topics: Vec::new(),
                free_topics: Vec::new(),
                names: HashMap::new(),
                removed_floor: Pos::default(),
                sweep: 0,
                resume_point: None,
            }),
            generation: AtomicU64::new(0),
            #[cfg(feature = "redis")]
            feeder: std::sync::OnceLock::new(),
        }
    }

    /// Stops `feeder` when the core is dropped.
    #[cfg(feature = "redis")]
    pub(crate) fn stop_on_drop(&self, feeder: tokio::task::AbortHandle) {
        let _ = self.feeder.set(feeder);
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the rings half-updated in a way that
        // breaks them (every update is a push or a pop), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The newest position published.
    pub(crate) fn head(&self) -> Pos {
        self.lock().head
    }

    /// Where a subscriber without a `Last-Event-ID` starts: the newest position, and once
    /// anything was published, an id-only frame (`id: <newest>` and the empty line) carrying
    /// it, so a client cut before its first event still resumes from there. Browsers dispatch
    /// nothing for it. The frame is made once per newest position and shared.
    pub(crate) fn start_point(&self) -> (Pos, Option<Bytes>) {
        let mut state = self.lock();
        let head = state.head;
        if head == self.origin {
            return (head, None);
        }
        if let Some((pos, frame)) = &state.resume_point {
            if *pos == head {
                return (head, Some(frame.clone()));
            }
        }
        let frame = with_id(b"\n", &head.to_id());
        state.resume_point = Some((head, frame.clone()));
        (head, Some(frame))
    }

    /// Publishes at the position after the head: `make` gets that position and returns the
    /// id and the bytes to store and send. Returns the id.
    pub(crate) fn publish(
        &self,
        target: Target<'_>,
        make: impl FnOnce(Pos) -> (EventId, Bytes),
    ) -> EventId {
        let mut state = self.lock();
        let pos = Pos::new(state.head.ms, state.head.seq + 1);
        let (id, bytes) = make(pos);
        let wakers = self.insert(&mut state, pos, target, &id, bytes);
        drop(state);
        wakers.into_iter().for_each(Waker::wake);
        id
    }

    #[cfg(feature = "redis")]
    /// Stores an entry read from elsewhere (Redis) at `pos`; ignored unless it is newer than
    /// the head (a reader that reconnected may read an entry twice).
    pub(crate) fn ingest(&self, pos: Pos, target: Target<'_>, id: &EventId, bytes: Bytes) {
        let mut state = self.lock();
        if pos <= state.head {
            return;
        }
        let wakers = self.insert(&mut state, pos, target, id, bytes);
        drop(state);
        wakers.into_iter().for_each(Waker::wake);
    }

    fn insert(
        &self,
        state: &mut State,
        pos: Pos,
        target: Target<'_>,
        id: &EventId,
        bytes: Bytes,
    ) -> Vec<Waker> {
        state.head = pos;
        self.generation.fetch_add(1, Ordering::Release);
        let at = Instant::now();
        // Sized once: growing it by doubling would cost a dozen allocations at 10,000.
        let waiting = match target {
            Target::Everyone => state.everyone.subscribers(),
            target => target
                .topics()
                .iter()
                .filter_map(|name| state.topic_index(name))
                .filter_map(|index| state.ring_ref(RingRef::Topic(index)))
                .map(Ring::subscribers)
                .sum(),
        };
        let mut wakers = Vec::with_capacity(waiting);
        let mut store = |ring: &mut Ring, bytes: Bytes| {
            ring.push(
                Entry {
                    pos,
                    id: id.clone(),
                    bytes,
                    at,
                },
                &self.bounds,
            );
            ring.take_wakers(&mut wakers);
        };
        match target {
            Target::Everyone => store(&mut state.everyone, bytes),
            target => {
                for name in target.topics() {
                    let index = state.topic(name);
                    if let Some(ring) = state.ring(RingRef::Topic(index)) {
                        store(ring, bytes.clone());
                    }
                }
            }
        }
        state.sweep_one(&self.bounds);
        wakers
    }

    /// Joins the rings of `topics` (and the hub-wide one) for a new subscriber.
    pub(crate) fn join(&self, topics: &[&str]) -> Vec<Member> {
        let mut state = self.lock();
        let mut members = Vec::with_capacity(topics.len() + 1);
        members.push(Member {
            ring: RingRef::Everyone,
            slot: state.everyone.join(),
        });
        for name in topics {
            let ring = RingRef::Topic(state.topic(name));
            // A topic named twice is read once.
            if members.iter().any(|member| member.ring == ring) {
                continue;
            }
            if let Some(slot) = state.ring(ring).map(Ring::join) {
                members.push(Member { ring, slot });
            }
        }
        members
    }

    /// Leaves the rings (the subscriber went away), removing topics nobody uses.
    pub(crate) fn leave(&self, members: &[Member]) {
        let mut state = self.lock();
        for member in members {
            if let Some(ring) = state.ring(member.ring) {
                ring.leave(member.slot);
            }
            if let RingRef::Topic(index) = member.ring {
                state.remove_if_unused(index);
            }
        }
    }

    /// Where a client that last saw `last_event_id` resumes in these rings.
    ///
    /// `from` is the position before the first one this process holds. Ids in the hub's
    /// own format (`from.ms` first, or any `MS-SEQ` when `remote` is set) outside what this
    /// process holds are [`Located::Elsewhere`]; so are ids whose events were evicted here
    /// when `remote` is set (Redis still has them). Other ids (kept from the caller's events)
    /// are looked up as they are.
    pub(crate) fn locate(
        &self,
        members: &[Member],
        last_event_id: &str,
        from: Pos,
        remote: bool,
    ) -> Located {
        let mut state = self.lock();
        // Stale events must not be replayed: apply the age bound first.
        for member in members {
            if let Some(ring) = state.ring(member.ring) {
                ring.expire(&self.bounds);
            }
        }
        let lost_after = |pos: Pos| {
            members.iter().any(|member| {
                state
                    .ring_ref(member.ring)
                    .is_some_and(|ring| ring.lost_after(pos))
            })
        };
        if let Some(pos) = Pos::parse(last_event_id) {
            if remote || pos.ms == from.ms {
                return if pos < from || pos > state.head || (remote && lost_after(pos)) {
                    Located::Elsewhere(pos)
                } else if lost_after(pos) {
                    Located::Resync
                } else {
                    Located::After(pos)
                };
            }
            if pos < from {
                // An earlier process of this hub.
                return Located::Elsewhere(pos);
            }
        }
        let found = members
            .iter()
            .filter_map(|member| state.ring_ref(member.ring)?.find(last_event_id))
            .max();
        match found {
            Some(pos) if !lost_after(pos) => Located::After(pos),
            _ => Located::Resync,
        }
    }

    /// The resync signal carrying the id of `pos`, the point the client resumes from.
    pub(crate) fn resync_signal(&self, pos: Pos) -> Bytes {
        with_id(&self.config.resync, &pos.to_id())
    }

    /// The current generation (see the field).
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The first entry after `after` in the subscriber's rings, merged by position. When
    /// there is none, or it is the last one, the waker is stored in every ring so that any
    /// new entry wakes it.
    pub(crate) fn poll(&self, members: &[Member], after: Pos, waker: &Waker) -> Polled {
        let mut state = self.lock();
        let mut first: Option<(Pos, &Bytes)> = None;
        let mut found = 0;
        let mut newest = true;
        for member in members {
            let Some(ring) = state.ring_ref(member.ring) else {
                continue;
            };
            match ring.next_after(after) {
                Next::Lagged => return Polled::Lagged,
                Next::Nothing => {}
                Next::Entry(entry, last_in_ring) => {
                    found += 1;
                    newest &= last_in_ring;
                    if first.map_or(true, |(pos, _)| entry.pos < pos) {
                        first = Some((entry.pos, &entry.bytes));
                    }
                }
            }
        }
        let next = first.map(|(pos, bytes)| (pos, bytes.clone()));
        if let Some((pos, bytes)) = &next {
            if found > 1 || !newest {
                // Another entry is ready after this one: no need to wait.
                return Polled::Entry(*pos, bytes.clone(), None);
            }
        }
        for member in members {
            if let Some(ring) = state.ring(member.ring) {
                ring.wait(member.slot, waker);
            }
        }
        let generation = self.generation.load(Ordering::Relaxed);
        match next {
            Some((pos, bytes)) => Polled::Entry(pos, bytes, Some(generation)),
            None => Polled::Nothing(generation),
        }
    }

    /// Topics held (followed, or with events to replay).
    pub(crate) fn topic_count(&self) -> usize {
        self.lock().names.len()
    }

    /// Subscribers of every topic (everyone) or of one topic.
    pub(crate) fn subscriber_count(&self, topic: Option<&str>) -> usize {
        let state = self.lock();
        match topic {
            None => state.everyone.subscribers(),
            Some(name) => state
                .topic_index(name)
                .and_then(|index| state.ring_ref(RingRef::Topic(index)))
                .map_or(0, Ring::subscribers),
        }
    }

    /// Events and bytes held for one topic (`None`: the hub-wide history).
    pub(crate) fn history_len(&self, topic: Option<&str>) -> (usize, usize) {
        let state = self.lock();
        let ring = match topic {
            None => Some(&state.everyone),
            Some(name) => state
                .topic_index(name)
                .and_then(|index| state.ring_ref(RingRef::Topic(index))),
        };
        ring.map_or((0, 0), |ring| (ring.len(), ring.byte_len()))
    }
}

/// An encoded event with `id` added as its last field (so it wins over any earlier one).
///
/// `encoded` must end with an empty line ([`ends_with_empty_line`]); one copy.
pub(crate) fn with_id(encoded: &[u8], id: &EventId) -> Bytes {
    let body = strip_line_end(encoded);
    let mut out = BytesMut::with_capacity(body.len() + id.len() + 6);
    out.put_slice(body);
    out.put_slice(b"id: ");
    out.put_slice(id.as_bytes());
    out.put_slice(b"\n\n");
    out.freeze()
}

/// `bytes` without its final line ending (CRLF, LF or CR).
fn strip_line_end(bytes: &[u8]) -> &[u8] {
    match bytes {
        [rest @ .., b'\r', b'\n'] | [rest @ .., b'\n'] | [rest @ .., b'\r'] => rest,
        _ => bytes,
    }
}

/// Whether `bytes` are one or more complete events: they end with an empty line, so what
/// follows them on the wire cannot become part of their last event.
pub(crate) fn ends_with_empty_line(bytes: &[u8]) -> bool {
    let body = strip_line_end(bytes);
    body.len() < bytes.len() && (body.is_empty() || matches!(body.last(), Some(b'\n' | b'\r')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_events_end_with_an_empty_line() {
        for good in [
            "\n",
            "data: a\n\n",
            "data: a\r\n\r\n",
            "data: a\r\r",
            "data: a\n\r\n",
        ] {
            assert!(ends_with_empty_line(good.as_bytes()), "{good:?}");
        }
        for bad in ["", "data: a", "data: a\n", "data: a\r\n", "data: a\n\nda"] {
            assert!(!ends_with_empty_line(bad.as_bytes()), "{bad:?}");
        }
    }

    #[test]
    fn the_added_id_is_the_last_field() {
        let id = EventId::from(7_u8);
        assert_eq!(with_id(b"data: a\n\n", &id), "data: a\nid: 7\n\n");
        assert_eq!(
            with_id(b"id: 1\ndata: a\r\n\r\n", &id),
            "id: 1\ndata: a\r\nid: 7\n\n"
        );
        assert_eq!(with_id(b"\n", &id), "id: 7\n\n");
    }
}
