//! The decoder does not allocate per event on the common path: single-line data (with type
//! and id) lying whole in a pushed `Bytes` chunk. Its own test binary: allocation-counter
//! installs a counting global allocator (per-thread counts).

use bytes::Bytes;
use sse_wire::Decoder;

fn stream(events: usize) -> Bytes {
    let mut text = String::new();
    for n in 0..events {
        text.push_str(&format!(
            "event: tick\nid: {n}\ndata: {{\"n\":{n},\"text\":\"hello\"}}\n\n"
        ));
    }
    Bytes::from(text)
}

/// Decodes `chunk` and returns the allocations made and the events seen.
fn decode(decoder: &mut Decoder, chunk: Bytes) -> (u64, usize) {
    let mut events = 0;
    let info = allocation_counter::measure(|| {
        decoder.push_bytes(chunk);
        while let Some(item) = decoder.next_event() {
            let message = item.expect("valid input");
            assert_eq!(message.event_type(), "tick");
            events += 1;
            drop(message);
        }
    });
    (info.count_total, events)
}

#[test]
fn no_allocation_per_event_on_the_common_path() {
    let mut decoder = Decoder::new();
    decode(&mut decoder, stream(4)); // warm-up: the input queue gets its capacity.

    let (allocations, events) = decode(&mut decoder, stream(1000));
    assert_eq!(events, 1000);
    // At most one: `bytes` turns the uniquely owned chunk into a shared one on its first
    // slice. Nothing per event.
    assert!(
        allocations <= 1,
        "{allocations} allocations for 1000 events"
    );
}

#[test]
fn comments_and_keep_alives_do_not_allocate_either() {
    let mut decoder = Decoder::new();
    decode(&mut decoder, stream(1));
    let chunk = Bytes::from(": ping\r\n\r\n".repeat(500) + "event: tick\r\ndata: x\r\n\r\n");
    let (allocations, events) = decode(&mut decoder, chunk);
    assert_eq!(events, 1);
    assert!(allocations <= 1, "{allocations} allocations");
}
