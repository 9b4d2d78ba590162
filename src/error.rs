//! Every public error type of the crate.

use core::fmt;

/// Which field of an event a value was meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldKind {
    /// The `event` field (the event type).
    EventType,
    /// The `id` field (the event id).
    EventId,
}

impl fmt::Display for FieldKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldKind::EventType => "event type",
            FieldKind::EventId => "event id",
        })
    }
}

/// A value that cannot be written as an `event` or `id` field.
///
/// A line feed or carriage return would end the field early and let the rest of the value
/// inject other fields or events; every conforming client ignores an `id` containing NUL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// The value contains a line feed (`\n`).
    #[error("{field} contains a line feed at byte {index}")]
    LineFeed {
        /// The field the value was meant for.
        field: FieldKind,
        /// Byte offset of the line feed in the value.
        index: usize,
    },
    /// The value contains a carriage return (`\r`).
    #[error("{field} contains a carriage return at byte {index}")]
    CarriageReturn {
        /// The field the value was meant for.
        field: FieldKind,
        /// Byte offset of the carriage return in the value.
        index: usize,
    },
    /// The event id contains a NUL byte, which makes clients ignore the whole field.
    #[error("{field} contains a NUL byte at byte {index}")]
    Nul {
        /// The field the value was meant for.
        field: FieldKind,
        /// Byte offset of the NUL in the value.
        index: usize,
    },
    /// The value is not valid UTF-8 (only raised by constructors that take raw bytes).
    #[error("{field} is not valid UTF-8 at byte {index}")]
    NotUtf8 {
        /// The field the value was meant for.
        field: FieldKind,
        /// Byte offset where the invalid sequence starts.
        index: usize,
    },
}

/// A problem in the input, reported as an item by the [`Decoder`](crate::Decoder).
///
/// None of them ends decoding: the offending event is dropped (up to the next empty line) and
/// the decoder carries on with the next one. Offsets count bytes from the start of the stream
/// (the current connection), the byte order mark included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A line is longer than [`DecoderConfig::max_line_len`](crate::DecoderConfig::max_line_len).
    #[error("line at byte {offset} is longer than the {limit}-byte line limit")]
    LineTooLong {
        /// The configured limit.
        limit: usize,
        /// Stream offset where the line starts.
        offset: u64,
    },
    /// An event is larger than
    /// [`DecoderConfig::max_event_size`](crate::DecoderConfig::max_event_size).
    #[error("event grew to {size} bytes at the line at byte {offset}, over the {limit}-byte event limit")]
    EventTooLarge {
        /// The configured limit.
        limit: usize,
        /// The size the event would have reached.
        size: usize,
        /// Stream offset of the line that pushed it over the limit.
        offset: u64,
    },
    /// Invalid UTF-8, in [strict mode](crate::DecoderConfig::strict_utf8) only.
    #[error("invalid utf-8 in the line at byte {offset}")]
    InvalidUtf8 {
        /// Stream offset of the line holding the invalid bytes.
        offset: u64,
    },
}

/// An error from a [`DecodeStream`](crate::stream::DecodeStream).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError<E> {
    /// The transport failed (connection reset, body error); the stream ends.
    #[error("event stream transport failed")]
    Transport(#[source] E),
    /// The input broke a decoder rule; that event is dropped and the stream goes on.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// Why a response cannot be read as an event stream.
///
/// Per the standard, none of these should be retried: a client stops reconnecting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// `204 No Content`: the server asks the client to stop and not reconnect.
    #[error("server answered 204 No Content: the stream is over, do not reconnect")]
    NoContent,
    /// A status other than `200 OK` (and `204`).
    #[error("server answered status {status}, not 200")]
    Status {
        /// The status code received.
        status: u16,
    },
    /// The response has no `Content-Type` header.
    #[error("response has no content type, expected text/event-stream")]
    MissingContentType,
    /// The `Content-Type` is not `text/event-stream`.
    #[error("response content type is {content_type:?}, expected text/event-stream")]
    ContentType {
        /// The content type received (lossy UTF-8).
        content_type: alloc::string::String,
    },
}

/// Why [`History::replay_after`](crate::History::replay_after) cannot resume a client.
/// Either way events may be missing: send a full resync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The id is older than every event still held: events after it were evicted.
    #[error("event id is older than the history: events after it were evicted")]
    Evicted,
    /// The id is not in the history.
    #[error("event id is not in the history")]
    Unknown,
}

/// Why a [`Hub`](crate::hub::Hub) could not publish or subscribe.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum HubError {
    /// Bytes given to `publish_encoded` do not end with an empty line, so they are not
    /// complete events.
    #[error("encoded event does not end with an empty line")]
    Incomplete,
    /// The Redis URL cannot be used.
    #[cfg(feature = "redis")]
    #[error("invalid redis url")]
    RedisUrl {
        /// What the redis crate reported.
        #[source]
        source: alloc::sync::Arc<redis::RedisError>,
    },
    /// No connection to Redis could be made.
    #[cfg(feature = "redis")]
    #[error("cannot reach redis at {address}")]
    Unreachable {
        /// Host and port (or socket path) tried; never the password.
        address: alloc::string::String,
        /// What the redis crate reported.
        #[source]
        source: alloc::sync::Arc<redis::RedisError>,
    },
    /// A Redis command failed (the connection is made again at the next call).
    #[cfg(feature = "redis")]
    #[error("redis command {command} failed")]
    Redis {
        /// The command, for example `XADD`.
        command: &'static str,
        /// What Redis or the redis crate reported.
        #[source]
        source: alloc::sync::Arc<redis::RedisError>,
    },
    /// Redis answered a command with something the hub does not understand.
    #[cfg(feature = "redis")]
    #[error("unexpected reply from redis to {command}")]
    Reply {
        /// The command, for example `XINFO`.
        command: &'static str,
    },
}

/// Why a [`stream::channel`](crate::stream::channel) no longer takes events.
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The listener went away: the client disconnected and the server dropped its stream.
    #[error("event listener is gone")]
    Disconnected,
    /// The listener fell `limit` events behind; its queue was dropped and its stream ended.
    #[error("event listener fell {limit} events behind and was let go")]
    Lagged {
        /// The channel's `max_queued`.
        limit: usize,
    },
    /// Events waited `timeout` without the listener taking any; its queue was dropped and
    /// its stream ended.
    #[error("event listener took nothing for {timeout:?} and was let go")]
    Stalled {
        /// The sender's stall timeout.
        timeout: core::time::Duration,
    },
}

/// Why the axum `LastEventId` extractors refused a request (answered `400 Bad Request`).
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LastEventIdRejection {
    /// The extractor was taken bare (not as an `Option`) and the request has no id.
    #[error("request has no last-event-id")]
    Missing,
    /// The id is not valid UTF-8 (after percent-decoding, for the query parameter).
    #[error("last-event-id is not valid utf-8")]
    NotUtf8,
}
