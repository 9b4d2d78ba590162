//! The encoder's exact output, byte for byte, in all three output forms.

use bytes::{Buf, BytesMut};
use sse_wire::{Event, EventId, EventType};
use std::time::Duration;

/// Checks `event` against `expected` through `to_bytes`, `encode_into`, `to_buf` and
/// `encoded_len`.
fn encodes(event: &Event, expected: &str) {
    assert_eq!(event.to_bytes(), expected, "to_bytes");
    let mut buf = BytesMut::new();
    event.encode_into(&mut buf);
    assert_eq!(buf, expected, "encode_into");
    let mut vectored = event.to_buf();
    assert_eq!(
        vectored.copy_to_bytes(vectored.remaining()),
        expected,
        "to_buf"
    );
    assert_eq!(event.encoded_len(), expected.len(), "encoded_len");
}

fn event_type(value: &'static str) -> EventType {
    EventType::from_static(value)
}

#[test]
fn data_only() {
    encodes(&Event::new().data("hello"), "data: hello\n\n");
}

#[test]
fn event_id_and_data() {
    let event = Event::new().event(event_type("update")).id(7_u8).data("x");
    encodes(&event, "event: update\nid: 7\ndata: x\n\n");
}

#[test]
fn multi_line_data_with_every_line_ending() {
    let expected = "data: a\ndata: b\ndata: c\n\n";
    encodes(&Event::new().data("a\nb\nc"), expected);
    encodes(&Event::new().data("a\r\nb\r\nc"), expected);
    encodes(&Event::new().data("a\rb\rc"), expected);
    encodes(
        &Event::new().data("a\r\n\rb"),
        "data: a\ndata:\ndata: b\n\n",
    );
}

#[test]
fn retry_in_milliseconds() {
    encodes(
        &Event::new().retry(Duration::from_millis(2500)),
        "retry: 2500\n\n",
    );
    encodes(
        &Event::new().retry(Duration::from_micros(1999)),
        "retry: 1\n\n",
    );
}

#[test]
fn retry_beyond_u64_milliseconds_is_capped() {
    let largest = Duration::from_millis(u64::MAX);
    encodes(
        &Event::new().retry(largest),
        "retry: 18446744073709551615\n\n",
    );
    let beyond = largest + Duration::from_millis(1);
    encodes(
        &Event::new().retry(beyond),
        "retry: 18446744073709551615\n\n",
    );
    encodes(
        &Event::new().retry(Duration::MAX).data("x"),
        "retry: 18446744073709551615\ndata: x\n\n",
    );
}

#[test]
fn comment_keep_alive() {
    encodes(&Event::new().comment(""), ":\n\n");
    encodes(&Event::new().comment("ping"), ": ping\n\n");
    encodes(&Event::new().comment("two\nlines"), ": two\n: lines\n\n");
}

#[test]
fn event_without_data() {
    let event = Event::new().id("abc").retry(Duration::from_secs(1));
    encodes(&event, "id: abc\nretry: 1000\n\n");
    encodes(&Event::new().id(EventId::default()), "id:\n\n");
    encodes(&Event::new(), "\n");
}

#[test]
fn empty_data() {
    encodes(&Event::new().data(""), "data:\n\n");
}

#[test]
fn data_ending_in_a_newline_keeps_it() {
    encodes(&Event::new().data("end\n"), "data: end\ndata:\n\n");
    encodes(&Event::new().data("\n"), "data:\ndata:\n\n");
}

#[test]
fn leading_space_survives() {
    encodes(&Event::new().data(" indented"), "data:  indented\n\n");
}

#[test]
fn unicode_payload() {
    encodes(
        &Event::new().data("¡hola! 日本語 🚀\nçà"),
        "data: ¡hola! 日本語 🚀\ndata: çà\n\n",
    );
}

#[test]
fn every_field_in_wire_order() {
    let event = Event::new()
        .data("d")
        .retry(Duration::from_secs(3))
        .id(1_u8)
        .event(event_type("e"))
        .comment("c");
    encodes(&event, ": c\nevent: e\nid: 1\nretry: 3000\ndata: d\n\n");
}

#[cfg(feature = "json")]
#[test]
fn json_data() {
    #[derive(serde::Serialize)]
    struct Progress<'a> {
        task: &'a str,
        done: u32,
        note: &'a str,
    }
    let event = Event::new()
        .event(event_type("progress"))
        .json_data(&Progress {
            task: "build",
            done: 3,
            note: "line\nbreak",
        })
        .unwrap();
    encodes(
        &event,
        "event: progress\ndata: {\"task\":\"build\",\"done\":3,\"note\":\"line\\nbreak\"}\n\n",
    );
}
