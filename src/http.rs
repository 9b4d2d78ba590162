//! HTTP names and values around the format, usable without any HTTP crate.
//!
//! With the `http` feature the same values are also available as `http` crate types.

/// The media type of an event stream. The format is UTF-8 only, so no `charset` is needed.
pub const CONTENT_TYPE: &str = "text/event-stream";

/// The request header a reconnecting client sends with the last event id it saw.
/// Lowercase, as HTTP/2 requires; header names are case-insensitive.
pub const LAST_EVENT_ID: &str = "last-event-id";

/// The query parameter `axum::LastEventIdOrQuery` (feature `axum`) reads
/// when the `Last-Event-ID` header is absent: `lastEventId`, the name EventSource polyfills
/// use for clients that cannot set headers (`/events?lastEventId=42`).
pub const LAST_EVENT_ID_QUERY: &str = "lastEventId";

/// The headers a server should send with an event stream (besides a `200` status):
///
/// - `content-type: text/event-stream`;
/// - `cache-control: no-cache`, so no cache holds the stream back;
/// - `x-accel-buffering: no`, so nginx forwards each event at once instead of buffering.
///
/// `Connection: keep-alive` is left out on purpose: it is meaningless in HTTP/1.1 (the
/// default) and forbidden in HTTP/2.
///
/// # Examples
/// ```
/// for (name, value) in sse_wire::http::RESPONSE_HEADERS {
///     println!("{name}: {value}");
/// }
/// assert_eq!(sse_wire::http::RESPONSE_HEADERS[0], ("content-type", "text/event-stream"));
/// ```
pub const RESPONSE_HEADERS: [(&str, &str); 3] = [
    ("content-type", CONTENT_TYPE),
    ("cache-control", "no-cache"),
    ("x-accel-buffering", "no"),
];

/// The `Accept` header value a client sends when it opens an event stream.
pub const ACCEPT: &str = CONTENT_TYPE;

/// `http` crate versions of the values above.
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod typed {
    use http::header::{HeaderMap, HeaderName, HeaderValue};

    /// `Last-Event-ID` as a [`HeaderName`].
    pub const LAST_EVENT_ID: HeaderName = HeaderName::from_static(super::LAST_EVENT_ID);

    /// `X-Accel-Buffering` as a [`HeaderName`].
    pub const X_ACCEL_BUFFERING: HeaderName = HeaderName::from_static("x-accel-buffering");

    /// `text/event-stream` as a [`HeaderValue`].
    pub const CONTENT_TYPE: HeaderValue = HeaderValue::from_static(super::CONTENT_TYPE);

    /// The `Last-Event-ID` a reconnecting client sent, if present, UTF-8 and not empty: what
    /// a plain hyper (or any `http`-based) handler reads to resume a client.
    ///
    /// # Examples
    /// ```
    /// let request = http::Request::builder().header("Last-Event-ID", "42").body(()).unwrap();
    /// assert_eq!(sse_wire::http::typed::last_event_id(request.headers()), Some("42"));
    /// ```
    pub fn last_event_id(headers: &HeaderMap) -> Option<&str> {
        let id = headers.get(LAST_EVENT_ID)?.to_str().ok()?;
        (!id.is_empty()).then_some(id)
    }

    /// The [recommended response headers](super::RESPONSE_HEADERS) as a [`HeaderMap`].
    ///
    /// # Examples
    /// ```
    /// let headers = sse_wire::http::typed::response_headers();
    /// assert_eq!(headers[http::header::CONTENT_TYPE], "text/event-stream");
    /// assert_eq!(headers[http::header::CACHE_CONTROL], "no-cache");
    /// ```
    pub fn response_headers() -> HeaderMap {
        super::RESPONSE_HEADERS
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }
}
