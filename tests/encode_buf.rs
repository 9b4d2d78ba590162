//! `EncodedBuf` keeps the `bytes::Buf` contract, checked through the trait as generic code
//! sees it.

use bytes::{Buf, Bytes};
use sse_wire::Event;

fn event() -> Event {
    Event::new().event("update").id(7_u8).data("one\ntwo")
}

const WIRE: &str = "event: update\nid: 7\ndata: one\ndata: two\n\n";

/// Drains any `Buf` with `copy_to_bytes` in steps of `step`.
fn drain(mut buf: impl Buf, step: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while buf.has_remaining() {
        let take = step.min(buf.remaining());
        let chunk = buf.copy_to_bytes(take);
        assert_eq!(
            chunk.len(),
            take,
            "copy_to_bytes returns exactly what it is asked"
        );
        out.extend_from_slice(&chunk);
    }
    out
}

#[test]
fn copy_to_bytes_returns_exactly_the_requested_length_at_every_step() {
    for step in 1..=WIRE.len() {
        assert_eq!(
            drain(event().to_buf(), step),
            WIRE.as_bytes(),
            "step {step}"
        );
    }
}

#[test]
#[should_panic(expected = "cannot copy")]
fn copy_to_bytes_past_the_end_panics() {
    let mut buf = event().to_buf();
    let _ = buf.copy_to_bytes(WIRE.len() + 1);
}

#[test]
#[should_panic(expected = "cannot copy")]
fn copy_to_bytes_past_the_end_panics_after_a_partial_read() {
    let mut buf = event().to_buf();
    buf.advance(5);
    let _ = buf.copy_to_bytes(WIRE.len() - 4);
}

#[test]
#[should_panic(expected = "cannot advance")]
fn advance_past_the_end_panics() {
    let mut buf = event().to_buf();
    buf.advance(WIRE.len() + 1);
}

#[test]
fn chunk_and_remaining_agree_with_a_contiguous_buf() {
    let mut vectored = event().to_buf();
    let mut contiguous = Bytes::from_static(WIRE.as_bytes());
    while contiguous.has_remaining() {
        assert_eq!(vectored.remaining(), contiguous.remaining());
        let chunk = vectored.chunk();
        assert!(!chunk.is_empty(), "a non-empty Buf has a non-empty chunk");
        assert_eq!(chunk, &contiguous[..chunk.len()]);
        let step = chunk.len().min(3);
        vectored.advance(step);
        contiguous.advance(step);
    }
    assert_eq!(vectored.remaining(), 0);
    assert!(vectored.chunk().is_empty());
}

#[test]
fn owned_data_of_every_size_encodes_the_same_in_every_form() {
    // Small owned values stay a `Vec` inside the event, large ones become shared `Bytes`:
    // the vectored form copies the first (once) and shares the second.
    for len in [0, 1, 31, 32, 1023, 1024, 5000] {
        let text: String = (0..len)
            .map(|n| if n % 97 == 96 { '\n' } else { 'x' })
            .collect();
        let event = Event::new().comment(text.clone()).data(text.clone());
        let contiguous = event.to_bytes();
        assert_eq!(contiguous.len(), event.encoded_len(), "{len}");
        assert_eq!(drain(event.to_buf(), 7), contiguous, "{len}");
        assert_eq!(event.data_bytes(), Some(text.as_bytes()));
        assert!(event.comments().eq([text.as_bytes()]));
    }
}

#[test]
fn large_owned_data_is_shared_by_the_vectored_form() {
    let text = "y".repeat(4096);
    let pointer = text.as_ptr();
    let event = Event::new().data(text);
    let segments: Vec<Bytes> = event.to_buf().collect();
    assert_eq!(segments[1].as_ptr(), pointer);
    // A clone of the event shares it too.
    assert_eq!(
        event.clone().data_bytes().map(<[u8]>::as_ptr),
        Some(pointer)
    );
}
