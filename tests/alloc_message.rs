//! `Message::id` shares the decoder's buffers: asking for the id an event carried costs no
//! allocation. Its own test binary: allocation-counter installs a counting global allocator.

use bytes::Bytes;
use sse_wire::Decoder;

#[test]
fn the_id_an_event_carried_costs_no_allocation() {
    let mut decoder = Decoder::new();
    decoder.push_bytes(Bytes::from_static(
        b"event: tick\nid: 42\ndata: {\"n\":42}\n\ndata: no id of its own\n\n",
    ));
    let with_id = decoder.next_event().unwrap().unwrap();
    let without_id = decoder.next_event().unwrap().unwrap();
    let mut ids = (None, None);
    let info = allocation_counter::measure(|| {
        ids = (with_id.id(), without_id.id());
    });
    assert_eq!(info.count_total, 0);
    assert_eq!(ids.0.unwrap(), "42");
    assert_eq!(ids.1, None);
    assert_eq!(without_id.last_event_id(), "42");
}
