//! [`Subscription`]: one subscriber's stream of encoded events.

use super::config::LagPolicy;
use super::position::Pos;
use super::state::{Core, Member, Polled};
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use bytes::Bytes;
use core::convert::Infallible;
use core::fmt;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use futures_core::{FusedStream, Stream};

/// A subscriber's events, encoded: first what it missed (or the resync signal; or, for a
/// subscriber without a `Last-Event-ID`, an id-only frame saying where it starts), then live
/// events as they are published. Made by [`Hub::subscribe`](super::Hub::subscribe).
///
/// Every item is `Ok`: the `Result` is what the body and the
/// [`KeepAlive`](crate::stream::KeepAlive) and [`Shutdown`](crate::stream::Shutdown) adapters
/// take. Each item is the very `Bytes` the hub stored at publishing (a reference-count
/// increment, no copy).
///
/// The stream holds no buffer of its own: it keeps the position of the last event it
/// yielded and reads the topics' shared histories from there, so replay and live events are
/// one sequence, with nothing lost or repeated between them. If the events it has not read
/// yet are evicted (it fell a whole history behind), the hub's [`LagPolicy`] ends it.
///
/// Dropping it (the client went away and the server dropped the response body) leaves the
/// hub at once: the subscriber counts go down in the same call.
#[must_use = "streams do nothing unless polled"]
pub struct Subscription {
    core: Arc<Core>,
    members: Box<[Member]>,
    cursor: Pos,
    /// Sent before anything from the rings: the id-only resume point, the resync signal, or
    /// what the Redis backend fetched from Redis.
    first: VecDeque<Bytes>,
    /// The waker stored in the rings and the generation it was stored at: while the
    /// generation stays, nothing was published and the stored waker is still there.
    waiting: Option<(u64, Waker)>,
    /// No more reading from the rings (it lagged).
    ended: bool,
    /// `None` was returned.
    done: bool,
}

impl Subscription {
    pub(crate) fn new(
        core: Arc<Core>,
        members: Box<[Member]>,
        cursor: Pos,
        first: VecDeque<Bytes>,
    ) -> Self {
        Self {
            core,
            members,
            cursor,
            first,
            waiting: None,
            ended: false,
            done: false,
        }
    }
}

impl Subscription {
    /// Starts after `cursor`, sending `first` before anything else.
    pub(crate) fn start_after(&mut self, cursor: Pos, first: VecDeque<Bytes>) {
        self.cursor = cursor;
        self.first = first;
    }

    /// Starts from the newest event with the resync signal.
    pub(crate) fn resync(&mut self) {
        let head = self.core.head();
        let signal = self.core.resync_signal(head);
        self.start_after(head, VecDeque::from([signal]));
    }
}

impl Stream for Subscription {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(bytes) = this.first.pop_front() {
            if this.first.is_empty() {
                // Free the queue: an idle subscriber should hold no more than its position.
                this.first = VecDeque::new();
            }
            return Poll::Ready(Some(Ok(bytes)));
        }
        if this.ended {
            this.done = true;
            return Poll::Ready(None);
        }
        if let Some((generation, waker)) = &this.waiting {
            if *generation == this.core.generation() && waker.will_wake(cx.waker()) {
                return Poll::Pending;
            }
        }
        let mut wait = |generation: u64| {
            this.waiting = match this.waiting.take() {
                Some((_, waker)) if waker.will_wake(cx.waker()) => Some((generation, waker)),
                _ => Some((generation, cx.waker().clone())),
            };
        };
        match this.core.poll(&this.members, this.cursor, cx.waker()) {
            Polled::Entry(pos, bytes, waiting) => {
                match waiting {
                    Some(generation) => wait(generation),
                    None => this.waiting = None,
                }
                this.cursor = pos;
                Poll::Ready(Some(Ok(bytes)))
            }
            Polled::Nothing(generation) => {
                wait(generation);
                Poll::Pending
            }
            Polled::Lagged => {
                this.ended = true;
                match this.core.config.on_lag {
                    LagPolicy::Resync => {
                        let signal = this.core.resync_signal(this.core.head());
                        Poll::Ready(Some(Ok(signal)))
                    }
                    LagPolicy::Disconnect => {
                        this.done = true;
                        Poll::Ready(None)
                    }
                }
            }
        }
    }
}

impl FusedStream for Subscription {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.core.leave(&self.members);
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("rings", &self.members.len())
            .field("after", &self.cursor)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}
