//! Line assembly: turns pushed chunks into complete lines.
//!
//! Handles what the chunking may hide: a byte order mark split across chunks, a CR ending
//! one chunk with the LF starting the next, and lines longer than the limit (dropped while
//! they arrive, so memory stays bounded).

use crate::chunks::advance_front;
use crate::lines::{find_line_break, LineBreak};
use alloc::collections::VecDeque;
use bytes::{Buf, Bytes, BytesMut};

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// What [`LineReader::next_line`] found.
#[derive(Debug)]
pub(super) enum Line {
    /// A complete line without its terminator, and the stream offset where it starts.
    Complete(Bytes, u64),
    /// A line longer than the limit, starting at this stream offset. Reported once, as soon
    /// as it is known; the rest of the line is skipped.
    TooLong(u64),
}

/// Input queue plus the state of the line being assembled.
#[derive(Debug, Clone, Default)]
pub(super) struct LineReader {
    /// The chunk being read, kept out of the queue because every line touches it. Each byte
    /// is scanned once: a line's unfinished head moves to `partial`.
    current: Bytes,
    /// Pushed chunks after `current`.
    chunks: VecDeque<Bytes>,
    queued: usize,
    /// The head of a line that spans chunks.
    partial: BytesMut,
    /// Dropping the rest of an over-long line.
    skipping: bool,
    /// The previous line ended with a CR at the end of a chunk; an LF next completes it.
    pending_cr: bool,
    bom_checked: bool,
    finished: bool,
    /// Comments are not reported: skip them without handing them out.
    skip_comments: bool,
    /// Stream offset of the first queued byte.
    consumed: u64,
    /// Stream offset of the line being assembled.
    line_start: u64,
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
        if !chunk.is_empty() {
            self.queued += chunk.len();
            if self.current.is_empty() && self.chunks.is_empty() {
                self.current = chunk;
            } else {
                self.chunks.push_back(chunk);
            }
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
        self.queued + self.partial.len()
    }

    /// The next complete line, or `None` when more input is needed (or, after
    /// [`finish`](Self::finish), when the input is exhausted: a partial last line is dropped).
    pub(super) fn next_line(&mut self, max_line_len: usize) -> Option<Line> {
        if !self.bom_checked && !self.strip_bom() {
            return None;
        }
        loop {
            if self.current.is_empty() {
                let Some(next) = self.chunks.pop_front() else {
                    if self.finished {
                        self.partial = BytesMut::new();
                        self.skipping = false;
                    }
                    return None;
                };
                self.current = next;
            }
            let front = &mut self.current;
            if self.pending_cr {
                self.pending_cr = false;
                if front[0] == b'\n' {
                    self.consume(1);
                    self.line_start = self.consumed;
                    continue;
                }
            }
            let Some((end, kind)) = find_line_break(front) else {
                let len = front.len();
                if !self.skipping {
                    if self.partial.len() + len > max_line_len {
                        self.skipping = true;
                        self.partial = BytesMut::new();
                        self.consume(len);
                        return Some(Line::TooLong(self.line_start));
                    }
                    self.partial.extend_from_slice(front);
                }
                self.consume(len);
                continue;
            };
            let start = self.line_start;
            let skipped = core::mem::take(&mut self.skipping);
            let too_long = !skipped && self.partial.len() + end > max_line_len;
            let line = if skipped || too_long {
                self.partial = BytesMut::new();
                None
            } else if self.partial.is_empty() {
                // The whole line lies in this chunk: hand out a slice of it, no copy. Empty
                // lines and unwanted comments never become `Bytes` (no reference counting).
                if end == 0 {
                    Some(Bytes::new())
                } else if self.skip_comments && front[0] == b':' {
                    None
                } else {
                    Some(front.split_to(end))
                }
            } else {
                self.partial.extend_from_slice(&front[..end]);
                front.advance(end);
                Some(self.partial.split().freeze())
            };
            // `split_to` and `advance` already took the line itself off the chunk.
            let taken = if line.as_ref().is_some_and(|line| !line.is_empty()) {
                end
            } else {
                0
            };
            self.queued -= taken;
            self.consumed += taken as u64;
            self.consume(end - taken + kind.len());
            self.line_start = self.consumed;
            self.pending_cr = kind == LineBreak::CrAtEnd;
            match line {
                Some(line) => return Some(Line::Complete(line, start)),
                None if too_long => return Some(Line::TooLong(start)),
                None => continue,
            }
        }
    }

    /// Drops a byte order mark at the very start of the stream, waiting for up to three bytes
    /// to decide. Returns whether the decision is made.
    fn strip_bom(&mut self) -> bool {
        let mut prefix = [0; 3];
        let mut seen = 0;
        let queued = core::iter::once(&self.current).chain(&self.chunks);
        for byte in queued.flat_map(|chunk| chunk.iter()).take(3) {
            prefix[seen] = *byte;
            seen += 1;
        }
        if prefix[..seen] != BOM[..seen] || (seen < 3 && self.finished) {
            self.bom_checked = true;
        } else if seen == 3 {
            self.consume(3);
            self.line_start = self.consumed;
            self.bom_checked = true;
        }
        self.bom_checked
    }

    /// Drops `count` queued bytes from the front.
    fn consume(&mut self, count: usize) {
        self.queued -= count;
        self.consumed += count as u64;
        if count <= self.current.len() {
            self.current.advance(count);
        } else {
            let rest = count - self.current.len();
            self.current = Bytes::new();
            advance_front(&mut self.chunks, rest);
        }
    }
}
