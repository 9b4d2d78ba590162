//! The buffers of the event being read: data, event type, retry, size so far.

use crate::text::Text;
use alloc::string::String;
use bytes::{BufMut, Bytes, BytesMut};
use core::time::Duration;

/// The data buffer without its final LF: the spec appends an LF after every data line and
/// removes the last one at dispatch, so storing the lines joined is the same thing.
///
/// A single line stays the slice it arrived in; a second line joins them into `joined`
/// (one copy). Two plain fields rather than an enum: this sits on the per-line hot path.
#[derive(Debug, Clone, Default)]
pub(super) struct Data {
    first: Option<Bytes>,
    joined: BytesMut,
}

impl Data {
    /// Whether a `data` field was seen (dispatching yields an event).
    pub(super) fn is_some(&self) -> bool {
        self.first.is_some()
    }

    pub(super) fn append(&mut self, line: Bytes) {
        match &self.first {
            None => self.first = Some(line),
            Some(first) => {
                if self.joined.is_empty() {
                    self.joined.reserve(first.len() + 1 + line.len());
                    self.joined.put_slice(first);
                }
                self.joined.put_u8(b'\n');
                self.joined.put_slice(&line);
            }
        }
    }

    /// The data, leaving the buffer empty.
    pub(super) fn take(&mut self) -> Option<Bytes> {
        let first = self.first.take()?;
        if self.joined.is_empty() {
            Some(first)
        } else {
            Some(self.joined.split().freeze())
        }
    }
}

/// Everything a block of lines has set so far; cleared at each empty line.
#[derive(Debug, Clone, Default)]
pub(super) struct Block {
    pub(super) data: Data,
    pub(super) event_type: Option<Text>,
    pub(super) retry: Option<Duration>,
    pub(super) id_set: bool,
    /// Data (with joining LFs), event type and id bytes, for the event size limit.
    pub(super) size: usize,
    /// A limit or UTF-8 error hit this block: ignore its lines until the empty line.
    pub(super) discarding: bool,
}

impl Block {
    /// Drops what was buffered and ignores the rest of the block.
    pub(super) fn discard(&mut self) {
        self.clear();
        self.discarding = true;
    }

    /// Empties the block for the next event, keeping the join buffer's allocation.
    pub(super) fn clear(&mut self) {
        self.data.take();
        self.event_type = None;
        self.retry = None;
        self.id_set = false;
        self.size = 0;
        self.discarding = false;
    }
}

/// Decodes `bytes` as UTF-8 without copying when valid; otherwise replaces each invalid
/// sequence with U+FFFD (one allocation), or fails in strict mode.
pub(super) fn to_text(bytes: Bytes, strict: bool) -> Option<Text> {
    match Text::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(_) if strict => None,
        Err((bytes, _)) => Some(Text::from(String::from_utf8_lossy(&bytes).into_owned())),
    }
}
