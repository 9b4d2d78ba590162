//! [`Hub`]: publish once, deliver to every subscriber of a topic, resume from
//! `Last-Event-ID` without a gap or a duplicate, survive slow clients (feature `tokio`; the
//! Redis Streams backend with feature `redis`).
//!
//! - [`Hub::publish`] encodes an [`Event`] once (giving it an id unless it has one) and the
//!   same [`Bytes`] goes to every subscriber and into the history;
//!   [`Hub::publish_encoded`] takes bytes encoded elsewhere. A [`Target`] says who gets it:
//!   everyone, one topic or several.
//! - [`Hub::subscribe`] returns a [`Subscription`]: what the client missed since its
//!   `Last-Event-ID`, then live events, as one stream of `Result<Bytes, Infallible>` ready
//!   for [`KeepAlive`](crate::stream::KeepAlive), [`Shutdown`](crate::stream::Shutdown) and
//!   an HTTP body. When the id cannot be resumed from (too old, unknown, from before a
//!   restart), the stream starts with a resync signal instead of skipping silently.
//! - Ids the hub assigns look like `1764680000000-42`: the millisecond the hub started, then
//!   a counter. They sort naturally and never repeat across restarts, so an id from an
//!   earlier process always gets the resync signal, never somebody else's event 43.
//! - Each topic keeps a bounded history (events, bytes, optionally age: [`HubConfig`]),
//!   which is also the only buffer between the publisher and its subscribers: a subscriber
//!   holds just its position, the publisher never waits for anyone, and one that falls a
//!   whole history behind is ended by the [`LagPolicy`].
//!
//! # Examples
//! ```
//! use futures::StreamExt;
//! use sse_wire::hub::{Hub, HubConfig, Target};
//! use sse_wire::Event;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), sse_wire::hub::HubError> {
//! let hub = Hub::new(HubConfig::default());
//! let mut ann = hub.subscribe(&["user:ann"], None).await?;
//! let first = hub.publish(Target::Everyone, Event::new().data("for everyone")).await?;
//! hub.publish("user:bob", Event::new().data("for bob")).await?;
//! hub.publish("user:ann", Event::new().data("for ann")).await?;
//!
//! let received = ann.next().await.unwrap().unwrap();
//! assert_eq!(received, format!("id: {first}\ndata: for everyone\n\n"));
//! assert!(ann.next().await.unwrap().unwrap().ends_with(b"data: for ann\n\n"));
//!
//! // Ann's page reconnects with the id of the first event: it gets what came after it.
//! let mut again = hub.subscribe(&["user:ann"], Some(first.as_str())).await?;
//! assert!(again.next().await.unwrap().unwrap().ends_with(b"data: for ann\n\n"));
//! assert_eq!(hub.topic_subscriber_count("user:ann"), 2);
//! # Ok(())
//! # }
//! ```

mod config;
mod position;
mod ring;
mod state;
mod subscription;
mod target;

pub use self::config::{HubConfig, LagPolicy};
pub use self::subscription::Subscription;
pub use self::target::Target;
pub use crate::error::HubError;

use self::position::Pos;
use self::state::{ends_with_empty_line, with_id, Core, Located};
use crate::event::Event;
use crate::field::EventId;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use bytes::Bytes;
use core::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A publish/subscribe hub for server-sent events; see the [module docs](self).
///
/// Clones share the same hub (an `Arc`); keep one in the server's state.
///
/// The in-memory hub keeps everything in this process: its methods are `async` and return
/// `Result` only so that code written for it runs unchanged on the Redis backend.
#[derive(Clone)]
pub struct Hub {
    core: Arc<Core>,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    /// In this process; positions after `start` are this process's.
    Memory { start: Pos },
}

impl Hub {
    /// An in-memory hub. Its ids start with the current time in milliseconds (one more than
    /// the previous hub's if two start within the same millisecond), so they never repeat
    /// across restarts unless the clock goes back.
    pub fn new(config: HubConfig) -> Self {
        let start = Pos::new(next_epoch(), 0);
        Self {
            core: Arc::new(Core::new(config, start)),
            backend: Backend::Memory { start },
        }
    }

    /// Publishes `event` to `target` and returns its id.
    ///
    /// An event without an id gets the hub's next one; an event with an id keeps it (the
    /// order of delivery and replay is still the order of publishing, whatever the ids).
    /// The event is encoded once: every subscriber and the history share the same `Bytes`.
    ///
    /// # Errors
    /// Never for the in-memory hub; see the backend otherwise.
    pub async fn publish<'a>(
        &self,
        target: impl Into<Target<'a>>,
        event: Event,
    ) -> Result<EventId, HubError> {
        let target = target.into();
        match &self.backend {
            Backend::Memory { .. } => Ok(match event.event_id().cloned() {
                Some(id) => {
                    let bytes = event.to_bytes();
                    self.core.publish(target, move |_| (id, bytes))
                }
                None => self.core.publish(target, move |pos| {
                    let id = pos.to_id();
                    (id.clone(), event.id(id).to_bytes())
                }),
            }),
        }
    }

    /// Publishes an event encoded elsewhere (for example forwarded from another stream).
    ///
    /// With `id: Some(..)`, `encoded` must already carry that id: it is stored under it for
    /// replay and sent as it is. With `None`, the hub adds its next id as the last field
    /// (one copy of the bytes). Either way every subscriber gets the same `Bytes`.
    ///
    /// # Errors
    /// [`HubError::Incomplete`] when `encoded` does not end with an empty line: whatever
    /// came next on the wire would join its last event.
    pub async fn publish_encoded<'a>(
        &self,
        target: impl Into<Target<'a>>,
        id: Option<EventId>,
        encoded: Bytes,
    ) -> Result<EventId, HubError> {
        if !ends_with_empty_line(&encoded) {
            return Err(HubError::Incomplete);
        }
        let target = target.into();
        match &self.backend {
            Backend::Memory { .. } => Ok(match id {
                Some(id) => self.core.publish(target, move |_| (id, encoded)),
                None => self.core.publish(target, move |pos| {
                    let id = pos.to_id();
                    let bytes = with_id(&encoded, &id);
                    (id, bytes)
                }),
            }),
        }
    }

    /// Subscribes to `topics` (and to everything published to [`Target::Everyone`]).
    ///
    /// With the `Last-Event-ID` the client sent, the stream first replays the events
    /// published to these topics after that one; when that is not possible (evicted, from an
    /// earlier process, unknown) it starts with the resync signal
    /// ([`HubConfig::resync`]) instead. Then live events follow, with nothing lost or repeated
    /// in between. An empty id counts as none.
    ///
    /// # Errors
    /// Never for the in-memory hub; see the backend otherwise.
    pub async fn subscribe(
        &self,
        topics: &[&str],
        last_event_id: Option<&str>,
    ) -> Result<Subscription, HubError> {
        let members = self.core.join(topics).into_boxed_slice();
        let mut first = VecDeque::new();
        let last_event_id = last_event_id.filter(|id| !id.is_empty());
        let cursor = match (&self.backend, last_event_id) {
            (_, None) => self.core.head(),
            (Backend::Memory { start }, Some(id)) => {
                match self.core.locate(&members, id, *start, false) {
                    Located::After(pos) => pos,
                    Located::Resync | Located::Elsewhere(_) => {
                        let head = self.core.head();
                        first.push_back(self.core.resync_signal(head));
                        head
                    }
                }
            }
        };
        Ok(Subscription::new(self.core.clone(), members, cursor, first))
    }

    /// Open subscriptions (every subscription receives what is published to everyone).
    pub fn subscriber_count(&self) -> usize {
        self.core.subscriber_count(None)
    }

    /// Open subscriptions to `topic`.
    pub fn topic_subscriber_count(&self, topic: &str) -> usize {
        self.core.subscriber_count(Some(topic))
    }

    /// Events and encoded bytes held in this process for `topic` (`None`: what was published
    /// to everyone).
    pub fn history_len(&self, topic: Option<&str>) -> (usize, usize) {
        self.core.history_len(topic)
    }
}

impl fmt::Debug for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.backend {
            Backend::Memory { .. } => "memory",
        };
        f.debug_struct("Hub")
            .field("backend", &backend)
            .field("subscribers", &self.subscriber_count())
            .finish_non_exhaustive()
    }
}

/// The current time in milliseconds, but always after the previous hub's.
fn next_epoch() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    let mut last = LAST.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(actual) => last = actual,
        }
    }
}
