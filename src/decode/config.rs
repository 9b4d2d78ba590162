//! [`DecoderConfig`]: size limits and reporting options.

/// The default for both size limits: 16 MiB, twice what browsers are known to accept in one
/// event, so every legitimate stream decodes with the defaults.
pub const DEFAULT_LIMIT: usize = 16 * 1024 * 1024;

/// How a [`Decoder`](crate::Decoder) treats its input: size limits, comments, UTF-8.
///
/// The defaults decode every legitimate stream; set tight limits for untrusted input.
///
/// # Examples
/// ```
/// use sse_wire::{Decoder, DecoderConfig};
///
/// let config = DecoderConfig::default()
///     .max_line_len(64 * 1024)
///     .max_event_size(256 * 1024)
///     .comments(true);
/// let decoder = Decoder::with_config(config);
/// # let _ = decoder;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub struct DecoderConfig {
    pub(crate) max_line_len: usize,
    pub(crate) max_event_size: usize,
    pub(crate) comments: bool,
    pub(crate) strict_utf8: bool,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self {
            max_line_len: DEFAULT_LIMIT,
            max_event_size: DEFAULT_LIMIT,
            comments: false,
            strict_utf8: false,
        }
    }
}

impl DecoderConfig {
    /// The longest line accepted, in bytes, without its line break (default 16 MiB).
    ///
    /// A longer line yields [`DecodeError::LineTooLong`](crate::DecodeError::LineTooLong);
    /// the decoder stops buffering it at once, so memory stays bounded.
    pub fn max_line_len(mut self, bytes: usize) -> Self {
        self.max_line_len = bytes;
        self
    }

    /// The largest event accepted, in bytes: its data (with the line feeds joining data
    /// lines), event type and id added up (default 16 MiB).
    ///
    /// A larger event yields [`DecodeError::EventTooLarge`](crate::DecodeError::EventTooLarge).
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = bytes;
        self
    }

    /// Whether comment lines are reported as [`Frame::Comment`](crate::Frame::Comment)
    /// (default `false`: comments are skipped, as browsers do).
    pub fn comments(mut self, report: bool) -> Self {
        self.comments = report;
        self
    }

    /// Whether invalid UTF-8 is an error instead of being replaced with U+FFFD as the
    /// standard says (default `false`).
    ///
    /// In strict mode the event holding the invalid bytes is dropped, an
    /// [`DecodeError::InvalidUtf8`](crate::DecodeError::InvalidUtf8) item takes its place,
    /// and decoding goes on with the next event.
    pub fn strict_utf8(mut self, strict: bool) -> Self {
        self.strict_utf8 = strict;
        self
    }

    /// The line length limit in bytes.
    pub fn line_limit(&self) -> usize {
        self.max_line_len
    }

    /// The event size limit in bytes.
    pub fn event_limit(&self) -> usize {
        self.max_event_size
    }
}
