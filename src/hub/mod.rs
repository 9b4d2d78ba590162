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
//!   restart), the stream starts with a resync signal instead of skipping silently; without
//!   an id it starts with an id-only frame naming the newest event, so a client cut before
//!   its first event still has an id to resume from.
//! - Ids the hub assigns look like `1764680000000-42`: the millisecond the hub started, then
//!   a counter. They sort naturally and never repeat across restarts, so an id from an
//!   earlier process always gets the resync signal, never a replay from the new process's
//!   events as if the old stream went on.
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

#[cfg(feature = "axum")]
mod axum;
mod config;
mod position;
#[cfg(feature = "redis")]
mod redis;
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
    /// A Redis stream shared with other processes.
    #[cfg(feature = "redis")]
    Redis(Arc<self::redis::RedisBackend>),
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

    /// A hub backed by the Redis stream `key` at `url` (feature `redis`), shared with every
    /// other server instance using the same stream: an event published through any of them
    /// reaches the subscribers of all, and a client resumes on any instance.
    ///
    /// Ids are the Redis entry ids (`1764680000000-0`). Each instance keeps the recent
    /// history in its own rings (bounded by `config` as in memory; filled with the newest
    /// [`HubConfig::history_events`] entries at start, so a restarted instance resumes its
    /// returning clients from memory) and asks Redis (`XRANGE`) for older ones; the stream
    /// keeps [`HubConfig::stream_max_len`] entries. A task on the current tokio runtime
    /// follows the stream with blocking `XREAD`s; it reconnects by itself if Redis goes away
    /// and resumes after the last entry it read, and stops when the last clone of the hub and
    /// the last subscription are gone.
    ///
    /// # Errors
    /// [`HubError::RedisUrl`] for a URL the redis crate rejects, [`HubError::Unreachable`]
    /// when no connection can be made (within two seconds), [`HubError::Redis`] when Redis
    /// refuses to describe the stream (for example `key` holds something else).
    ///
    /// # Panics
    /// Outside a tokio runtime (it spawns the reader task).
    ///
    /// # Examples
    /// ```no_run
    /// use sse_wire::hub::{Hub, HubConfig};
    /// use sse_wire::Event;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), sse_wire::hub::HubError> {
    /// let hub = Hub::redis("redis://127.0.0.1:6379", "app:events", HubConfig::default()).await?;
    /// let id = hub.publish("news", Event::new().data("hello")).await?;
    /// println!("published {id}: every instance on app:events sends it");
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub async fn redis(url: &str, key: &str, config: HubConfig) -> Result<Self, HubError> {
        let (max_len, backfill) = (config.stream_max_len, config.history_events);
        let (core, backend) =
            self::redis::RedisBackend::connect(url, key, max_len, backfill, |start| {
                Arc::new(Core::new(config, start))
            })
            .await?;
        Ok(Self {
            core,
            backend: Backend::Redis(Arc::new(backend)),
        })
    }

    /// Publishes `event` to `target` and returns its id.
    ///
    /// An event without an id gets the hub's next one; an event with an id keeps it (the
    /// order of delivery and replay is still the order of publishing, whatever the ids).
    /// The event is encoded once: every subscriber and the history share the same `Bytes`.
    ///
    /// On Redis the id is the entry id Redis gives; an event's own id is used as the entry
    /// id, so it must be of the form `MS-SEQ` and newer than the stream's last.
    ///
    /// # Errors
    /// Never for the in-memory hub. On Redis: [`HubError::Unreachable`] or
    /// [`HubError::Redis`] (`XADD` failed, for example the event's own id is not newer).
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
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => {
                let mut event = event;
                let id = event.id.take();
                redis.publish(target, id.as_ref(), &event.to_bytes()).await
            }
        }
    }

    /// Publishes an event encoded elsewhere (for example forwarded from another stream).
    ///
    /// With `id: Some(..)`, `encoded` must already carry that id: it is stored under it for
    /// replay and sent as it is. With `None`, the hub adds its next id as the last field
    /// (one copy of the bytes). Either way every subscriber gets the same `Bytes`.
    ///
    /// On Redis, the entry id is the SSE id as for [`publish`](Self::publish): `id` is used
    /// as the entry id, and the reading instances add it as the event's last field.
    ///
    /// # Errors
    /// [`HubError::Incomplete`] when `encoded` does not end with an empty line: whatever
    /// came next on the wire would join its last event. On Redis, as for
    /// [`publish`](Self::publish).
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
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => redis.publish(target, id.as_ref(), &encoded).await,
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
    /// Without an id (or with an empty one), once the hub has any event, the stream starts
    /// with an id-only frame, `id: <newest id>` and the empty line: browsers dispatch nothing
    /// for it but remember the id, so a client cut before its first event reconnects with
    /// `Last-Event-ID` and gets everything published since it subscribed, instead of starting
    /// live again and missing what came in between. Every subscriber starting at the same
    /// point shares the same `Bytes`.
    ///
    /// # Examples
    /// The body of an axum (or hyper) handler: the subscription goes straight into the
    /// stream adapters and `Body::from_stream`.
    /// ```
    /// use futures::{future, StreamExt};
    /// use sse_wire::hub::{Hub, HubConfig};
    /// use sse_wire::stream::{KeepAlive, Shutdown};
    /// use sse_wire::Event;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), sse_wire::hub::HubError> {
    /// let hub = Hub::new(HubConfig::default());
    /// let last_event_id = None; // from the request's `Last-Event-ID` header
    /// let events = hub.subscribe(&["user:ann"], last_event_id).await?;
    /// let body = KeepAlive::tokio(events, Duration::from_secs(15));
    /// let mut body = Box::pin(Shutdown::new(body, future::pending::<()>()));
    ///
    /// hub.publish("user:ann", Event::new().event("notification").data("hi")).await?;
    /// let chunk = body.next().await.unwrap().unwrap();
    /// assert!(chunk.starts_with(b"event: notification\nid: "));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// Never for the in-memory hub. On Redis, when resuming needs Redis (the id is older
    /// than what this instance holds) and it cannot be reached: [`HubError::Unreachable`] or
    /// [`HubError::Redis`].
    pub async fn subscribe(
        &self,
        topics: &[&str],
        last_event_id: Option<&str>,
    ) -> Result<Subscription, HubError> {
        let members = self.core.join(topics).into_boxed_slice();
        let (head, resume_point) = self.core.start_point();
        // Built first, so an error below leaves the rings again when it is dropped.
        let mut subscription =
            Subscription::new(self.core.clone(), members.clone(), head, VecDeque::new());
        let Some(id) = last_event_id.filter(|id| !id.is_empty()) else {
            if let Some(frame) = resume_point {
                subscription.start_after(head, VecDeque::from([frame]));
            }
            return Ok(subscription);
        };
        match &self.backend {
            Backend::Memory { start } => match self.core.locate(&members, id, *start, false) {
                Located::After(pos) => subscription.start_after(pos, VecDeque::new()),
                Located::Resync | Located::Elsewhere(_) => subscription.resync(),
            },
            #[cfg(feature = "redis")]
            Backend::Redis(redis) => match redis.resume(&self.core, &members, topics, id).await? {
                (Some(pos), missed) => subscription.start_after(pos, missed),
                (None, _) => subscription.resync(),
            },
        }
        Ok(subscription)
    }

    /// Open subscriptions (every subscription receives what is published to everyone).
    pub fn subscriber_count(&self) -> usize {
        self.core.subscriber_count(None)
    }

    /// Open subscriptions to `topic`.
    pub fn topic_subscriber_count(&self, topic: &str) -> usize {
        self.core.subscriber_count(Some(topic))
    }

    /// Topics held in this process: followed by someone, or with events to replay. Without
    /// an age bound ([`HubConfig::history_age`]) a topic that had an event stays until
    /// the hub is dropped.
    pub fn topic_count(&self) -> usize {
        self.core.topic_count()
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
            #[cfg(feature = "redis")]
            Backend::Redis(_) => "redis",
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
