//! `Text`: a `Bytes` that is known to hold UTF-8, so field values and decoded data can be
//! shared and sliced without copying while still being handed out as `&str` in O(1).

use alloc::string::String;
use bytes::{Buf, Bytes};
use bytestring::ByteString;
use core::fmt;
use core::ops::Range;

/// Cheaply cloneable UTF-8 text backed by [`Bytes`].
///
/// Every constructor checks (or is given) valid UTF-8 once; [`Text::as_str`] is then O(1).
/// The unchecked conversion lives in `bytestring` (a small, widely used crate of the actix
/// project), so this crate keeps `#![forbid(unsafe_code)]`.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Text(ByteString);

impl Text {
    /// Borrows a static string: no allocation, no copy.
    pub(crate) const fn from_static(text: &'static str) -> Self {
        Self(ByteString::from_static(text))
    }

    /// Checks `bytes` for UTF-8 and keeps them without copying; gives them back if invalid.
    pub(crate) fn from_utf8(bytes: Bytes) -> Result<Self, (Bytes, core::str::Utf8Error)> {
        // O(1): the copy is only needed to hand the bytes back on the (rare) error path.
        let kept = bytes.clone();
        ByteString::try_from(bytes)
            .map(Self)
            .map_err(|error| (kept, error))
    }

    /// `source[range]` as text, without copying when it is valid UTF-8; `None` if invalid.
    ///
    /// Borrowing the source lets the caller still read the bytes after a failed check (for
    /// a lossy copy) without a reference-count round trip on the valid path.
    #[inline(always)]
    pub(crate) fn from_slice_of(source: &Bytes, range: Range<usize>) -> Option<Self> {
        // `clone` + `truncate` + `advance` is `source.slice(range)` in fewer instructions
        // (measured with `scripts/instructions`: 2-3% fewer per small event).
        if range.is_empty() {
            // An empty value holds no reference to the chunk.
            return Some(Self::default());
        }
        let mut bytes = source.clone();
        bytes.truncate(range.end);
        bytes.advance(range.start.min(bytes.len()));
        ByteString::try_from(bytes).ok().map(Self)
    }

    /// Takes a string that is already known to be UTF-8: no check, no copy.
    pub(crate) fn from_string(text: String) -> Self {
        Self(ByteString::from(text))
    }

    /// The text as a string slice, in O(1).
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn as_bytes(&self) -> &Bytes {
        self.0.as_bytes()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Self::from_string(text)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(ByteString::from(text))
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
