//! Allocation counts of the contiguous encoder. allocation-counter installs a counting
//! global allocator with per-thread counts, so this is its own test binary and parallel tests
//! do not disturb each other.

use bytes::{Bytes, BytesMut};
use sse_wire::Event;
use std::time::Duration;

fn allocations(work: impl FnOnce()) -> u64 {
    allocation_counter::measure(work).count_total
}

fn sample_event() -> Event {
    Event::new()
        .comment("note")
        .event("update")
        .id("42")
        .retry(Duration::from_secs(3))
        .data("line one\r\nline two\rline three\n")
}

#[test]
fn encode_into_a_fresh_buffer_allocates_once() {
    let event = sample_event();
    let mut buf = BytesMut::new();
    assert_eq!(allocations(|| event.encode_into(&mut buf)), 1);
    assert_eq!(buf.len(), event.encoded_len());
}

#[test]
fn encode_into_allocates_at_most_once_per_event_while_the_buffer_grows() {
    let events: Vec<Event> = (0..100_u32)
        .map(|n| sample_event().data(format!("payload {n}\nsecond line")))
        .collect();
    let mut buf = BytesMut::new();
    let count = allocations(|| events.iter().for_each(|event| event.encode_into(&mut buf)));
    assert!(
        (1..=100).contains(&count),
        "{count} allocations for 100 events"
    );
    let expected: usize = events.iter().map(Event::encoded_len).sum();
    assert_eq!(buf.len(), expected);
}

#[test]
fn encode_into_a_buffer_with_room_does_not_allocate() {
    let event = sample_event();
    let mut buf = BytesMut::with_capacity(4096);
    assert_eq!(
        allocations(|| (0..10).for_each(|_| event.encode_into(&mut buf))),
        0
    );
}

#[test]
fn to_bytes_allocates_once() {
    let event = sample_event();
    let mut bytes = None;
    assert_eq!(allocations(|| bytes = Some(event.to_bytes())), 1);
    let bytes = bytes.unwrap();
    // `bytes` turns a uniquely owned buffer into a shared one on the first clone.
    let first = bytes.clone();
    let mut clones = Vec::with_capacity(100);
    let count = allocations(|| clones.extend((0..100).map(|_| bytes.clone())));
    assert_eq!(
        count, 0,
        "after the first, clones are reference-count increments"
    );
    assert_eq!(first.as_ptr(), bytes.as_ptr());
}

#[test]
fn static_and_owned_values_are_not_copied() {
    let static_data = Bytes::from_static(b"static");
    assert_eq!(allocations(|| drop(Event::new().data(static_data))), 0);
    // A borrowed `&str` outlives nothing: it is copied, once.
    assert_eq!(allocations(|| drop(Event::new().data("borrowed"))), 1);
    let owned = String::from("owned payload");
    let pointer = owned.as_ptr();
    let event = Event::new().data(owned);
    assert_eq!(event.data_bytes().unwrap().as_ptr(), pointer);
}

#[test]
fn to_bytes_of_lf_separated_lines_allocates_once_in_one_pass() {
    // Sized from a bulk count of the line breaks, exact for LF-only lines with text.
    let log: String = (0..200).map(|n| format!("line {n} of the log\n")).collect();
    let event = Event::new().event("log").data(log.trim_end().to_owned());
    let mut bytes = None;
    assert_eq!(allocations(|| bytes = Some(event.to_bytes())), 1);
    assert_eq!(bytes.unwrap().len(), event.encoded_len());
}

#[test]
fn a_keep_alive_comment_costs_no_allocation() {
    let text = Bytes::from_static(b"ping");
    let mut buf = BytesMut::with_capacity(64);
    let count = allocations(|| Event::new().comment(text).encode_into(&mut buf));
    assert_eq!(count, 0);
    assert_eq!(buf, ": ping\n\n");
}
