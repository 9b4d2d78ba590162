//! [`channel`]: one listener's queue of events, bounded, that tells the sender when the
//! listener is gone or too slow.

use super::Outgoing;
use crate::error::SendError;
use crate::trace::debug;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use futures_core::{FusedStream, Stream};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// A queue of events for one listener: the [`Sender`] half goes to the job producing events,
/// the [`Receiver`] half is the listener's stream (give it to [`Sse::new`](crate::Sse::new)
/// or [`EncodeStream::new`](super::EncodeStream::new)).
///
/// Sending never waits, so a job never blocks on a slow client, and the queue never holds
/// more than `max_queued` events: when the listener is that far behind, the channel closes,
/// drops what it held, and the sender's [`send`](Sender::send) returns
/// [`SendError::Lagged`]. With [`Sender::stall_timeout`] it also closes when events have been
/// waiting that long without the listener taking any ([`SendError::Stalled`]). Either way
/// the listener's stream then ends (so a browser reconnects with `Last-Event-ID` and can be
/// resumed from a [`History`](crate::History) once it reads again), and the job learns why
/// and can stop.
///
/// When the listener goes away (the client disconnected, the server dropped the body and so
/// the receiver), `send` returns [`SendError::Disconnected`] and [`Sender::closed`]
/// completes: a background job working for that one listener stops instead of running on
/// for no one.
///
/// # Examples
/// ```
/// use futures::{executor::block_on, StreamExt};
/// use sse_wire::{stream::channel, Event, SendError};
///
/// let (sender, receiver) = channel(2);
/// sender.send(Event::new().data("step 1"))?;
/// sender.send(Event::new().data("step 2"))?;
/// // The listener has read nothing: a third event would be one too many.
/// assert_eq!(sender.send(Event::new().data("step 3")), Err(SendError::Lagged { limit: 2 }));
/// assert_eq!(block_on(receiver.count()), 0, "the stream ends, the queue is dropped");
/// # Ok::<(), SendError>(())
/// ```
pub fn channel(max_queued: usize) -> (Sender, Receiver) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            queue: VecDeque::new(),
            max_queued,
            stall_timeout: None,
            waiting_since: Instant::now(),
            closed: None,
            senders: 1,
            receiver: None,
            closed_waiters: Vec::new(),
        }),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver {
            shared,
            done: false,
        },
    )
}

struct Shared {
    state: Mutex<State>,
}

impl Shared {
    /// The state, even if a thread panicked while holding it: every update below leaves
    /// it consistent, so a poisoned lock holds nothing half-written.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

struct State {
    queue: VecDeque<Outgoing>,
    max_queued: usize,
    stall_timeout: Option<Duration>,
    /// Since when the oldest queued event has waited without the listener taking anything.
    waiting_since: Instant,
    /// Why the channel stopped taking events, once it has.
    closed: Option<SendError>,
    senders: usize,
    receiver: Option<Waker>,
    closed_waiters: Vec<Waker>,
}

impl State {
    /// Stops taking events: takes out the queue and everyone who waits on the channel, to
    /// be dropped and woken once the lock is released.
    fn close(&mut self, reason: SendError) -> AfterUnlock {
        let mut after = AfterUnlock::default();
        if self.closed.is_some() {
            return after;
        }
        debug!(
            dropped_events = self.queue.len(),
            reason = %reason,
            "event channel closed"
        );
        self.closed = Some(reason);
        after.dropped = core::mem::take(&mut self.queue);
        after.wakers.extend(self.receiver.take());
        after.wakers.append(&mut self.closed_waiters);
        after
    }
}

/// What to do once the lock is released: a waker may run code that takes the lock again,
/// and dropping a queue of large events need not hold everyone else up.
#[derive(Default)]
#[must_use = "the wakers must be woken"]
struct AfterUnlock {
    wakers: Vec<Waker>,
    dropped: VecDeque<Outgoing>,
}

impl AfterUnlock {
    fn run(self) {
        drop(self.dropped);
        for waker in self.wakers {
            waker.wake();
        }
    }
}

/// The producing half of a [`channel`]; clone it to send from several places.
pub struct Sender {
    shared: Arc<Shared>,
}

impl Sender {
    /// Queues an event (or encoded bytes) for the listener, without waiting.
    ///
    /// # Errors
    /// Why the channel no longer takes events: the listener is gone
    /// ([`SendError::Disconnected`]), fell `max_queued` events behind
    /// ([`SendError::Lagged`]), or took nothing for the stall timeout
    /// ([`SendError::Stalled`]). The first failure closes the channel and every later `send`
    /// returns the same error; the event is dropped.
    pub fn send(&self, item: impl Into<Outgoing>) -> Result<(), SendError> {
        let mut state = self.shared.lock();
        if let Some(reason) = state.closed {
            return Err(reason);
        }
        let refused = if state.queue.len() >= state.max_queued {
            Some(SendError::Lagged {
                limit: state.max_queued,
            })
        } else if state.queue.is_empty() {
            state.waiting_since = Instant::now();
            None
        } else {
            state
                .stall_timeout
                .filter(|&timeout| state.waiting_since.elapsed() >= timeout)
                .map(|timeout| SendError::Stalled { timeout })
        };
        if let Some(reason) = refused {
            let after = state.close(reason);
            drop(state);
            after.run();
            return Err(reason);
        }
        state.queue.push_back(item.into());
        let receiver = state.receiver.take();
        drop(state);
        if let Some(waker) = receiver {
            waker.wake();
        }
        Ok(())
    }

    /// Also closes the channel ([`SendError::Stalled`]) when events have waited `timeout`
    /// without the listener taking any: a client that stopped reading is let go after
    /// `timeout` even if it is not yet `max_queued` events behind. Checked at each
    /// [`send`](Self::send).
    pub fn stall_timeout(&self, timeout: Duration) -> &Self {
        self.shared.lock().stall_timeout = Some(timeout);
        self
    }

    /// Whether the channel stopped taking events, and why.
    pub fn closed_reason(&self) -> Option<SendError> {
        self.shared.lock().closed
    }

    /// A future that completes, with the reason, when the channel stops taking events:
    /// the listener went away, lagged or stalled. Race it against the job's work
    /// (`tokio::select!`) to stop as soon as the listener leaves.
    pub fn closed(&self) -> Closed {
        Closed {
            shared: self.shared.clone(),
        }
    }
}

impl Clone for Sender {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.senders -= 1;
        let receiver = if state.senders == 0 {
            state.receiver.take()
        } else {
            None
        };
        drop(state);
        if let Some(waker) = receiver {
            waker.wake();
        }
    }
}

impl core::fmt::Debug for Sender {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Sender")
            .field("queued", &state.queue.len())
            .field("closed", &state.closed)
            .finish_non_exhaustive()
    }
}

/// The future of [`Sender::closed`].
#[must_use = "futures do nothing unless polled"]
pub struct Closed {
    shared: Arc<Shared>,
}

impl Future for Closed {
    type Output = SendError;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SendError> {
        let mut state = self.shared.lock();
        if let Some(reason) = state.closed {
            return Poll::Ready(reason);
        }
        if !state
            .closed_waiters
            .iter()
            .any(|waker| waker.will_wake(cx.waker()))
        {
            state.closed_waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl core::fmt::Debug for Closed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Closed").finish_non_exhaustive()
    }
}

/// The listening half of a [`channel`]: a stream of the events sent, oldest first. It ends
/// when every sender is dropped and the queue is empty, or at once when the channel closed
/// for a lagging or stalled listener. Dropping it tells the senders the listener is gone.
pub struct Receiver {
    shared: Arc<Shared>,
    done: bool,
}

impl Receiver {
    /// Why the channel stopped taking events, if it has.
    pub fn closed_reason(&self) -> Option<SendError> {
        self.shared.lock().closed
    }
}

impl Stream for Receiver {
    type Item = Outgoing;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Outgoing>> {
        if self.done {
            return Poll::Ready(None);
        }
        let mut state = self.shared.lock();
        if let Some(item) = state.queue.pop_front() {
            state.waiting_since = Instant::now();
            return Poll::Ready(Some(item));
        }
        if state.closed.is_some() || state.senders == 0 {
            drop(state);
            self.done = true;
            return Poll::Ready(None);
        }
        state.receiver = Some(cx.waker().clone());
        Poll::Pending
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let state = self.shared.lock();
        let queued = state.queue.len();
        let ended = self.done || state.closed.is_some() || state.senders == 0;
        (queued, ended.then_some(queued))
    }
}

impl FusedStream for Receiver {
    fn is_terminated(&self) -> bool {
        self.done
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let after = self.shared.lock().close(SendError::Disconnected);
        after.run();
    }
}

impl core::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Receiver")
            .field("queued", &state.queue.len())
            .field("closed", &state.closed)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::test_support::poll;
    use crate::Event;
    use futures::executor::block_on;
    use futures::task::noop_waker_ref;

    fn data(item: Option<Outgoing>) -> Option<bytes::Bytes> {
        item.map(Outgoing::into_bytes)
    }

    #[test]
    fn delivers_in_order_and_ends_when_every_sender_is_gone() {
        let (sender, mut receiver) = channel(8);
        let other = sender.clone();
        sender.send(Event::new().data("a")).unwrap();
        other
            .send(Event::new().data("b").to_bytes())
            .expect("encoded bytes are accepted too");
        drop(sender);
        assert!(matches!(poll(&mut receiver), Poll::Ready(Some(_))));
        let Poll::Ready(second) = poll(&mut receiver) else {
            panic!("b is queued");
        };
        assert_eq!(data(second), Some("data: b\n\n".into()));
        assert!(poll(&mut receiver).is_pending(), "one sender is left");
        drop(other);
        assert!(matches!(poll(&mut receiver), Poll::Ready(None)));
        assert!(receiver.is_terminated());
    }

    #[test]
    fn a_listener_too_far_behind_is_let_go_and_its_queue_freed() {
        let (sender, mut receiver) = channel(3);
        for n in 0..3 {
            sender
                .send(Event::new().data(alloc::format!("{n}")))
                .unwrap();
        }
        assert!(matches!(poll(&mut receiver), Poll::Ready(Some(_))));
        sender.send(Event::new().data("3")).unwrap();
        assert_eq!(
            sender.send(Event::new().data("4")),
            Err(SendError::Lagged { limit: 3 })
        );
        assert_eq!(
            sender.send(Event::new().data("5")),
            Err(SendError::Lagged { limit: 3 }),
            "closed for good"
        );
        assert!(matches!(poll(&mut receiver), Poll::Ready(None)));
        assert_eq!(
            receiver.closed_reason(),
            Some(SendError::Lagged { limit: 3 })
        );
        assert_eq!(sender.shared.lock().queue.len(), 0, "the queue was freed");
    }

    #[test]
    fn a_zero_limit_takes_nothing() {
        let (sender, _receiver) = channel(0);
        assert_eq!(
            sender.send(Event::new().data("x")),
            Err(SendError::Lagged { limit: 0 })
        );
    }

    #[test]
    fn a_stalled_listener_is_let_go_after_the_timeout() {
        let (sender, mut receiver) = channel(100);
        sender.stall_timeout(Duration::ZERO);
        sender.send(Event::new().data("first")).unwrap();
        assert_eq!(
            sender.send(Event::new().data("second")),
            Err(SendError::Stalled {
                timeout: Duration::ZERO
            })
        );
        assert!(matches!(poll(&mut receiver), Poll::Ready(None)));

        let (sender, mut receiver) = channel(100);
        sender.stall_timeout(Duration::ZERO);
        for _ in 0..10 {
            sender.send(Event::new().data("read at once")).unwrap();
            assert!(
                matches!(poll(&mut receiver), Poll::Ready(Some(_))),
                "a listener that keeps up never stalls"
            );
        }
    }

    #[test]
    fn dropping_the_listener_closes_the_channel_and_wakes_closed() {
        let (sender, receiver) = channel(8);
        let mut closed = sender.closed();
        let mut cx = Context::from_waker(noop_waker_ref());
        assert!(Pin::new(&mut closed).poll(&mut cx).is_pending());
        drop(receiver);
        assert_eq!(block_on(closed), SendError::Disconnected);
        assert_eq!(
            sender.send(Event::new().data("for no one")),
            Err(SendError::Disconnected)
        );
        assert_eq!(sender.closed_reason(), Some(SendError::Disconnected));
    }

    #[test]
    fn a_waker_may_use_the_channel_when_woken() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::task::Wake;

        /// Looks at the channel from inside `wake`, as an executor polling inline would.
        struct Reentrant(Sender, AtomicBool);
        impl Wake for Reentrant {
            fn wake(self: Arc<Self>) {
                self.1
                    .store(self.0.closed_reason().is_some(), Ordering::SeqCst);
            }
        }
        let (sender, receiver) = channel(8);
        let reentrant = Arc::new(Reentrant(sender.clone(), AtomicBool::new(false)));
        let waker = Waker::from(reentrant.clone());
        let mut closed = sender.closed();
        assert!(Pin::new(&mut closed)
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        drop(receiver);
        assert!(
            reentrant.1.load(Ordering::SeqCst),
            "woken after the lock was released, seeing the channel closed"
        );
    }

    #[test]
    fn wakes_the_listener_on_send_and_on_the_last_sender_leaving() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::task::Wake;

        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let (sender, mut receiver) = channel(8);
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut receiver).poll_next(&mut cx).is_pending());
        sender.send(Event::new().data("a")).unwrap();
        assert_eq!(count.0.load(Ordering::SeqCst), 1);
        assert!(Pin::new(&mut receiver).poll_next(&mut cx).is_ready());
        assert!(Pin::new(&mut receiver).poll_next(&mut cx).is_pending());
        drop(sender);
        assert_eq!(count.0.load(Ordering::SeqCst), 2);
    }
}
