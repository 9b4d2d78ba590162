//! The transport seam: what the client loop asks of an HTTP client ([`Transport`]) and what
//! it gets back ([`Connection`], [`ConnectError`]).

use super::retry_after::parse_retry_after;
use bytes::Bytes;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::Stream;
use pin_project_lite::pin_project;
use std::time::SystemTime;

/// Any error, boxed: what transports report.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response body: chunks of bytes until the end or an error.
pub type Body = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// A connection attempt in flight.
pub type Connecting = Pin<Box<dyn Future<Output = Result<Connection, ConnectError>> + Send>>;

/// What the client loop needs from an HTTP client: start one request per attempt.
///
/// The loop does everything else (response checks, decoding, `Last-Event-ID`, delays,
/// backoff, the idle timeout). reqwest is provided (`reqwest` feature); any other client
/// (hyper, a test double, an HTTP/3 stack) plugs in by implementing this, or by passing a
/// closure `FnMut(&Attempt) -> Connecting`.
///
/// # Examples
/// A transport over hyper's client would look like this; here a canned response stands in:
/// ```
/// use bytes::Bytes;
/// use futures::{stream, StreamExt};
/// use sse_wire::client::{Attempt, ClientEvent, Connecting, Connection, EventSource};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let transport = |attempt: &Attempt| -> Connecting {
///     // A real transport sends a request with `attempt.headers()` here.
///     assert_eq!(attempt.headers().next(), Some(("accept", "text/event-stream")));
///     let body = stream::iter([Ok::<_, std::io::Error>(Bytes::from("data: hi\n\n"))]);
///     let connection = Connection::new(200, body).content_type(b"text/event-stream");
///     Box::pin(async move { Ok(connection) })
/// };
/// let mut events = EventSource::new(transport);
/// assert!(matches!(events.next().await, Some(Ok(ClientEvent::Open))));
/// match events.next().await {
///     Some(Ok(ClientEvent::Message(message))) => assert_eq!(message.data(), "hi"),
///     other => panic!("{other:?}"),
/// }
/// events.close();
/// assert!(events.next().await.is_none());
/// # }
/// ```
pub trait Transport {
    /// Starts a request for `attempt`, sending its [`headers`](Attempt::headers).
    fn connect(&mut self, attempt: &Attempt) -> Connecting;
}

impl<F> Transport for F
where
    F: FnMut(&Attempt) -> Connecting,
{
    fn connect(&mut self, attempt: &Attempt) -> Connecting {
        self(attempt)
    }
}

/// One connection attempt: what the request must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub(super) number: u32,
    pub(super) last_event_id: String,
}

impl Attempt {
    /// Which connection this is, counting from 1 (the first connection) over the client's
    /// whole life.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The `Last-Event-ID` to send, if any.
    pub fn last_event_id(&self) -> Option<&str> {
        (!self.last_event_id.is_empty()).then_some(self.last_event_id.as_str())
    }

    /// The headers the request must carry, names in lowercase: `accept: text/event-stream`,
    /// and `last-event-id` when there is one.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let last_event_id = self
            .last_event_id()
            .map(|id| (crate::http::LAST_EVENT_ID, id));
        core::iter::once(("accept", crate::http::ACCEPT)).chain(last_event_id)
    }
}

/// A response as the client loop needs it: status, the two headers it reads, and the body.
#[must_use]
pub struct Connection {
    pub(super) status: u16,
    pub(super) content_type: Option<Vec<u8>>,
    pub(super) retry_after: Option<Duration>,
    pub(super) body: Body,
}

impl core::fmt::Debug for Connection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Connection")
            .field("status", &self.status)
            .field(
                "content_type",
                &self.content_type.as_deref().map(String::from_utf8_lossy),
            )
            .field("retry_after", &self.retry_after)
            .finish_non_exhaustive()
    }
}

impl Connection {
    /// A response with this status and body (any stream of `Bytes` chunks).
    pub fn new<S, E>(status: u16, body: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Self {
            status,
            content_type: None,
            retry_after: None,
            body: Box::pin(BoxErrors { inner: body }),
        }
    }

    /// The `Content-Type` header's value.
    pub fn content_type(mut self, value: &[u8]) -> Self {
        self.content_type = Some(value.to_vec());
        self
    }

    /// The `Retry-After` header's value (seconds or an HTTP date), honoured when the client
    /// retries a 5xx, 408 or 429; ignored when it cannot be parsed.
    pub fn retry_after(mut self, value: &[u8]) -> Self {
        self.retry_after = parse_retry_after(value, SystemTime::now());
        self
    }
}

/// Why a connection attempt failed.
///
/// Most failures (refused, reset, timed out, DNS) are worth retrying: [`new`](Self::new).
/// A request that cannot be sent at all (an invalid URL or header, a body that can only be
/// sent once) is [`permanent`](Self::permanent) and stops the client.
#[derive(Debug)]
pub struct ConnectError {
    source: BoxError,
    permanent: bool,
}

impl ConnectError {
    /// A failure worth retrying after a delay.
    pub fn new(source: impl Into<BoxError>) -> Self {
        Self {
            source: source.into(),
            permanent: false,
        }
    }

    /// A failure that would repeat on every attempt: the client stops.
    pub fn permanent(source: impl Into<BoxError>) -> Self {
        Self {
            source: source.into(),
            permanent: true,
        }
    }

    /// Whether retrying is pointless.
    pub fn is_permanent(&self) -> bool {
        self.permanent
    }

    /// The underlying error.
    pub fn into_inner(self) -> BoxError {
        self.source
    }
}

pin_project! {
    /// A body stream with its error type boxed.
    struct BoxErrors<S> {
        #[pin]
        inner: S,
    }
}

impl<S, E> Stream for BoxErrors<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project()
            .inner
            .poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map_err(Into::into)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}
