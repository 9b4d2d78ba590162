//! Line assembly: turns pushed chunks into complete lines.
//!
//! Handles what the chunking may hide: a byte order mark split across chunks, a CR ending
//! one chunk with the LF starting the next, and lines longer than the limit (dropped while
//! they arrive, so memory stays bounded).
//!
//! A line lying whole inside a chunk (the common case) is lent out as a range of that chunk:
//! no reference count is touched and nothing is copied until the interpreter keeps a value.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use bytes::Bytes;
use core::ops::Range;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// A complete line without its terminator, lent by the reader.
#[derive(Debug)]
pub(super) struct LineRef<'a> {
    bytes: &'a [u8],
    /// The chunk `bytes` lies in, and where it starts there; `None` for a line assembled
    /// from several chunks (then its values are copied when kept).
    chunk: Option<(&'a Bytes, usize)>,
}

impl<'a> LineRef<'a> {
    #[inline(always)]
    pub(super) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// `bytes()[from..]` as shared bytes: a slice of the chunk when the line lies in one,
    /// else a copy (one allocation, only for lines that span chunks).
    #[inline(always)]
    pub(super) fn shared(
        &self,
        from: usize,
    ) -> Result<(&'a Bytes, core::ops::Range<usize>), &'a [u8]> {
        match self.chunk {
            Some((chunk, start)) => Ok((chunk, start + from..start + self.bytes.len())),
            None => Err(&self.bytes[from..]),
        }
    }
}

/// What [`LineReader::next_line`] found.
#[derive(Debug)]
pub(super) enum Line<'a> {
    /// A complete line, and the stream offset where it starts.
    Complete(LineRef<'a>, u64),
    /// A line of a known field (`data`, `event`, `id`, `retry`) longer than the limit,
    /// starting at this stream offset. Reported once, as soon as it is known; the rest of
    /// the line is skipped. Over-long comments and unknown fields are skipped silently: the
    /// standard ignores them, so they cannot harm the event around them.
    TooLong(u64),
}

/// How the rest of an over-long line is being dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Skip {
    /// Not skipping.
    #[default]
    No,
    /// Dropping the rest of the line (already reported if it mattered).
    Quietly,
    /// Dropping the rest, not yet knowing whether the line is a field that matters:
    /// `partial` keeps its first few bytes (fewer than [`NAME_WINDOW`]) until it is known.
    Undecided,
}

/// Known field names have at most five bytes, so the first six bytes of a line tell whether
/// it is one of them.
const NAME_WINDOW: usize = 6;

/// Whether a line starting with `head` is a known field (`Some(true)`), something the
/// standard ignores (`Some(false)`: a comment or an unknown field), or not known yet
/// (`None`: fewer than [`NAME_WINDOW`] bytes of an unfinished line, no colon among them).
/// `complete` says `head` is the whole line.
fn is_known_field(head: &[u8], complete: bool) -> Option<bool> {
    let window = &head[..head.len().min(NAME_WINDOW)];
    let name = match memchr::memchr(b':', window) {
        Some(colon) => &window[..colon],
        None if complete || window.len() == NAME_WINDOW => window,
        None => return None,
    };
    Some(matches!(name, b"data" | b"event" | b"id" | b"retry"))
}

/// The most memory `partial` keeps for the next line that spans chunks.
const RETAINED_CAPACITY: usize = 16 * 1024;

/// How many bytes of a line are looked at a word at a time before calling `memchr2`.
const HEAD: usize = 16;

/// The position of the first CR or LF in `bytes`.
///
/// Many lines are short (`id: 7`, `event: tick`, `: ping`, every empty line ending an
/// event) and a `memchr2` call spends some 50 instructions choosing and setting up its
/// vector loop before the first comparison, so the first 16 bytes are looked at as two
/// 8-byte words first.
#[inline(always)]
fn find_line_break(bytes: &[u8], long_lines: bool) -> Option<usize> {
    if long_lines {
        // The caller expects a long line (it is joining data lines): straight to
        // `memchr2`, but an empty line (the end of the event) still costs a single look.
        return match bytes.first() {
            Some(b'\n' | b'\r') => Some(0),
            _ => memchr::memchr2(b'\n', b'\r', bytes),
        };
    }
    let Some((head, tail)) = bytes.split_first_chunk::<HEAD>() else {
        return bytes
            .iter()
            .position(|&byte| byte == b'\n' || byte == b'\r');
    };
    let (low, high) = head.split_at(8);
    if let Some(found) = line_break_in_word(low) {
        return Some(found);
    }
    if let Some(found) = line_break_in_word(high) {
        return Some(8 + found);
    }
    memchr::memchr2(b'\n', b'\r', tail).map(|found| HEAD + found)
}

/// The first CR or LF among 8 bytes, found with word arithmetic: a byte equal to CR or LF
/// becomes zero after the XOR, and `(x - 0x01..) & !x & 0x80..` flags zero bytes (a false
/// flag can only sit above a true one, so the lowest flag is exact).
#[inline(always)]
fn line_break_in_word(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const LF: u64 = u64::from_ne_bytes([b'\n'; 8]);
    const CR: u64 = u64::from_ne_bytes([b'\r'; 8]);
    let word = u64::from_le_bytes(bytes.try_into().ok()?);
    let (lf, cr) = (word ^ LF, word ^ CR);
    let zero = (lf.wrapping_sub(ONES) & !lf) | (cr.wrapping_sub(ONES) & !cr);
    let flags = zero & HIGHS;
    (flags != 0).then(|| flags.trailing_zeros() as usize / 8)
}

/// Input queue plus the state of the line being assembled.
#[derive(Debug, Clone, Default)]
pub(super) struct LineReader {
    /// The chunk being read; `pos` is the read position in it. Each byte is scanned once: a
    /// line's unfinished head moves to `partial`.
    current: Bytes,
    pos: usize,
    /// Stream offset of `current[0]`.
    base: u64,
    /// Pushed chunks after `current`, and their total length.
    chunks: VecDeque<Bytes>,
    queued: usize,
    /// The head of a line that spans chunks, and the stream offset where that line starts.
    /// Once the line is complete it is lent out from here (`lent`) and cleared on the next
    /// call: the buffer is reused, no allocation per line. (A long line is lent from
    /// `joined` instead, also with `lent` set.)
    partial: Vec<u8>,
    lent: bool,
    line_start: u64,
    /// A long line assembled from several chunks, handed over from `partial` to be lent.
    joined: Bytes,
    skip: Skip,
    /// The previous line ended with a CR at the end of a chunk; an LF next completes it.
    pending_cr: bool,
    bom_checked: bool,
    finished: bool,
    /// Comments are not reported: skip them without handing them out.
    skip_comments: bool,
}

impl LineReader {
    /// A reader for a new stream; with `skip_comments`, comment lines are dropped here.
    pub(super) fn new(skip_comments: bool) -> Self {
        Self {
            skip_comments,
            ..Self::default()
        }
    }

    pub(super) fn push(&mut self, chunk: Bytes) {
        if chunk.is_empty() {
            return;
        }
        if self.pos == self.current.len() && self.chunks.is_empty() {
            self.base += self.current.len() as u64;
            self.current = chunk;
            self.pos = 0;
        } else {
            self.queued += chunk.len();
            self.chunks.push_back(chunk);
        }
    }

    pub(super) fn finish(&mut self) {
        self.finished = true;
    }

    pub(super) fn is_finished(&self) -> bool {
        self.finished
    }

    /// Bytes held: queued input plus the unfinished line.
    pub(super) fn buffered_len(&self) -> usize {
        let partial = if self.lent { 0 } else { self.partial.len() };
        self.current.len() - self.pos + self.queued + partial
    }

    /// Moves on to the next queued chunk; `false` when there is none.
    fn next_chunk(&mut self) -> bool {
        let Some(next) = self.chunks.pop_front() else {
            return false;
        };
        self.base += self.current.len() as u64;
        self.queued -= next.len();
        self.current = next;
        self.pos = 0;
        true
    }

    /// The next complete line, or `None` when more input is needed (or, after
    /// [`finish`](Self::finish), when the input is exhausted: a partial last line is dropped
    /// and every chunk released).
    #[inline]
    ///
    /// `long_lines`: the caller expects a long line (it is joining multi-line data), so the
    /// search skips the word-at-a-time look at the first bytes.
    pub(super) fn next_line(&mut self, max_line_len: usize, long_lines: bool) -> Option<Line<'_>> {
        if !self.bom_checked && !self.strip_bom() {
            return None;
        }
        if self.lent {
            self.lent = false;
            self.joined = Bytes::new();
            self.clear_partial();
        }
        loop {
            if self.pos == self.current.len() && !self.next_chunk() {
                if self.finished {
                    self.release();
                }
                return None;
            }
            let rest = &self.current[self.pos..];
            if self.pending_cr {
                self.pending_cr = false;
                if rest[0] == b'\n' {
                    self.pos += 1;
                    continue;
                }
            }
            let found = find_line_break(rest, long_lines);
            let Some(len) = found else {
                if let Some(line) = self.unfinished(max_line_len) {
                    return Some(line);
                }
                continue;
            };
            let start = self.pos;
            let end = start + len;
            self.pos = match rest.get(len + 1) {
                _ if rest[len] == b'\n' => end + 1,
                Some(b'\n') => end + 2,
                Some(_) => end + 1,
                None => {
                    self.pending_cr = true;
                    end + 1
                }
            };
            match self.skip {
                Skip::No if self.partial.is_empty() => {
                    let offset = self.base + start as u64;
                    let line = &self.current[start..end];
                    if len > max_line_len {
                        if is_known_field(line, true) == Some(true) {
                            return Some(Line::TooLong(offset));
                        }
                    } else if !(self.skip_comments && line.first() == Some(&b':')) {
                        let line = LineRef {
                            bytes: &self.current[start..end],
                            chunk: Some((&self.current, start)),
                        };
                        return Some(Line::Complete(line, offset));
                    }
                }
                Skip::No => {
                    if self.partial.len() + len > max_line_len {
                        let known = self.head_is_known_field(start..end, true);
                        self.clear_partial();
                        if known == Some(true) {
                            return Some(Line::TooLong(self.line_start));
                        }
                        continue;
                    }
                    self.partial.extend_from_slice(&self.current[start..end]);
                    if self.skip_comments && self.partial[0] == b':' {
                        self.clear_partial();
                        continue;
                    }
                    if self.partial.capacity() > RETAINED_CAPACITY {
                        // A long line: its buffer would not be kept for the next one, so
                        // it is handed over as `Bytes`, and values kept are slices of it
                        // rather than copies.
                        self.joined = Bytes::from(core::mem::take(&mut self.partial));
                        self.lent = true;
                        let line = LineRef {
                            bytes: &self.joined,
                            chunk: Some((&self.joined, 0)),
                        };
                        return Some(Line::Complete(line, self.line_start));
                    }
                    self.lent = true;
                    let line = LineRef {
                        bytes: &self.partial,
                        chunk: None,
                    };
                    return Some(Line::Complete(line, self.line_start));
                }
                Skip::Quietly => self.skip = Skip::No,
                Skip::Undecided => {
                    self.skip = Skip::No;
                    let known = self.head_is_known_field(start..end, true);
                    self.clear_partial();
                    if known == Some(true) {
                        return Some(Line::TooLong(self.line_start));
                    }
                }
            }
        }
    }

    /// The value of the next line, and the stream offset where the line starts, if it is a
    /// `data` line lying whole in the current chunk and within `max_line_len`; the line is
    /// consumed. `None`, with nothing consumed, for anything else: `next_line` handles it.
    #[inline(always)]
    pub(super) fn next_data_value(&mut self, max_line_len: usize) -> Option<(&[u8], u64)> {
        let rest = &self.current[self.pos..];
        let after_name = rest.strip_prefix(b"data:")?;
        // Only right after a complete line, as in `take_empty_line`.
        if self.pending_cr || self.skip != Skip::No || (!self.lent && !self.partial.is_empty()) {
            return None;
        }
        let value_start = 5 + usize::from(after_name.first() == Some(&b' '));
        let len = memchr::memchr2(b'\n', b'\r', rest)?;
        if len > max_line_len {
            return None;
        }
        let next = match rest.get(len + 1) {
            _ if rest[len] == b'\n' => len + 1,
            Some(b'\n') => len + 2,
            Some(_) => len + 1,
            // A CR ending the chunk: `next_line` keeps track of the LF that may follow.
            None => return None,
        };
        let start = self.pos;
        self.pos += next;
        let offset = self.base + start as u64;
        Some((&self.current[start + value_start..start + len], offset))
    }

    /// Consumes an empty line if one comes next in the current chunk: the end of an event,
    /// found without a full [`next_line`](Self::next_line) round. `false` (and nothing
    /// consumed) when the next bytes are anything else or not there yet.
    #[inline(always)]
    pub(super) fn take_empty_line(&mut self) -> bool {
        // The byte first: on most lines that is the only look this costs.
        let taken = match &self.current[self.pos..] {
            [b'\n', ..] => 1,
            [b'\r', b'\n', ..] => 2,
            // A CR ending the chunk is left to `next_line`: an LF may start the next one.
            [b'\r', _, ..] => 1,
            _ => return false,
        };
        // Only right after a complete line (a line lent from `partial` is cleared on the
        // next `next_line` call, as usual).
        if self.pending_cr || self.skip != Skip::No || (!self.lent && !self.partial.is_empty()) {
            return false;
        }
        self.pos += taken;
        true
    }

    /// Takes the rest of `current`, which holds no line break, as part of the line being
    /// assembled; reports the line if it just went over the limit and matters.
    fn unfinished(&mut self, max_line_len: usize) -> Option<Line<'static>> {
        let range = self.pos..self.current.len();
        self.pos = self.current.len();
        match self.skip {
            Skip::No => {
                if self.partial.is_empty() {
                    self.line_start = self.base + range.start as u64;
                }
                if self.partial.len() + range.len() <= max_line_len {
                    self.partial.extend_from_slice(&self.current[range]);
                    return None;
                }
                self.over_limit(range)
            }
            Skip::Quietly => None,
            Skip::Undecided => self.over_limit(range),
        }
    }

    /// The line being assembled is over the limit and goes on past `current[range]`.
    fn over_limit(&mut self, range: Range<usize>) -> Option<Line<'static>> {
        match self.head_is_known_field(range, false) {
            None => {
                // `partial` now holds the line's first bytes, fewer than NAME_WINDOW.
                self.skip = Skip::Undecided;
                None
            }
            Some(known) => {
                self.skip = Skip::Quietly;
                self.clear_partial();
                known.then_some(Line::TooLong(self.line_start))
            }
        }
    }

    /// Completes the head of the line in `partial` with the first bytes of `current[range]`
    /// (at most [`NAME_WINDOW`] in all) and says whether the line is a known field.
    fn head_is_known_field(&mut self, range: Range<usize>, complete: bool) -> Option<bool> {
        let wanted = NAME_WINDOW
            .saturating_sub(self.partial.len())
            .min(range.len());
        let head_end = range.start + wanted;
        self.partial
            .extend_from_slice(&self.current[range.start..head_end]);
        is_known_field(&self.partial, complete && head_end == range.end)
    }

    /// Empties `partial`; gives its memory back if a long line made it large, so an idle
    /// decoder holds little.
    fn clear_partial(&mut self) {
        if self.partial.capacity() > RETAINED_CAPACITY {
            self.partial = Vec::new();
        } else {
            self.partial.clear();
        }
    }

    /// At the end of the stream: drops the partial line and lets go of every chunk.
    fn release(&mut self) {
        self.partial = Vec::new();
        self.joined = Bytes::new();
        self.lent = false;
        self.skip = Skip::No;
        self.base += self.current.len() as u64;
        self.current = Bytes::new();
        self.pos = 0;
    }

    /// Drops a byte order mark at the very start of the stream, waiting for up to three bytes
    /// to decide. Returns whether the decision is made.
    fn strip_bom(&mut self) -> bool {
        let mut prefix = [0; 3];
        let mut seen = 0;
        let queued =
            core::iter::once(&self.current[self.pos..]).chain(self.chunks.iter().map(|c| &c[..]));
        for byte in queued.flat_map(|chunk| chunk.iter()).take(3) {
            prefix[seen] = *byte;
            seen += 1;
        }
        if prefix[..seen] != BOM[..seen] || (seen < 3 && self.finished) {
            self.bom_checked = true;
        } else if seen == 3 {
            self.consume(3);
            self.bom_checked = true;
        }
        self.bom_checked
    }

    /// Drops `count` queued bytes from the front.
    fn consume(&mut self, mut count: usize) {
        loop {
            let available = self.current.len() - self.pos;
            if count <= available {
                self.pos += count;
                return;
            }
            count -= available;
            self.pos = self.current.len();
            if !self.next_chunk() {
                return;
            }
        }
    }
}
