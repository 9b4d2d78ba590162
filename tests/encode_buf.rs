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
