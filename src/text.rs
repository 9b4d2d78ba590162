//! `Text`: a `Bytes` that is known to hold UTF-8, so field values and decoded data can be
//! shared and sliced without copying while still being handed out as `&str`.

use alloc::string::String;
use bytes::Bytes;
use core::fmt;

/// Cheaply cloneable UTF-8 text backed by [`Bytes`].
///
/// Every constructor checks (or is given) valid UTF-8, so [`Text::as_str`] never fails.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Text(Bytes);

impl Text {
    /// Borrows a static string: no allocation, no copy.
    pub(crate) const fn from_static(text: &'static str) -> Self {
        Self(Bytes::from_static(text.as_bytes()))
    }

    /// Checks `bytes` for UTF-8 and keeps them without copying; gives them back if invalid.
    pub(crate) fn from_utf8(bytes: Bytes) -> Result<Self, (Bytes, core::str::Utf8Error)> {
        match core::str::from_utf8(&bytes) {
            Ok(_) => Ok(Self(bytes)),
            Err(error) => Err((bytes, error)),
        }
    }

    /// The text as a string slice.
    ///
    /// This re-checks UTF-8 (linear, vectorised) instead of using `unsafe`: the crate forbids
    /// unsafe code until a benchmark shows the check matters.
    pub(crate) fn as_str(&self) -> &str {
        // Invariant: every constructor validated the bytes, so the fallback is unreachable.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub(crate) fn as_bytes(&self) -> &Bytes {
        &self.0
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
        Self(Bytes::from(text))
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(Bytes::copy_from_slice(text.as_bytes()))
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
