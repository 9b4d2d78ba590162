//! [`Sse`]: an event stream response body, with keep-alive, shutdown and coalescing in one
//! value, ready for every framework.

use crate::event::Event;
use crate::stream::quiet::QuietTimer;
use crate::stream::{EncodeStream, IntoOutgoing};
use crate::trace::Trace;
use alloc::boxed::Box;
use bytes::Bytes;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;

/// A boxed signal: the body stays one nameable type whatever the runtime.
type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A keep-alive timer with its sleep type erased once, at setup: every sleep goes into the
/// same allocation.
trait ErasedTimer: Send {
    /// The silence after which a keep-alive goes out.
    fn interval(&self) -> Duration;

    /// Something went out.
    fn sent(self: Pin<&mut Self>);

    /// `Ready` when a keep-alive is due now.
    fn poll_due(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
}

impl<F, T> ErasedTimer for QuietTimer<F, T>
where
    F: FnMut(Duration) -> T + Send,
    T: Future<Output = ()> + Send,
{
    fn interval(&self) -> Duration {
        QuietTimer::interval(self)
    }

    fn sent(self: Pin<&mut Self>) {
        QuietTimer::sent(self);
    }

    fn poll_due(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        QuietTimer::poll_due(self, cx)
    }
}

pin_project! {
    /// An event stream as a response body: the events, encoded and coalesced, with an
    /// optional keep-alive and shutdown; the headers an event stream needs come with it.
    ///
    /// `Sse` is a `Stream` of `Result<Bytes, E>` in the core, and with the matching feature an
    /// [`http_body::Body`](https://docs.rs/http-body) (feature `http-body`: hyper, tonic, any
    /// tower stack, with `into_http` for the response), an axum `IntoResponse` (feature
    /// `axum`) and an actix-web `Responder` (feature `actix`). Its events may be [`Event`]s,
    /// already encoded `Bytes` (a [`History`](crate::History) replay), or `Result`s of either
    /// (see [`IntoOutgoing`]); an error ends the body.
    ///
    /// It is named after axum's own `Sse`, which a user coming from axum replaces by changing
    /// an import.
    ///
    /// # Client gone, slow client
    /// When a client goes away the server drops the body, and with it the event source:
    /// a source that owns a subscription (a channel receiver) unsubscribes by being dropped.
    /// hyper (and so axum) notices at once, since it watches the socket for the client
    /// closing it; actix-web notices only when it next writes, so there a
    /// [keep-alive](Self::keep_alive) bounds how long a gone client's stream lives.
    /// A background job feeding one listener learns it through
    /// [`stream::channel`](crate::stream::channel) (a `send` error, or
    /// [`Sender::closed`](crate::stream::Sender::closed)). The body pulls events only when the
    /// socket takes them, so a client that stops reading holds at most one coalesced chunk
    /// here; where the events wait instead is the source's business, and
    /// [`stream::channel`](crate::stream::channel) bounds it.
    ///
    /// # Cost
    /// The keep-alive timer and the shutdown signal are boxed once each, when set, so
    /// `Sse<S>` stays a plain type to name and store; a quiet period costs no allocation
    /// (each new sleep goes into the timer's box), and an event no new timer (see
    /// [`keep_alive_with`](Self::keep_alive_with)).
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, future, stream, StreamExt};
    /// use sse_wire::{Event, Sse};
    ///
    /// let events = stream::iter([Event::new().data("a"), Event::new().data("b")]);
    /// let body = Sse::new(events).shutdown(future::pending::<()>());
    /// let chunks: Vec<_> = block_on(body.map(Result::unwrap).collect());
    /// assert_eq!(chunks.concat(), b"data: a\n\ndata: b\n\n");
    /// ```
    #[must_use = "a response body does nothing unless sent"]
    pub struct Sse<S>
    where
        S: Stream,
        S::Item: IntoOutgoing,
    {
        #[pin]
        events: EncodeStream<S>,
        keep_alive: Option<Pin<Box<dyn ErasedTimer>>>,
        keep_alive_message: Bytes,
        shutdown: Option<BoxFuture>,
        farewell: Option<Bytes>,
        trace: Trace,
        done: bool,
    }
}

impl<S> core::fmt::Debug for Sse<S>
where
    S: Stream + core::fmt::Debug,
    S::Item: IntoOutgoing,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sse")
            .field("events", &self.events)
            .field(
                "keep_alive",
                &self.keep_alive.as_ref().map(|timer| timer.interval()),
            )
            .field("shutdown", &self.shutdown.is_some())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<S> Sse<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    /// A body sending `events`, joining events that are ready together into chunks of up to
    /// [`DEFAULT_COALESCE`](crate::stream::DEFAULT_COALESCE) bytes; no keep-alive, no
    /// shutdown signal until they are set.
    pub fn new(events: S) -> Self {
        Self {
            events: EncodeStream::new(events),
            keep_alive: None,
            keep_alive_message: Bytes::from_static(b":\n\n"),
            shutdown: None,
            farewell: None,
            trace: Trace::opened(),
            done: false,
        }
    }

    /// Sends a keep-alive (a bare `:` comment unless [`keep_alive_event`](Self::keep_alive_event)
    /// says otherwise) after `interval` without an event, timed by `tokio::time::sleep`.
    /// Proxies drop idle connections: 15 s is the usual choice.
    ///
    /// Needs a tokio runtime (axum and actix-web run on one). Elsewhere use
    /// [`keep_alive_with`](Self::keep_alive_with).
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn keep_alive(self, interval: Duration) -> Self {
        self.keep_alive_with(interval, tokio::time::sleep)
    }

    /// Sends a keep-alive after `interval` without an event, timed by the caller's sleep:
    /// `make_sleep(duration)` returns a future that completes after that duration
    /// (`async_io::Timer::after`, `smol::Timer`, a test clock). The silence is measured from
    /// the last chunk the server took, and never exceeds `interval`: the keep-alive goes out
    /// after between half the interval and the interval of silence, exactly once per interval
    /// on a stream that stays quiet. Events cost no new timer: they set a flag that sleeps of
    /// half the interval check (as [`KeepAlive`](crate::stream::KeepAlive) explains).
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, future, stream, StreamExt};
    /// use sse_wire::{Event, Sse};
    /// use std::time::Duration;
    ///
    /// // A source that stays quiet and a "sleep" that is over at once.
    /// let body = Sse::new(stream::pending::<Event>())
    ///     .keep_alive_with(Duration::from_secs(15), |_| future::ready(()));
    /// let first: Vec<_> = block_on(body.take(2).map(Result::unwrap).collect());
    /// assert_eq!(first, [":\n\n", ":\n\n"]);
    /// ```
    pub fn keep_alive_with<F, T>(mut self, interval: Duration, make_sleep: F) -> Self
    where
        F: FnMut(Duration) -> T + Send + 'static,
        T: Future<Output = ()> + Send + 'static,
    {
        self.keep_alive = Some(Box::pin(QuietTimer::new(interval, make_sleep)));
        self
    }

    /// Sends this event (or comment) as the keep-alive instead of a bare `:` comment: a named
    /// event lets a page notice a stalled stream, which a comment never reaches. Encoded once.
    pub fn keep_alive_event(mut self, event: &Event) -> Self {
        self.keep_alive_message = event.to_bytes();
        self
    }

    /// Ends the body when `signal` completes (the server shutting down), after the
    /// [`farewell`](Self::farewell) event if one is set; the source is not polled again.
    pub fn shutdown<F>(mut self, signal: F) -> Self
    where
        F: Future + Send + 'static,
    {
        self.shutdown = Some(Box::pin(async move {
            signal.await;
        }));
        self
    }

    /// The last event sent on [`shutdown`](Self::shutdown): typically a `retry` telling
    /// clients when to come back.
    pub fn farewell(mut self, event: &Event) -> Self {
        self.farewell = Some(event.to_bytes());
        self
    }

    /// Sends these encoded events first (a [`History`](crate::History) replay for a client
    /// that came back with a `Last-Event-ID`), then the live events.
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, stream, StreamExt};
    /// use sse_wire::{Event, History, Sse};
    ///
    /// let mut history = History::new(100, 1 << 20);
    /// for n in 1..=3_u32 {
    ///     history.record(&Event::new().id(n).data("stored"));
    /// }
    /// let live = stream::iter([Event::new().data("live")]);
    /// let body = Sse::new(live).replay(history.replay_after("2")?.cloned());
    /// let chunks: Vec<_> = block_on(body.map(Result::unwrap).collect());
    /// assert_eq!(chunks.concat(), b"id: 3\ndata: stored\n\ndata: live\n\n");
    /// # Ok::<(), sse_wire::ReplayError>(())
    /// ```
    pub fn replay(mut self, encoded: impl IntoIterator<Item = Bytes>) -> Self {
        self.events = self.events.replay(encoded);
        self
    }

    /// How many bytes of ready events go out joined as one chunk:
    /// see [`EncodeStream::coalesce`]. `0` sends one chunk per event.
    pub fn coalesce(mut self, bytes: usize) -> Self {
        self.events = self.events.coalesce(bytes);
        self
    }

    /// The event source.
    pub fn get_ref(&self) -> &S {
        self.events.get_ref()
    }

    /// Unwraps the event source.
    pub fn into_inner(self) -> S {
        self.events.into_inner()
    }
}

impl<S> Stream for Sse<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    type Item = Result<Bytes, <S::Item as IntoOutgoing>::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if let Some(signal) = this.shutdown {
            if signal.as_mut().poll(cx).is_ready() {
                *this.done = true;
                this.trace.shutdown();
                return Poll::Ready(this.farewell.take().map(Ok));
            }
        }
        match this.events.poll_next(cx) {
            Poll::Ready(Some(item)) => {
                if let Some(timer) = this.keep_alive {
                    timer.as_mut().sent();
                }
                if let Ok(chunk) = &item {
                    this.trace.sent(chunk.len());
                }
                Poll::Ready(Some(item))
            }
            Poll::Ready(None) => {
                *this.done = true;
                *this.keep_alive = None;
                Poll::Ready(None)
            }
            Poll::Pending => {
                let Some(timer) = this.keep_alive else {
                    return Poll::Pending;
                };
                core::task::ready!(timer.as_mut().poll_due(cx));
                this.trace.keep_alive();
                Poll::Ready(Some(Ok(this.keep_alive_message.clone())))
            }
        }
    }
}

impl<S> FusedStream for Sse<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    fn is_terminated(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::test_support::{poll, ready_bytes, DropFlag};
    use crate::stream::Outgoing;
    use alloc::sync::Arc;
    use alloc::vec::Vec;
    use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
    use futures::{executor::block_on, future, stream, StreamExt};

    /// A thread-safe manual clock (the body's timers must be `Send`).
    #[derive(Clone, Default)]
    struct Clock {
        now_ms: Arc<AtomicU64>,
        sleeps: Arc<AtomicUsize>,
    }

    impl Clock {
        fn sleep(&self) -> impl FnMut(Duration) -> BoxFuture + Send + 'static {
            let clock = self.clone();
            move |interval| {
                clock.sleeps.fetch_add(1, Ordering::SeqCst);
                let now = clock.now_ms.clone();
                let deadline = now.load(Ordering::SeqCst) + interval.as_millis() as u64;
                Box::pin(future::poll_fn(move |_| {
                    if now.load(Ordering::SeqCst) >= deadline {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                }))
            }
        }

        fn advance(&self, ms: u64) {
            self.now_ms.fetch_add(ms, Ordering::SeqCst);
        }
    }

    /// A signal the test fires by hand.
    fn signal(fired: &Arc<AtomicBool>) -> impl Future<Output = ()> + Send + 'static {
        let fired = fired.clone();
        future::poll_fn(move |_| {
            if fired.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }

    /// A source fed through a channel, quiet while it is empty.
    fn source() -> (
        futures::channel::mpsc::UnboundedSender<Event>,
        futures::channel::mpsc::UnboundedReceiver<Event>,
    ) {
        futures::channel::mpsc::unbounded()
    }

    #[test]
    fn encodes_events_and_ends_with_the_source() {
        let events = stream::iter([Event::new().data("a"), Event::new().data("b")]);
        let chunks: Vec<_> = block_on(Sse::new(events).coalesce(0).collect());
        assert_eq!(chunks, [Ok("data: a\n\n".into()), Ok("data: b\n\n".into())]);
    }

    #[test]
    fn keep_alive_fires_after_a_quiet_interval_and_events_only_set_a_flag() {
        let clock = Clock::default();
        let (tx, rx) = source();
        let mut body = Sse::new(rx).keep_alive_with(Duration::from_secs(15), clock.sleep());
        assert!(poll(&mut body).is_pending());
        clock.advance(14_000);
        assert!(poll(&mut body).is_pending());
        tx.unbounded_send(Event::new().data("news")).unwrap();
        assert_eq!(ready_bytes(&mut body), "data: news\n\n");
        clock.advance(1_000);
        assert!(
            poll(&mut body).is_pending(),
            "the event dropped the whole-interval sleep"
        );
        // Half-interval ticks from the first quiet poll (15 s): the silence reaches the
        // interval at 30 s.
        clock.advance(7_500);
        assert!(poll(&mut body).is_pending());
        for n in 0..100 {
            tx.unbounded_send(Event::new().data("more")).unwrap();
            assert_eq!(ready_bytes(&mut body), "data: more\n\n", "event {n}");
            assert!(poll(&mut body).is_pending());
        }
        assert_eq!(clock.sleeps.load(Ordering::SeqCst), 3, "no timer per event");
        clock.advance(7_500);
        assert!(poll(&mut body).is_pending(), "the tick saw events go out");
        clock.advance(7_500);
        assert_eq!(ready_bytes(&mut body), ":\n\n");
        assert_eq!(clock.sleeps.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn keep_alive_can_be_a_named_event() {
        let clock = Clock::default();
        let (_tx, rx) = source();
        let ping = Event::new().event("ping").data("");
        let mut body = Sse::new(rx)
            .keep_alive_with(Duration::from_secs(1), clock.sleep())
            .keep_alive_event(&ping);
        assert!(poll(&mut body).is_pending());
        clock.advance(1_000);
        assert_eq!(ready_bytes(&mut body), "event: ping\ndata:\n\n");
    }

    #[test]
    fn shutdown_sends_the_farewell_and_stops_polling_the_source() {
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, rx) = source();
        let mut body = Sse::new(rx)
            .shutdown(signal(&stop))
            .farewell(&Event::new().retry(Duration::from_secs(10)));
        tx.unbounded_send(Event::new().data("live")).unwrap();
        assert_eq!(ready_bytes(&mut body), "data: live\n\n");
        assert!(poll(&mut body).is_pending());
        stop.store(true, Ordering::SeqCst);
        tx.unbounded_send(Event::new().data("after")).unwrap();
        assert_eq!(ready_bytes(&mut body), "retry: 10000\n\n");
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        assert!(body.is_terminated());
        let mut rx = body.into_inner();
        assert!(
            matches!(poll(&mut rx), Poll::Ready(Some(_))),
            "the event sent after the signal is still in the source"
        );
    }

    #[test]
    fn no_keep_alive_after_the_end() {
        let clock = Clock::default();
        let mut body = Sse::new(stream::empty::<Event>())
            .keep_alive_with(Duration::from_secs(1), clock.sleep());
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        clock.advance(5_000);
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
    }

    #[test]
    fn errors_pass_through_and_end_the_body() {
        let items = stream::iter([Ok(Event::new().data("a")), Err("boom")]);
        let chunks: Vec<_> = block_on(Sse::new(items).collect());
        assert_eq!(chunks, [Ok("data: a\n\n".into()), Err("boom")]);
    }

    #[test]
    fn encoded_replay_and_live_events_share_the_body() {
        let replay = stream::iter([Outgoing::from(Event::new().data("old").to_bytes())]);
        let live = stream::iter([Event::new().data("new")]).map(Outgoing::from);
        let chunks: Vec<_> = block_on(Sse::new(replay.chain(live)).collect());
        assert_eq!(chunks, [Ok("data: old\n\ndata: new\n\n".into())]);
    }

    #[test]
    fn is_send_and_unpin_when_its_source_is() {
        fn send_and_unpin<T: Send + Unpin>(_: &T) {}
        let body = Sse::new(stream::iter([Event::new()]))
            .keep_alive_with(Duration::from_secs(1), |_| future::pending())
            .shutdown(future::pending::<()>());
        send_and_unpin(&body);
    }

    #[test]
    fn dropping_the_body_drops_the_source() {
        let dropped = alloc::rc::Rc::new(core::cell::Cell::new(false));
        let mut body = Sse::new(DropFlag::new(stream::pending::<Event>(), &dropped));
        assert!(poll(&mut body).is_pending());
        drop(body);
        assert!(dropped.get());
    }
}
