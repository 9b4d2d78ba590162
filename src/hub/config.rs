//! [`HubConfig`]: history bounds, the resync signal and what happens to a slow subscriber.

use crate::event::Event;
use bytes::Bytes;
use core::time::Duration;

/// What the hub does with a subscriber that fell so far behind that the events it has not
/// read yet were evicted from the history.
///
/// Either way the publisher never waits for it and it holds no memory of its own: the events
/// it has not read yet live in the topic's shared history, which is bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LagPolicy {
    /// Send the resync signal, then end the stream: the page reloads its state, and its next
    /// connection starts from now (the signal carries the newest id).
    #[default]
    Resync,
    /// End the stream without a word. A browser reconnects with its `Last-Event-ID`; as the
    /// events after it are gone, that new stream starts with the resync signal.
    Disconnect,
}

/// How a [`Hub`](crate::hub::Hub) keeps history and treats reconnecting and slow subscribers.
///
/// # Examples
/// ```
/// use sse_wire::hub::{HubConfig, LagPolicy};
/// use std::time::Duration;
///
/// let config = HubConfig::default()
///     .history_events(500)
///     .history_bytes(256 * 1024)
///     .history_age(Duration::from_secs(600))
///     .on_lag(LagPolicy::Disconnect);
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct HubConfig {
    pub(crate) history_events: usize,
    pub(crate) history_bytes: usize,
    pub(crate) history_age: Option<Duration>,
    pub(crate) on_lag: LagPolicy,
    pub(crate) resync: Bytes,
    pub(crate) stream_max_len: usize,
}

/// The default resync signal: a `resync` event the page listens for.
const RESYNC: &[u8] = b"event: resync\ndata: events were missed: reload the state\n\n";

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            history_events: 1024,
            history_bytes: 1 << 20,
            history_age: None,
            on_lag: LagPolicy::Resync,
            resync: Bytes::from_static(RESYNC),
            stream_max_len: 10_000,
        }
    }
}

impl HubConfig {
    /// Events kept per topic (default 1024, at least 1).
    ///
    /// The history is also the only buffer between the publisher and the subscribers: a
    /// subscriber may fall this many events behind before it counts as lagging.
    pub fn history_events(mut self, events: usize) -> Self {
        self.history_events = events.max(1);
        self
    }

    /// Encoded bytes kept per topic (default 1 MiB). The newest event is always kept, even
    /// when it alone is larger, so live subscribers still get it.
    pub fn history_bytes(mut self, bytes: usize) -> Self {
        self.history_bytes = bytes;
        self
    }

    /// Events older than this are dropped from the history (default: no age limit). Checked
    /// when a topic is published to and when a client resumes, so a stale event is never
    /// replayed, and one topic per publish in turn, so a topic nobody follows or publishes
    /// to any more is removed once its events are too old: set it when topics come and go
    /// (one per user, per task), or they stay in memory until the hub is dropped.
    pub fn history_age(mut self, age: Duration) -> Self {
        self.history_age = Some(age);
        self
    }

    /// What happens to a subscriber whose unread events were evicted (default
    /// [`LagPolicy::Resync`]).
    pub fn on_lag(mut self, policy: LagPolicy) -> Self {
        self.on_lag = policy;
        self
    }

    /// The event sent instead of a replay that cannot be done (the `Last-Event-ID` is too old,
    /// from another process, or unknown), and to a lagging subscriber under
    /// [`LagPolicy::Resync`]. The hub adds the id of the newest event as its last field (so
    /// it wins over an id of the event's own), and the client's next reconnection resumes
    /// from the point the signal was sent.
    ///
    /// Default: `event: resync` with the data `events were missed: reload the state`.
    pub fn resync(mut self, event: &Event) -> Self {
        self.resync = event.to_bytes();
        self
    }

    /// Redis backend: entries kept in the shared stream, for every topic together
    /// (`XADD ... MAXLEN ~`, so Redis may keep a few more; default 10,000). A client whose
    /// `Last-Event-ID` is older than what this process holds resumes from these.
    pub fn stream_max_len(mut self, entries: usize) -> Self {
        self.stream_max_len = entries;
        self
    }
}
