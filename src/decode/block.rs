//! The buffers of the event being read: data, event type, retry, size so far.

use super::lines::LineRef;
use crate::text::Text;
use alloc::string::String;
use alloc::vec::Vec;

/// The data buffer without its final LF: the spec appends an LF after every data line and
/// removes the last one at dispatch, so storing the lines joined is the same thing.
///
/// A single line stays the slice it arrived in; a second line joins them into `joined`
/// (one copy), checked for UTF-8 once, at the end. Two plain fields rather than an enum:
/// this sits on the per-line hot path.
#[derive(Debug, Clone, Default)]
pub(super) struct Data {
    first: Option<Text>,
    joined: Vec<u8>,
}

impl Data {
    /// Whether a `data` field was seen (dispatching yields an event).
    pub(super) fn is_some(&self) -> bool {
        self.first.is_some()
    }

    /// Whether a second data line was seen (the lines are being joined).
    #[inline(always)]
    pub(super) fn is_joining(&self) -> bool {
        !self.joined.is_empty()
    }

    /// Appends a line already decoded as text; only for the first line.
    #[inline(always)]
    pub(super) fn set_first(&mut self, line: Text) {
        self.first = Some(line);
    }

    /// Appends a line after the first one: copies both into the join buffer.
    pub(super) fn append(&mut self, line: &[u8]) {
        if self.joined.is_empty() {
            let first = self
                .first
                .as_ref()
                .map_or(&[][..], |first| first.as_bytes());
            self.joined.reserve(2 * (first.len() + 1 + line.len()));
            self.joined.extend_from_slice(first);
        }
        self.joined.push(b'\n');
        self.joined.extend_from_slice(line);
    }

    /// Drops the data without looking at it.
    pub(super) fn clear(&mut self) {
        self.first = None;
        self.joined = Vec::new();
    }

    /// The data, leaving the buffer empty. Joined lines are checked for UTF-8 here, in one
    /// pass; invalid sequences become U+FFFD (strict mode checked every line already).
    #[inline(always)]
    pub(super) fn take(&mut self) -> Option<Text> {
        let first = self.first.take()?;
        if self.joined.is_empty() {
            return Some(first);
        }
        Some(self.take_joined())
    }

    #[inline(never)]
    fn take_joined(&mut self) -> Text {
        match String::from_utf8(core::mem::take(&mut self.joined)) {
            Ok(text) => Text::from_string(text),
            Err(error) => Text::from_string(String::from_utf8_lossy(error.as_bytes()).into_owned()),
        }
    }
}

/// Everything a block of lines has set so far; cleared at each empty line.
#[derive(Debug, Clone, Default)]
pub(super) struct Block {
    pub(super) data: Data,
    pub(super) event_type: Option<Text>,
    /// The block's `retry` in milliseconds.
    pub(super) retry: Option<u64>,
    pub(super) id_set: bool,
    /// Data bytes, with the line feeds joining data lines.
    pub(super) data_len: usize,
    /// Length of the current event type and id values: a repeated field replaces the value,
    /// so it replaces its size too.
    pub(super) event_type_len: usize,
    pub(super) id_len: usize,
    /// A limit or UTF-8 error hit this block: ignore its data and event type until the
    /// empty line (its `id` and `retry` still count).
    pub(super) discarding: bool,
}

impl Block {
    /// What the event holds, for the event size limit: data, event type and id.
    pub(super) fn size(&self) -> usize {
        self.data_len
            .saturating_add(self.event_type_len)
            .saturating_add(self.id_len)
    }

    /// Drops what was buffered and ignores the rest of the block.
    pub(super) fn discard(&mut self) {
        self.clear();
        self.discarding = true;
    }

    /// Empties the block for the next event.
    pub(super) fn clear(&mut self) {
        self.data.clear();
        self.event_type = None;
        self.reset_sizes_and_flags();
    }

    /// What [`clear`](Self::clear) does once the data and event type were taken.
    pub(super) fn reset_sizes_and_flags(&mut self) {
        self.retry = None;
        self.id_set = false;
        self.data_len = 0;
        self.event_type_len = 0;
        self.id_len = 0;
        self.discarding = false;
    }
}

/// `line.bytes()[from..]` as text: a slice of the chunk without copying when the line lies
/// in one, a copy when it spanned chunks; each invalid sequence replaced with U+FFFD (one
/// allocation), or `None` in strict mode.
#[inline(always)]
pub(super) fn to_text(line: &LineRef<'_>, from: usize, strict: bool) -> Option<Text> {
    match line.shared(from) {
        Ok((chunk, range)) => match Text::from_slice_of(chunk, range.clone()) {
            Some(text) => Some(text),
            None => replace_invalid(&chunk[range], strict),
        },
        Err(bytes) => copy_text(bytes, strict),
    }
}

/// A value of a line that spanned chunks: copied once, checked once.
#[inline(never)]
fn copy_text(bytes: &[u8], strict: bool) -> Option<Text> {
    match core::str::from_utf8(bytes) {
        Ok(text) => Some(Text::from(text)),
        Err(_) => replace_invalid(bytes, strict),
    }
}

/// Kept out of line: invalid UTF-8 is rare, the hot path stays small.
#[cold]
fn replace_invalid(bytes: &[u8], strict: bool) -> Option<Text> {
    (!strict).then(|| Text::from_string(String::from_utf8_lossy(bytes).into_owned()))
}
