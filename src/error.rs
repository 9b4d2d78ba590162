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
