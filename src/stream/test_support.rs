//! What the adapter tests share: a manual, deterministic clock (no real sleeps), a source
//! fed by hand, a stream that reports its drop, and polling helpers.

use crate::Event;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec::Vec;
use bytes::Bytes;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures::task::noop_waker_ref;
use futures::{stream, Stream, StreamExt};

/// A clock the test moves by hand, and sleeps that complete when it passes their deadline.
#[derive(Clone, Default)]
pub(crate) struct ManualClock {
    now: Rc<Cell<Duration>>,
    sleeps_made: Rc<Cell<usize>>,
}

/// A sleep on a [`ManualClock`].
pub(crate) struct ManualSleep {
    now: Rc<Cell<Duration>>,
    deadline: Duration,
}

impl Future for ManualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.now.get() >= self.deadline {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl ManualClock {
    /// A sleep factory for `KeepAlive::new`.
    pub(crate) fn sleep(&self) -> impl FnMut(Duration) -> ManualSleep {
        let clock = self.clone();
        move |interval| {
            clock.sleeps_made.set(clock.sleeps_made.get() + 1);
            ManualSleep {
                now: clock.now.clone(),
                deadline: clock.now.get() + interval,
            }
        }
    }

    pub(crate) fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }

    /// How many sleeps the factory has made (timer resets).
    pub(crate) fn sleeps_made(&self) -> usize {
        self.sleeps_made.get()
    }
}

/// What the source yields next: an item, or `None` for its end.
type Queue = VecDeque<Option<Result<Event, &'static str>>>;

/// A source the test feeds by hand: `Pending` while empty, the end after [`end`](Self::end).
#[derive(Clone, Default)]
pub(crate) struct Source(Rc<RefCell<Queue>>);

impl Source {
    pub(crate) fn stream(&self) -> impl Stream<Item = Result<Event, &'static str>> + Unpin {
        let queue = self.0.clone();
        stream::poll_fn(move |_| match queue.borrow_mut().pop_front() {
            Some(Some(item)) => Poll::Ready(Some(item)),
            Some(None) => Poll::Ready(None),
            None => Poll::Pending,
        })
    }

    pub(crate) fn send(&self, data: &'static str) {
        self.0
            .borrow_mut()
            .push_back(Some(Ok(Event::new().data(data))));
    }

    pub(crate) fn fail(&self, error: &'static str) {
        self.0.borrow_mut().push_back(Some(Err(error)));
    }

    pub(crate) fn end(&self) {
        self.0.borrow_mut().push_back(None);
    }

    /// Items sent but not yet taken by the adapter.
    pub(crate) fn queued(&self) -> usize {
        self.0.borrow().len()
    }
}

/// Sets a flag when dropped, as a server's per-client source does when it unsubscribes.
pub(crate) struct DropFlag<S> {
    inner: S,
    dropped: Rc<Cell<bool>>,
}

impl<S> DropFlag<S> {
    pub(crate) fn new(inner: S, dropped: &Rc<Cell<bool>>) -> Self {
        Self {
            inner,
            dropped: dropped.clone(),
        }
    }
}

impl<S: Stream + Unpin> Stream for DropFlag<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl<S> Drop for DropFlag<S> {
    fn drop(&mut self) {
        self.dropped.set(true);
    }
}

/// Polls once with a waker that does nothing.
pub(crate) fn poll<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    stream.poll_next_unpin(&mut Context::from_waker(noop_waker_ref()))
}

/// Polls once and expects a chunk.
pub(crate) fn ready_bytes<S, E>(stream: &mut S) -> Bytes
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: core::fmt::Debug,
{
    match poll(stream) {
        Poll::Ready(Some(Ok(bytes))) => bytes,
        Poll::Ready(Some(Err(error))) => panic!("expected bytes, got error {error:?}"),
        Poll::Ready(None) => panic!("expected bytes, got the end"),
        Poll::Pending => panic!("expected bytes, got pending"),
    }
}

/// A response body made of these chunks (or transport errors).
pub(crate) fn chunks(
    chunks: Vec<Result<&'static [u8], &'static str>>,
) -> impl Stream<Item = Result<Bytes, &'static str>> {
    stream::iter(
        chunks
            .into_iter()
            .map(|chunk| chunk.map(Bytes::from_static)),
    )
}
