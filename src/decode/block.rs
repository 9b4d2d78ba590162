//! The buffers of the event being read: data, event type, retry, size so far.

use crate::text::Text;
use alloc::string::String;
use bytes::{BufMut, Bytes, BytesMut};
use core::time::Duration;

/// The data buffer without its final LF: the spec appends an LF after every data line and
/// removes the last one at dispatch, so storing the lines joined is the same thing.
#[derive(Debug, Clone, Default)]
pub(super) enum Data {
    /// No `data` field yet: dispatching now yields no event.
    #[default]
    None,
    /// One line, kept as the slice it arrived in.
    One(Bytes),
    /// Several lines joined with LF (one copy).
    Many(BytesMut),
}

impl Data {
    pub(super) fn append(&mut self, line: Bytes) {
        *self = match core::mem::take(self) {
            Data::None => Data::One(line),
            Data::One(first) => {
                let mut joined = BytesMut::with_capacity(first.len() + 1 + line.len());
                joined.put_slice(&first);
                joined.put_u8(b'\n');
                joined.put_slice(&line);
                Data::Many(joined)
            }
            Data::Many(mut joined) => {
                joined.put_u8(b'\n');
                joined.put_slice(&line);
                Data::Many(joined)
            }
        }
    }

    pub(super) fn into_bytes(self) -> Option<Bytes> {
        match self {
            Data::None => None,
            Data::One(line) => Some(line),
            Data::Many(joined) => Some(joined.freeze()),
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
        *self = Block {
            discarding: true,
            ..Block::default()
        };
    }
}

/// Decodes `bytes` as UTF-8 without copying when valid; otherwise replaces each invalid
/// sequence with U+FFFD (one allocation), or fails in strict mode.
pub(super) fn to_text(bytes: Bytes, strict: bool) -> Option<Text> {
    match core::str::from_utf8(&bytes) {
        Ok(_) => Text::from_utf8(bytes).ok(),
        Err(_) if strict => None,
        Err(_) => Some(Text::from(String::from_utf8_lossy(&bytes).into_owned())),
    }
}
