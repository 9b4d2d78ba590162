//! The encoder: an [`Event`] as `text/event-stream` bytes, contiguous or vectored.
//!
//! All output forms walk the same sequence of [`Piece`]s, so they cannot disagree.

use crate::chunks::advance_front;
use crate::event::Event;
use crate::lines::line_ranges;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use bytes::{Buf, BufMut, Bytes, BytesMut};
use core::ops::Range;

/// One piece of an encoded event.
enum Piece<'a> {
    /// Syntax: a field name, a colon, a line feed.
    Static(&'static [u8]),
    /// A slice of a caller's value: the vectored form shares it instead of copying.
    Shared(&'a Bytes, Range<usize>),
    /// Bytes that only live during the walk (the digits of `retry`).
    Scratch(&'a [u8]),
}

impl Piece<'_> {
    fn as_slice(&self) -> &[u8] {
        match self {
            Piece::Static(bytes) | Piece::Scratch(bytes) => bytes,
            Piece::Shared(bytes, range) => &bytes[range.clone()],
        }
    }
}

/// Writes one field line per line of `value`: `name: line` (or `name:` for an empty line).
fn field_lines(
    with_space: &'static [u8],
    bare: &'static [u8],
    value: &Bytes,
    sink: &mut impl FnMut(Piece<'_>),
) {
    for range in line_ranges(value) {
        if range.is_empty() {
            sink(Piece::Static(bare));
        } else {
            sink(Piece::Static(with_space));
            sink(Piece::Shared(value, range));
        }
        sink(Piece::Static(b"\n"));
    }
}

/// Writes `name: value` for a value known to hold no line break.
fn single_line(
    with_space: &'static [u8],
    bare: &'static [u8],
    value: &Bytes,
    sink: &mut impl FnMut(Piece<'_>),
) {
    if value.is_empty() {
        sink(Piece::Static(bare));
    } else {
        sink(Piece::Static(with_space));
        sink(Piece::Shared(value, 0..value.len()));
    }
    sink(Piece::Static(b"\n"));
}

/// Decimal digits of `value`, written at the end of `buf`.
fn digits(mut value: u128, buf: &mut [u8; 39]) -> &[u8] {
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

impl Event {
    /// Walks the pieces of the encoding, in wire order: comments, `event`, `id`, `retry`,
    /// `data`, then the empty line that ends the event.
    fn pieces(&self, mut sink: impl FnMut(Piece<'_>)) {
        for comment in &self.comments {
            field_lines(b": ", b":", comment, &mut sink);
        }
        if let Some(event_type) = &self.event_type {
            single_line(b"event: ", b"event:", event_type.as_bytes(), &mut sink);
        }
        if let Some(id) = &self.id {
            single_line(b"id: ", b"id:", id.as_bytes(), &mut sink);
        }
        if let Some(retry) = self.retry {
            let mut buf = [0; 39];
            sink(Piece::Static(b"retry: "));
            sink(Piece::Scratch(digits(retry.as_millis(), &mut buf)));
            sink(Piece::Static(b"\n"));
        }
        if let Some(data) = &self.data {
            field_lines(b"data: ", b"data:", data, &mut sink);
        }
        sink(Piece::Static(b"\n"));
    }

    /// The exact number of bytes this event encodes to.
    ///
    /// Costs one scan of the data and comments for line breaks.
    pub fn encoded_len(&self) -> usize {
        let mut len = 0;
        self.pieces(|piece| len += piece.as_slice().len());
        len
    }

    /// Appends the encoded event to `buf`, reserving the exact size once (at most one
    /// allocation, none if `buf` already has room).
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
        buf.reserve(self.encoded_len());
        self.pieces(|piece| buf.put_slice(piece.as_slice()));
    }

    /// Encodes the event into one new [`Bytes`] (one allocation).
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
        // A `Vec` costs less per write than a `BytesMut` (7-20% per event measured), and an
        // exactly filled one becomes a `Bytes` without a copy or a second allocation.
        let mut buf = Vec::with_capacity(self.encoded_len());
        self.pieces(|piece| buf.extend_from_slice(piece.as_slice()));
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
        let mut segments = VecDeque::with_capacity(8);
        let mut remaining = 0;
        self.pieces(|piece| {
            let segment = match piece {
                Piece::Static(bytes) => Bytes::from_static(bytes),
                Piece::Shared(bytes, range) => bytes.slice(range),
                Piece::Scratch(bytes) => Bytes::copy_from_slice(bytes),
            };
            remaining += segment.len();
            segments.push_back(segment);
        });
        EncodedBuf {
            segments,
            remaining,
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
        let mut buf = [0; 39];
        assert_eq!(digits(0, &mut buf), b"0");
        assert_eq!(
            digits(u128::MAX, &mut buf),
            u128::MAX.to_string().as_bytes()
        );
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
        assert_eq!(buf.chunk(), b"llo");
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
