//! The encoder: an [`Event`] as `text/event-stream` bytes, contiguous or vectored.
//!
//! Every output form is one walk over the event ([`write_event`]) into a different [`Sink`],
//! so the forms cannot disagree. The walk finds line breaks as it writes (one pass over the
//! data); the contiguous forms size their buffer beforehand from lengths and bulk counts of
//! line breaks, not by walking lines (only `to_bytes` of a value with a CR line end walks
//! twice, to allocate the exact size).

use crate::chunks::advance_front;
use crate::event::{Event, Payload};
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use core::ops::Range;
use core::time::Duration;

/// A value of the event: data or a comment ([`Payload`]), or a validated type or id.
trait Source {
    fn bytes(&self) -> &[u8];
    /// `self[range]` as [`Bytes`], shared when the value is.
    fn share(&self, range: Range<usize>) -> Bytes;
}

impl Source for Bytes {
    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        self
    }

    fn share(&self, range: Range<usize>) -> Bytes {
        self.slice(range)
    }
}

impl Source for Payload {
    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        self.as_slice()
    }

    fn share(&self, range: Range<usize>) -> Bytes {
        Payload::share(self, range)
    }
}

/// A value and its bytes, read once: the walk passes the slice along rather than asking the
/// value for it per line (writes through the sink could alias it, as far as the compiler
/// knows, so it would reload it every time).
struct Value<'a, S> {
    source: &'a S,
    bytes: &'a [u8],
}

impl<S> Clone for Value<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Value<'_, S> {}

impl<'a, S: Source> Value<'a, S> {
    #[inline(always)]
    fn new(source: &'a S) -> Self {
        Self {
            source,
            bytes: source.bytes(),
        }
    }
}

/// Where [`write_event`] puts the encoding, piece by piece, in wire order.
trait Sink {
    /// Syntax: a field name, a colon, line feeds.
    fn syntax(&mut self, bytes: &'static [u8]);
    /// A slice of one of the event's values: the vectored form shares it instead of copying.
    fn value<S: Source>(&mut self, value: Value<'_, S>, range: Range<usize>);
    /// Bytes that only live during the walk (the digits of `retry`).
    fn scratch(&mut self, bytes: &[u8]);
}

/// The contiguous forms: every piece is appended.
macro_rules! appending_sink {
    ($($buffer:ty),+) => {$(
        impl Sink for $buffer {
            #[inline]
            fn syntax(&mut self, bytes: &'static [u8]) {
                self.extend_from_slice(bytes);
            }

            #[inline]
            fn value<S: Source>(&mut self, value: Value<'_, S>, range: Range<usize>) {
                self.extend_from_slice(&value.bytes[range]);
            }

            #[inline]
            fn scratch(&mut self, bytes: &[u8]) {
                self.extend_from_slice(bytes);
            }
        }
    )+};
}

appending_sink!(BytesMut, Vec<u8>);

/// Counts the bytes instead of writing them: the exact length, for multi-line values.
struct Counter(usize);

impl Sink for Counter {
    fn syntax(&mut self, bytes: &'static [u8]) {
        self.0 += bytes.len();
    }

    fn value<S: Source>(&mut self, _: Value<'_, S>, range: Range<usize>) {
        self.0 += range.len();
    }

    fn scratch(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// The segments of the vectored form.
struct Segments {
    segments: VecDeque<Bytes>,
    len: usize,
}

impl Segments {
    fn push(&mut self, segment: Bytes) {
        self.len += segment.len();
        self.segments.push_back(segment);
    }
}

impl Sink for Segments {
    fn syntax(&mut self, bytes: &'static [u8]) {
        self.push(Bytes::from_static(bytes));
    }

    fn value<S: Source>(&mut self, value: Value<'_, S>, range: Range<usize>) {
        self.push(value.source.share(range));
    }

    fn scratch(&mut self, bytes: &[u8]) {
        self.push(Bytes::copy_from_slice(bytes));
    }
}

/// A field's name with and without the space after the colon: an empty line is written
/// without it, a non-empty one always with it, so a value that starts with a space survives.
#[derive(Clone, Copy)]
struct Name {
    with_space: &'static [u8],
    bare: &'static [u8],
}

const COMMENT: Name = Name {
    with_space: b": ",
    bare: b":",
};
const EVENT: Name = Name {
    with_space: b"event: ",
    bare: b"event:",
};
const ID: Name = Name {
    with_space: b"id: ",
    bare: b"id:",
};
const DATA: Name = Name {
    with_space: b"data: ",
    bare: b"data:",
};

/// Below this length a word-at-a-time loop finds a line break with fewer instructions than
/// memchr's dispatch (tiny events, short values; measured with callgrind).
const SHORT: usize = 32;

/// Whether any byte of `word` is a CR or LF (the classic zero-byte test on `word` XOR each).
#[inline(always)]
fn word_has_break(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let lf = word ^ (ONES * u64::from(b'\n'));
    let cr = word ^ (ONES * u64::from(b'\r'));
    ((lf.wrapping_sub(ONES) & !lf) | (cr.wrapping_sub(ONES) & !cr)) & HIGHS != 0
}

/// From this length on, a search for a line break goes through memchr's dispatching
/// `memchr2` (AVX2 here); below it, memchr's SSE2 searcher inlined into the caller costs
/// fewer instructions than the dispatch and call (callgrind: notifications' ~100-byte
/// values -1.5%, llm_tokens' ~220-byte values +1.5% when inlined).
const DISPATCH: usize = 128;

/// The index of the first CR or LF in `bytes`, for values too long for [`find_break`]'s
/// word loop.
#[inline(always)]
fn find_break_long(bytes: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if bytes.len() < DISPATCH {
        if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::Two::new(b'\n', b'\r') {
            return searcher.find(bytes);
        }
    }
    memchr::memchr2(b'\n', b'\r', bytes)
}

/// The index of the first CR or LF in `bytes`.
///
/// Short values are tested eight bytes at a time, the last eight overlapping the ones
/// before (and a value of 4 to 7 bytes as its first and last four): no byte-by-byte loop
/// over a remainder, which cost more than the words for short data and comments
/// (callgrind). Only a word that holds a line break is searched byte by byte.
#[inline(always)]
fn find_break(bytes: &[u8]) -> Option<usize> {
    let len = bytes.len();
    if len >= SHORT {
        return find_break_long(bytes);
    }
    #[inline(always)]
    fn search(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
        bytes[from..to]
            .iter()
            .position(|byte| *byte == b'\n' || *byte == b'\r')
            .map(|at| from + at)
    }
    let position = |from: usize, to: usize| search(bytes, from, to);
    let word = |at: usize| {
        let mut array = [0; 8];
        array.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(array)
    };
    if len >= 8 {
        let mut offset = 0;
        while offset + 8 <= len {
            if word_has_break(word(offset)) {
                return position(offset, offset + 8);
            }
            offset += 8;
        }
        // The bytes before `len - 8` hold no break: the first in the last word is the first.
        if offset < len && word_has_break(word(len - 8)) {
            return position(len - 8, len);
        }
        None
    } else if len >= 4 {
        let mut array = [0; 8];
        array[..4].copy_from_slice(&bytes[..4]);
        array[4..].copy_from_slice(&bytes[len - 4..]);
        if word_has_break(u64::from_ne_bytes(array)) {
            position(0, len)
        } else {
            None
        }
    } else {
        position(0, len)
    }
}

/// Whether `value` holds a CR or LF.
fn has_line_break(value: &[u8]) -> bool {
    find_break(value).is_some()
}

/// A field whose value may span lines (comments, data): its name as a type, so that the
/// out-of-line multi-line path still writes the name as a constant.
trait LinesField {
    const NAME: Name;
}

struct CommentField;
struct DataField;

impl LinesField for CommentField {
    const NAME: Name = COMMENT;
}

impl LinesField for DataField {
    const NAME: Name = DATA;
}

/// Writes one `name: line` per line of `value` (lines end at CRLF, LF or CR), the last one
/// followed by `end` instead of a plain line feed. With `single`, the caller knows `value`
/// holds no line break, and it is not scanned.
///
/// Always inlined, with the name and `end` constants at each call site, so the writes of a
/// single line are fixed-size copies; the lines after the first line break are written out
/// of line ([`more_lines`]), which keeps the single-line path short.
#[inline(always)]
fn lines<F: LinesField>(value: &Payload, end: &'static [u8], single: bool, sink: &mut impl Sink) {
    let value = Value::new(value);
    let bytes = value.bytes;
    let mut start = 0;
    if single {
        // Known to be one line: nothing to scan.
    } else if bytes.len() < SHORT {
        if let Some(first) = find_break(bytes) {
            start = more_lines::<F>(value, first, sink);
        }
    } else if let Some(first) = find_break_long(bytes) {
        // (No break at all, the most common case, costs this one search.)
        start = more_lines::<F>(value, first, sink);
    }
    if start == bytes.len() {
        sink.syntax(F::NAME.bare);
    } else {
        sink.syntax(F::NAME.with_space);
        sink.value(value, start..bytes.len());
    }
    sink.syntax(end);
}

/// Writes the lines of `value` that end at or after its first line break, `first`; returns
/// where the last line starts.
#[inline(never)]
fn more_lines<F: LinesField>(
    value: Value<'_, Payload>,
    first: usize,
    sink: &mut impl Sink,
) -> usize {
    let bytes = value.bytes;
    let mut start = line::<F>(value, 0, first, sink);
    if bytes.len() < SHORT {
        while let Some(found) = find_break(&bytes[start..]) {
            start = line::<F>(value, start, start + found, sink);
        }
        return start;
    }
    let rest = &bytes[start..];
    let base = start;
    if memchr::memchr(b'\r', rest).is_none() {
        // The usual multi-line case: LF line ends only. A one-byte search per line costs
        // less than a two-byte one, which pays for the bulk check for CR (callgrind, logs
        // corpus: 17% fewer instructions).
        // memchr's SSE2 searcher, called directly (SSE2 is part of every x86-64): it is
        // inlined into this loop, where `memchr_iter` reaches its AVX2 code through a
        // function pointer, a wrapper and a call per line. On ~100-byte lines that call is
        // most of the search: the logs corpus runs 20% fewer instructions (callgrind) at
        // the same or better wall time.
        #[cfg(target_arch = "x86_64")]
        if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::One::new(b'\n') {
            return lf_lines::<F>(value, base, searcher.iter(rest), sink);
        }
        start = lf_lines::<F>(value, base, memchr::memchr_iter(b'\n', rest), sink);
    } else {
        for at in memchr::memchr2_iter(b'\n', b'\r', rest) {
            // Skips the LF of a CRLF whose CR ended the line already.
            if base + at >= start {
                start = line::<F>(value, start, base + at, sink);
            }
        }
    }
    start
}

/// Writes the lines of `value` that start at `start` and end at the LF at each of `ends`
/// (relative to `start`), each with its LF; returns where the line after the last starts.
#[inline(always)]
fn lf_lines<F: LinesField>(
    value: Value<'_, Payload>,
    start: usize,
    ends: impl Iterator<Item = usize>,
    sink: &mut impl Sink,
) -> usize {
    let mut next = start;
    for at in ends {
        // The line and its LF in one piece.
        let end = start + at + 1;
        if end - next == 1 {
            sink.syntax(F::NAME.bare);
        } else {
            sink.syntax(F::NAME.with_space);
        }
        sink.value(value, next..end);
        next = end;
    }
    next
}

/// Writes the line of `value` from `start` to the line break at `at`; returns where the
/// next line starts.
#[inline(always)]
fn line<F: LinesField>(
    value: Value<'_, Payload>,
    start: usize,
    at: usize,
    sink: &mut impl Sink,
) -> usize {
    let bytes = value.bytes;
    if at == start {
        sink.syntax(F::NAME.bare);
    } else {
        sink.syntax(F::NAME.with_space);
    }
    if bytes[at] == b'\n' {
        // The line and its LF in one piece.
        sink.value(value, start..at + 1);
        at + 1
    } else {
        if at > start {
            sink.value(value, start..at);
        }
        sink.syntax(b"\n");
        at + 1 + usize::from(bytes.get(at + 1) == Some(&b'\n'))
    }
}

/// Writes `name: value` for a value that holds no line break (a validated type or id).
#[inline(always)]
fn field(name: Name, value: &Bytes, sink: &mut impl Sink) {
    if value.is_empty() {
        sink.syntax(name.bare);
    } else {
        sink.syntax(name.with_space);
        sink.value(Value::new(value), 0..value.len());
    }
    sink.syntax(b"\n");
}

/// The `retry` value in whole milliseconds; beyond `u64::MAX` ms (over 584 million years)
/// readers disagree on what a longer number means, so it is capped there.
fn retry_millis(retry: Duration) -> u64 {
    u64::try_from(retry.as_millis()).unwrap_or(u64::MAX)
}

/// Decimal digits of `value`, written at the end of `buf`.
fn digits(mut value: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        // `value % 10` is below 10, so the cast cannot truncate.
        buf[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            return &buf[start..];
        }
    }
}

/// Walks the encoding in wire order: comments, `event`, `id`, `retry`, `data`, then the
/// empty line that ends the event (merged with the last data line's line feed).
///
/// With `single`, the caller checked that no comment and no data holds a line break.
#[inline(always)]
fn write_event(event: &Event, single: bool, sink: &mut impl Sink) {
    for comment in event.comment_payloads() {
        lines::<CommentField>(comment, b"\n", single, sink);
    }
    if let Some(event_type) = &event.event_type {
        field(EVENT, event_type.as_bytes(), sink);
    }
    if let Some(id) = &event.id {
        field(ID, id.as_bytes(), sink);
    }
    if let Some(retry) = event.retry_duration() {
        let mut buf = [0; 20];
        sink.syntax(b"retry: ");
        sink.scratch(digits(retry_millis(retry), &mut buf));
        sink.syntax(b"\n");
    }
    match event.data_payload() {
        Some(data) => lines::<DataField>(data, b"\n\n", single, sink),
        None => sink.syntax(b"\n"),
    }
}

/// [`write_event`] for an event without retry and with at most one comment (most events,
/// keep-alives included): the fields written here are all it has, and the rarer parts do not cost the common path registers.
#[inline(always)]
fn write_plain(event: &Event, sink: &mut impl Sink) {
    if let Some(comment) = event.keep_alive_payload() {
        keep_alive(comment, sink);
    }
    if let Some(event_type) = &event.event_type {
        field(EVENT, event_type.as_bytes(), sink);
    }
    if let Some(id) = &event.id {
        field(ID, id.as_bytes(), sink);
    }
    match event.data_payload() {
        Some(data) => lines::<DataField>(data, b"\n\n", false, sink),
        None => sink.syntax(b"\n"),
    }
}

/// The comment line(s) of a keep-alive, out of line: the check for one costs events with
/// data next to nothing.
#[inline(never)]
fn keep_alive(comment: &Payload, sink: &mut impl Sink) {
    lines::<CommentField>(comment, b"\n", false, sink);
}

/// [`write_event`] into a buffer, out of line: events with several comments or retry.
#[inline(never)]
fn write_event_out_of_line(event: &Event, buf: &mut BytesMut) {
    write_event(event, false, buf);
}

/// Length of the `name: value` line of a value without line breaks.
fn line_len(name: Name, value: &[u8]) -> usize {
    let name = if value.is_empty() {
        name.bare
    } else {
        name.with_space
    };
    name.len() + value.len() + 1
}

/// Length of an event's lines that never hold a line break (`event`, `id`, `retry`), plus
/// the empty line at the end.
fn fixed_len(event: &Event) -> usize {
    let mut len = 1;
    if let Some(event_type) = &event.event_type {
        len += line_len(EVENT, event_type.as_bytes());
    }
    if let Some(id) = &event.id {
        len += line_len(ID, id.as_bytes());
    }
    if let Some(retry) = event.retry_duration() {
        let mut buf = [0; 20];
        len += b"retry: \n".len() + digits(retry_millis(retry), &mut buf).len();
    }
    len
}

/// An upper bound of the encoding of `value` as `name` lines, from bulk counts of its CR
/// and LF bytes (no per-line work), and whether the value holds a CR. Every line is counted
/// with the space after the name, so the bound is exact unless the value holds a CR or an
/// empty line (written without the space).
fn lines_len_bound(name: Name, value: &[u8]) -> (usize, bool) {
    let lf = memchr::memchr_iter(b'\n', value).count();
    let cr = memchr::memchr_iter(b'\r', value).count();
    if lf + cr == 0 {
        return (line_len(name, value), false);
    }
    let text = value.len() - lf - cr;
    (text + (lf + cr + 1) * (name.with_space.len() + 1), cr > 0)
}

impl Event {
    /// Whether no comment and no data holds a line break (one scan for line breaks, which
    /// stops at the first).
    fn is_single_line(&self) -> bool {
        !self.comments().any(has_line_break) && !self.data_bytes().is_some_and(has_line_break)
    }

    /// The exact length when every value is a single line.
    fn single_line_len(&self) -> usize {
        let comments: usize = self
            .comments()
            .map(|comment| line_len(COMMENT, comment))
            .sum();
        let data = self.data_bytes().map_or(0, |data| line_len(DATA, data));
        comments + fixed_len(self) + data
    }

    /// An upper bound of the encoded length in a few additions (O(comments)), without
    /// looking at the data: a value byte encodes to at most 8 bytes (were every byte a line
    /// break, each would become `data:` and a line feed), and 64 bytes cover the names,
    /// `retry` (at most 28 bytes) and the end of the event; each comment adds its own name
    /// (8 bytes, always counted once for the slot that holds the data or a keep-alive).
    #[inline]
    fn worst_len(&self) -> usize {
        // The data or a keep-alive's comment (one slot: the 8 bytes for a comment's name are
        // counted either way), then the comments kept out of line, if any.
        let mut values = self.slot_len();
        let mut fixed = 72_usize;
        if let Some(event_type) = &self.event_type {
            values = values.saturating_add(event_type.len());
        }
        if let Some(id) = &self.id {
            values = values.saturating_add(id.len());
        }
        if self.has_extras() {
            for comment in self.comments() {
                values = values.saturating_add(comment.len());
                fixed = fixed.saturating_add(8);
            }
        }
        values.saturating_mul(8).saturating_add(fixed)
    }

    /// A close upper bound of the encoded length, from bulk counts of line-break bytes, and
    /// whether a value holds a CR (see [`lines_len_bound`] for when the bound is exact).
    fn len_bound(&self) -> (usize, bool) {
        let mut bound = fixed_len(self);
        let mut any_cr = false;
        let values = self.comments().map(|comment| (COMMENT, comment));
        for (name, value) in values.chain(self.data_bytes().map(|data| (DATA, data))) {
            let (len, cr) = lines_len_bound(name, value);
            bound += len;
            any_cr |= cr;
        }
        (bound, any_cr)
    }

    /// The exact number of bytes this event encodes to.
    ///
    /// Costs one scan of the data and comments for line breaks.
    pub fn encoded_len(&self) -> usize {
        self.exact_len(self.is_single_line())
    }

    /// The exact length, given [`Event::is_single_line`]: O(1) for single lines, else a
    /// walk that counts instead of writing.
    fn exact_len(&self, single: bool) -> usize {
        if single {
            self.single_line_len()
        } else {
            let mut counter = Counter(0);
            write_event(self, false, &mut counter);
            counter.0
        }
    }

    /// Appends the encoded event to `buf`, in one pass over the data: line breaks are found
    /// as the lines are written.
    ///
    /// Whether `buf` has room is checked with a few additions. When it lacks room, an upper
    /// bound of the size is reserved once, from a bulk count of the line-break bytes: at most
    /// one allocation, none if `buf` already has room. Reuse one buffer for many events.
    ///
    /// # Examples
    /// ```
    /// use bytes::BytesMut;
    /// use sse_wire::Event;
    ///
    /// let mut buf = BytesMut::new();
    /// Event::new().data("first").encode_into(&mut buf);
    /// Event::new().data("second").encode_into(&mut buf);
    /// assert_eq!(buf, "data: first\n\ndata: second\n\n");
    /// ```
    pub fn encode_into(&self, buf: &mut BytesMut) {
        if buf.capacity() - buf.len() < self.worst_len() {
            self.reserve_in(buf);
        }
        let before = buf.len();
        if self.has_extras() {
            write_event_out_of_line(self, buf);
        } else {
            write_plain(self, buf);
        }
        debug_assert!(buf.len() - before <= self.worst_len().min(self.len_bound().0));
    }

    /// Reserves room for the encoding in `buf`: out of line, so that the bulk counts of
    /// line breaks stay out of [`Event::encode_into`]'s hot path (and its registers).
    #[cold]
    #[inline(never)]
    fn reserve_in(&self, buf: &mut BytesMut) {
        buf.reserve(self.len_bound().0);
    }

    /// Encodes the event into one new [`Bytes`]: one allocation, of the exact size.
    ///
    /// Single-line data is scanned once and copied once. Multi-line data with LF line ends
    /// is sized from a bulk count of its line breaks and written in one walk over its
    /// lines; an empty line among them (written one byte shorter) leaves the buffer a few
    /// bytes larger than its content, which costs `Bytes` a second, small allocation.
    /// Multi-line data with a CR line end is walked twice, to allocate the exact size.
    ///
    /// Encode once and give every subscriber a clone: cloning `Bytes` is a reference-count
    /// increment, not a copy (the first clone allocates the small shared header once).
    ///
    /// # Examples
    /// ```
    /// use sse_wire::Event;
    ///
    /// let encoded = Event::new().data("hello").to_bytes();
    /// let for_subscribers: Vec<_> = (0..3).map(|_| encoded.clone()).collect();
    /// assert!(for_subscribers.iter().all(|bytes| bytes.as_ptr() == encoded.as_ptr()));
    /// ```
    pub fn to_bytes(&self) -> Bytes {
        // An exactly filled `Vec` becomes a `Bytes` without a copy or a second allocation,
        // and costs less per write than a `BytesMut` (7-20% per event measured).
        let single = self.is_single_line();
        let len = if single {
            self.single_line_len()
        } else {
            match self.len_bound() {
                (bound, false) => bound,
                (_, true) => self.exact_len(false),
            }
        };
        let mut buf = Vec::with_capacity(len);
        write_event(self, single, &mut buf);
        Bytes::from(buf)
    }

    /// The encoded event as a vectored [`Buf`] that interleaves static field prefixes with
    /// slices of this event's data, comments, type and id: none of the caller's bytes are
    /// copied, which pays for large payloads.
    ///
    /// Costs one allocation for the list of segments (and a few bytes for `retry` digits).
    /// Read it with [`Buf::chunks_vectored`] for `write_vectored`, or iterate it to get one
    /// [`Bytes`] per segment (for example as HTTP body frames).
    ///
    /// # Examples
    /// ```
    /// use bytes::{Buf, Bytes};
    /// use sse_wire::Event;
    ///
    /// let payload = Bytes::from(vec![b'x'; 1 << 16]);
    /// let event = Event::new().data(payload.clone());
    /// let buf = event.to_buf();
    /// assert_eq!(buf.remaining(), event.encoded_len());
    ///
    /// let segments: Vec<Bytes> = buf.collect();
    /// // The payload segment points into the caller's buffer: nothing was copied.
    /// assert_eq!(segments[1].as_ptr(), payload.as_ptr());
    /// assert_eq!(segments.concat(), event.to_bytes());
    /// ```
    pub fn to_buf(&self) -> EncodedBuf {
        let mut segments = Segments {
            segments: VecDeque::with_capacity(8),
            len: 0,
        };
        // Small owned values are copied once here rather than once per line.
        write_event(&self.shared(), false, &mut segments);
        EncodedBuf {
            segments: segments.segments,
            remaining: segments.len,
        }
    }
}

/// An encoded event as a sequence of [`Bytes`] segments; see [`Event::to_buf`].
///
/// It is a [`Buf`] (with `chunks_vectored` filling one `IoSlice` per segment) and an
/// [`Iterator`] over the segments that are left; both consume the same bytes.
#[derive(Debug, Clone, Default)]
pub struct EncodedBuf {
    segments: VecDeque<Bytes>,
    remaining: usize,
}

impl EncodedBuf {
    /// Number of segments left.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }
}

impl Buf for EncodedBuf {
    fn remaining(&self) -> usize {
        self.remaining
    }

    fn chunk(&self) -> &[u8] {
        self.segments.front().map_or(&[], |segment| segment)
    }

    fn advance(&mut self, cnt: usize) {
        assert!(
            cnt <= self.remaining,
            "cannot advance past the end of an encoded event"
        );
        self.remaining -= cnt;
        advance_front(&mut self.segments, cnt);
    }

    #[cfg(feature = "std")]
    fn chunks_vectored<'a>(&'a self, dst: &mut [std::io::IoSlice<'a>]) -> usize {
        let mut filled = 0;
        for (slot, segment) in dst.iter_mut().zip(&self.segments) {
            *slot = std::io::IoSlice::new(segment);
            filled += 1;
        }
        filled
    }

    fn copy_to_bytes(&mut self, len: usize) -> Bytes {
        // The `Buf` contract: asking for more than is left panics rather than returning less.
        assert!(
            len <= self.remaining,
            "cannot copy {len} bytes from an encoded event with {} left",
            self.remaining
        );
        // Zero-copy when the request is exactly the next segment, the common case for frames.
        match self.segments.front() {
            Some(front) if front.len() == len => {
                self.remaining -= len;
                self.segments.pop_front().unwrap_or_default()
            }
            _ => {
                let mut out = BytesMut::with_capacity(len);
                out.put(Buf::take(&mut *self, len));
                out.freeze()
            }
        }
    }
}

impl Iterator for EncodedBuf {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        let segment = self.segments.pop_front()?;
        self.remaining -= segment.len();
        Some(segment)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.segments.len(), Some(self.segments.len()))
    }
}

impl ExactSizeIterator for EncodedBuf {}

#[cfg(test)]
mod tests {
    use super::*;

    use alloc::string::ToString;
    use core::time::Duration;

    #[test]
    fn digits_cover_zero_and_the_largest_value() {
        let mut buf = [0; 20];
        assert_eq!(digits(0, &mut buf), b"0");
        assert_eq!(digits(u64::MAX, &mut buf), u64::MAX.to_string().as_bytes());
    }

    /// The data lines `value` encodes to, and the same for `value` padded past the length
    /// where the search for line breaks changes method.
    fn split(value: &str) -> Vec<alloc::string::String> {
        let pad = "x".repeat(SHORT);
        let mut found = Vec::new();
        for (prefix, value) in [("", value.to_string()), (pad.as_str(), pad.clone() + value)] {
            let bytes = Event::new().data(value).to_bytes();
            let text = core::str::from_utf8(&bytes).unwrap().to_string();
            let lines: Vec<&str> = text.trim_end_matches('\n').split('\n').collect();
            let first = lines[0].replacen(prefix, "", 1);
            found.push(
                core::iter::once(first.as_str())
                    .chain(lines[1..].iter().copied())
                    .collect::<Vec<_>>()
                    .join("|"),
            );
        }
        found
    }

    #[test]
    fn finds_the_first_line_break_at_every_length_and_position() {
        // Neighbours of CR and LF, and the same with the high bit set, must not match.
        let fillers = [b'a', 0x00, 0x09, 0x0b, 0x0c, 0x0e, 0x8a, 0x8d, 0xff];
        // Lengths cover the word loop, the inlined search and the dispatched one.
        for len in 0..DISPATCH + 2 * SHORT {
            for filler in fillers {
                let mut bytes = alloc::vec![filler; len];
                assert_eq!(find_break(&bytes), None, "{len} x {filler:#x}");
                for at in (0..len).rev() {
                    for line_break in [b'\n', b'\r'] {
                        bytes[at] = line_break;
                        assert_eq!(find_break(&bytes), Some(at), "{len} {at} {filler:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn splits_on_every_kind_of_line_break_short_and_long() {
        let cases = [
            ("a\nb\r\nc\rd", "data: a|data: b|data: c|data: d"),
            ("a\r\rb", "data: a|data:|data: b"),
            ("a\n\rb", "data: a|data:|data: b"),
            ("a\n\nb", "data: a|data:|data: b"),
            ("a\n", "data: a|data:"),
            ("a\r\n", "data: a|data:"),
            ("a\r", "data: a|data:"),
        ];
        for (value, expected) in cases {
            assert_eq!(split(value), [expected, expected], "{value:?}");
        }
        assert_eq!(split("")[0], "data:");
        assert_eq!(split("\r")[0], "data:|data:");
        assert_eq!(split("\n")[0], "data:|data:");
    }

    #[test]
    fn encode_into_writes_every_shape_as_to_bytes_does() {
        // encode_into takes a plain path for events without retry and with at most a
        // keep-alive's comment, the general walk for the rest: both must agree with to_bytes.
        let shapes = [
            Event::new(),
            Event::new().data("1"),
            Event::new().event("t").id(7_u8).data("x\ny"),
            Event::new().comment("ping"),
            Event::new().comment(""),
            Event::new().comment("a\r\nb").event("t").id(""),
            Event::new().comment("c").data("d"),
            Event::new().comment("c").comment("e"),
            Event::new().retry(Duration::from_secs(1)),
            Event::new()
                .comment("c")
                .retry(Duration::from_secs(1))
                .data(""),
        ];
        let mut buf = BytesMut::new();
        let mut expected = Vec::new();
        for event in &shapes {
            event.encode_into(&mut buf);
            expected.extend_from_slice(&event.to_bytes());
        }
        assert_eq!(buf, expected);
        assert!(buf.starts_with(b"\ndata: 1\n\nevent: t\nid: 7\ndata: x\ndata: y\n\n: ping\n\n:\n\n: a\n: b\nevent: t\nid:\n\n"));
    }

    #[test]
    fn every_form_matches_for_a_full_event() {
        let event = Event::new()
            .comment("c1\nc2")
            .event("t")
            .id(9_u8)
            .retry(Duration::from_millis(1500))
            .data("a\r\nb\rc\n");
        let expected =
            ": c1\n: c2\nevent: t\nid: 9\nretry: 1500\ndata: a\ndata: b\ndata: c\ndata:\n\n";
        assert_eq!(event.to_bytes(), expected);
        assert_eq!(event.encoded_len(), expected.len());
        let mut buf = event.to_buf();
        assert_eq!(buf.copy_to_bytes(buf.remaining()), expected);
    }

    #[test]
    fn advancing_across_segments_keeps_the_rest() {
        let event = Event::new().data("hello\nworld");
        let mut buf = event.to_buf();
        buf.advance(8);
        // A line and its line feed are one segment.
        assert_eq!(buf.chunk(), b"llo\n");
        let rest = buf.copy_to_bytes(buf.remaining());
        assert_eq!(rest, "llo\ndata: world\n\n");
        assert_eq!(buf.remaining(), 0);
        assert_eq!(buf.chunk(), b"");
    }

    #[test]
    #[cfg(feature = "std")]
    fn vectored_slices_cover_every_segment() {
        let event = Event::new().data("x\ny");
        let buf = event.to_buf();
        let mut slices = [std::io::IoSlice::new(&[]); 16];
        let filled = buf.chunks_vectored(&mut slices);
        assert_eq!(filled, buf.segment_count());
        let joined: Vec<u8> = slices[..filled]
            .iter()
            .flat_map(|s| s.iter().copied())
            .collect();
        assert_eq!(joined, event.to_bytes());
    }
}
