//! Decoder behaviour beyond the conformance vectors: comments, limits, strict UTF-8, zero
//! copy, reset. Each case runs whole, byte by byte, and split at every position.

use super::*;
use crate::error::DecodeError;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use bytes::Bytes;

/// Decoded items in a comparable form.
#[derive(Debug, PartialEq, Eq)]
enum Item {
    Event(String, String, String),
    Comment(String),
    Error(DecodeError),
}

fn run(config: DecoderConfig, chunks: &[&[u8]]) -> Vec<Item> {
    let mut decoder = Decoder::with_config(config);
    let mut items = Vec::new();
    let mut drain = |decoder: &mut Decoder| {
        while let Some(item) = decoder.next_frame() {
            items.push(match item {
                Ok(Frame::Event(m)) => Item::Event(
                    m.event_type().to_string(),
                    m.data().to_string(),
                    m.last_event_id().to_string(),
                ),
                Ok(Frame::Comment(c)) => Item::Comment(c.text().to_string()),
                Err(error) => Item::Error(error),
            });
        }
    };
    for chunk in chunks {
        decoder.push(chunk);
        drain(&mut decoder);
    }
    decoder.finish();
    drain(&mut decoder);
    items
}

/// Asserts that `input` decodes to `expected` fed whole, byte by byte and split anywhere.
/// Error offsets do not depend on chunking, so errors compare exactly too.
macro_rules! decodes {
    ($config:expr, $input:expr, $expected:expr) => {{
        let input: &[u8] = $input;
        let expected: Vec<Item> = $expected;
        assert_eq!(run($config, &[input]), expected, "whole");
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(run($config, &bytes), expected, "byte by byte");
        for at in 0..=input.len() {
            let (head, tail) = input.split_at(at);
            assert_eq!(run($config, &[head, tail]), expected, "split at {at}");
        }
    }};
}

fn event(data: &str) -> Item {
    Item::Event("message".into(), data.into(), String::new())
}

#[test]
fn comments_are_reported_only_when_asked() {
    let input = b": hello\n:  two\n:\ndata: x\n\n";
    decodes!(DecoderConfig::default(), input, vec![event("x")]);
    decodes!(
        DecoderConfig::default().comments(true),
        input,
        vec![
            Item::Comment("hello".into()),
            Item::Comment(" two".into()),
            Item::Comment(String::new()),
            event("x")
        ]
    );
}

#[test]
fn a_long_line_is_an_error_and_its_event_is_dropped() {
    let config = DecoderConfig::default().max_line_len(10);
    decodes!(
        config,
        b"data: ok\n\ndata: far too long\ndata: rest\ndata: also too long\n\ndata: next\n\n",
        vec![
            event("ok"),
            Item::Error(DecodeError::LineTooLong {
                limit: 10,
                offset: 10
            }),
            event("next")
        ]
    );
}

#[test]
fn a_large_event_is_an_error_and_decoding_goes_on() {
    let config = DecoderConfig::default().max_event_size(6);
    decodes!(
        config,
        b"data: abc\ndata: def\nid: 1\n\ndata: abcdef\n\n",
        vec![
            Item::Error(DecodeError::EventTooLarge {
                limit: 6,
                size: 7,
                offset: 10
            }),
            // The dropped event's id still took effect.
            Item::Event("message".into(), "abcdef".into(), "1".into())
        ]
    );
}

#[test]
fn invalid_utf8_is_replaced_or_reported() {
    let input = b"data: a\xffb\n\ndata: fine\n\n";
    decodes!(
        DecoderConfig::default(),
        input,
        vec![event("a\u{fffd}b"), event("fine")]
    );
    decodes!(
        DecoderConfig::default().strict_utf8(true),
        input,
        vec![
            Item::Error(DecodeError::InvalidUtf8 { offset: 0 }),
            event("fine")
        ]
    );
}

#[test]
fn error_offsets_do_not_depend_on_a_crlf_split_across_chunks() {
    // Found by fuzzing: the LF completing a CR|LF pair split across chunks was not counted
    // into the start of the next line.
    let config = DecoderConfig::default().max_line_len(4);
    decodes!(
        config,
        b"\0\r\ndata: long\n\n",
        vec![Item::Error(DecodeError::LineTooLong {
            limit: 4,
            offset: 3
        })]
    );
}

#[test]
fn error_offsets_count_the_byte_order_mark() {
    let config = DecoderConfig::default().max_line_len(4);
    decodes!(
        config,
        b"\xEF\xBB\xBFdata: long\n\n",
        vec![Item::Error(DecodeError::LineTooLong {
            limit: 4,
            offset: 3
        })]
    );
}

#[test]
fn single_line_data_is_a_slice_of_the_pushed_chunk() {
    let chunk = Bytes::from_static(b"event: e\ndata: payload\n\n");
    let mut decoder = Decoder::new();
    decoder.push_bytes(chunk.clone());
    let message = decoder.next_event().unwrap().unwrap();
    assert_eq!(message.data(), "payload");
    assert_eq!(message.data_bytes().as_ptr(), chunk[15..].as_ptr());
}

#[test]
fn reset_keeps_what_a_reconnect_needs() {
    let mut decoder = Decoder::new();
    decoder.push(b"retry: 1500\nid: 41\ndata: a\n\nid: 42\ndata: cut off");
    assert_eq!(decoder.next_event().unwrap().unwrap().last_event_id(), "41");
    assert!(decoder.next_event().is_none());
    decoder.finish();
    assert!(decoder.next_event().is_none());
    decoder.reset();
    assert_eq!(decoder.last_event_id(), "41");
    assert_eq!(
        decoder.retry(),
        Some(core::time::Duration::from_millis(1500))
    );
    assert!(!decoder.is_finished());
    decoder.push(b"\xEF\xBB\xBFdata: b\n\n");
    let message = decoder.next_event().unwrap().unwrap();
    assert_eq!((message.data(), message.last_event_id()), ("b", "41"));
}

#[test]
fn retry_saturates_and_rejects_non_digits() {
    let mut decoder = Decoder::new();
    decoder.push(b"retry: 99999999999999999999999\n\n");
    while decoder.next_frame().is_some() {}
    assert_eq!(
        decoder.retry(),
        Some(core::time::Duration::from_millis(u64::MAX))
    );
    decoder.push(b"retry: 12a\nretry: -1\nretry: \n\n");
    while decoder.next_frame().is_some() {}
    assert_eq!(
        decoder.retry(),
        Some(core::time::Duration::from_millis(u64::MAX))
    );
}

#[test]
fn a_message_converts_back_to_the_same_event() {
    let mut decoder = Decoder::new();
    decoder.push(b"id: 9\n\nevent: t\nretry: 5\ndata: x\n\n");
    let message = decoder.next_event().unwrap().unwrap();
    assert_eq!(message.last_event_id(), "9");
    assert_eq!(
        message.to_event().to_bytes(),
        "event: t\nretry: 5\ndata: x\n\n"
    );
}

/// Decodes `input` whole, byte by byte and split everywhere; returns the items (all equal)
/// and the last event id and retry the decoder ended with.
fn ids_and_retry(config: DecoderConfig, input: &[u8]) -> (String, Option<core::time::Duration>) {
    let mut seen = Vec::new();
    let mut chunkings: Vec<Vec<&[u8]>> = vec![vec![input], input.chunks(1).collect()];
    chunkings.extend((0..=input.len()).map(|at| {
        let (head, tail) = input.split_at(at);
        vec![head, tail]
    }));
    for chunks in chunkings {
        let mut decoder = Decoder::with_config(config);
        for chunk in chunks {
            decoder.push(chunk);
            while decoder.next_frame().is_some() {}
        }
        decoder.finish();
        while decoder.next_frame().is_some() {}
        seen.push((decoder.last_event_id().to_string(), decoder.retry()));
    }
    assert!(seen.windows(2).all(|pair| pair[0] == pair[1]), "{seen:?}");
    seen.remove(0)
}

#[test]
fn a_dropped_events_id_and_retry_take_effect_wherever_they_stand() {
    // Issue 8, contract 1: before and after the offending line alike.
    let line_limit = DecoderConfig::default().max_line_len(10);
    let event_limit = DecoderConfig::default().max_event_size(10);
    let expected = ("7".to_string(), Some(core::time::Duration::from_millis(5)));
    for (config, offending) in [
        (line_limit, &b"data: far too long\n"[..]),
        (event_limit, b"data: 12345\ndata: 67890\n"),
    ] {
        let before = [&b"id: 7\nretry: 5\n"[..], offending, b"\n"].concat();
        let after = [offending, &b"id: 7\nretry: 5\n\n"[..]].concat();
        assert_eq!(ids_and_retry(config, &before), expected);
        assert_eq!(ids_and_retry(config, &after), expected);
        // And the next event carries the id.
        let next = [&after[..], b"data: x\n\n"].concat();
        decodes!(
            config,
            &next,
            vec![
                run(config, &[offending]).into_iter().next().unwrap(),
                Item::Event("message".into(), "x".into(), "7".into())
            ]
        );
    }
}

#[test]
fn an_id_over_the_line_limit_is_lost_with_its_event() {
    let config = DecoderConfig::default().max_line_len(8);
    let (id, _) = ids_and_retry(config, b"id: 1\n\nid: 123456789\ndata: x\n\n");
    assert_eq!(id, "1");
}

#[test]
fn repeated_event_and_id_lines_replace_their_size() {
    // Issue 8, contract 2: 50 repeats of a short `event` line make a 17-byte event.
    let config = DecoderConfig::default().max_event_size(100);
    let input = [
        "event: tick\n".repeat(50),
        "id: 12\n".repeat(50),
        "data: 1234\n\n".into(),
    ]
    .concat();
    decodes!(
        config,
        input.as_bytes(),
        vec![Item::Event("tick".into(), "1234".into(), "12".into())]
    );
    // The size that counts is still the sum of what the event holds.
    let config = DecoderConfig::default().max_event_size(9);
    decodes!(
        config,
        b"event: tick\nevent: tock\nid: 12\ndata: 1234\n\n",
        vec![Item::Error(DecodeError::EventTooLarge {
            limit: 9,
            size: 10,
            offset: 31
        })]
    );
}

#[test]
fn over_long_comments_and_unknown_fields_are_skipped_without_dropping_the_event() {
    // Issue 8, contract 3. Limits below six bytes too: the reader must wait for the first
    // bytes of a line to know what it is.
    let skipped = b": a comment far longer than the limit\nunknown field\nx: longer\nretryx\n";
    for limit in [4, 5, 8] {
        for comments in [false, true] {
            let config = DecoderConfig::default()
                .max_line_len(limit)
                .comments(comments);
            // `data` alone is a data line with an empty value (4 bytes).
            let input = [&b"data\n"[..], skipped, b"data\n\n"].concat();
            decodes!(config, &input, vec![event("\n")]);
        }
    }
    let config = DecoderConfig::default().max_line_len(8);
    let input = [&b"data: a\n"[..], skipped, b"data: b\n\n"].concat();
    decodes!(config, &input, vec![event("a\nb")]);
    // A known field over the limit still drops its event, decided from its first bytes.
    let config = DecoderConfig::default().max_line_len(4);
    for field in ["event: long", "event", "id: 12", "retry:1000"] {
        let input = format!("data\n{field}\ndata\n\ndata\n\n");
        let expected = vec![
            Item::Error(DecodeError::LineTooLong {
                limit: 4,
                offset: 5,
            }),
            event(""),
        ];
        decodes!(config, input.as_bytes(), expected);
    }
}

#[test]
fn nothing_is_buffered_once_finished_and_drained() {
    // Issue 8, contract 4: an unterminated event and a partial last line are let go.
    for input in [
        &b"data: complete\n\ndata: unterminated\nid: 9\n"[..],
        b"data: unterminated\ndata: and a partial li",
        b"data: x\n\n\r",
    ] {
        let mut decoder = Decoder::new();
        decoder.push(input);
        while decoder.next_frame().is_some() {}
        assert!(decoder.buffered_len() > 0 || input.ends_with(b"\r"));
        decoder.finish();
        while decoder.next_frame().is_some() {}
        assert_eq!(decoder.buffered_len(), 0, "{input:?}");
        assert_eq!(decoder.last_event_id(), "");
    }
}

#[test]
fn text_accessors_lend_the_stored_text() {
    // Issue 8, contract 7: the accessors hand out what was checked once at dispatch (no
    // copy, no new check). The O(1) cost itself is pinned by `scripts/instructions`.
    let mut decoder = Decoder::new();
    decoder.push_bytes(Bytes::from_static(b"event: e\nid: 1\ndata: payload\n\n"));
    let message = decoder.next_event().unwrap().unwrap();
    assert_eq!(message.data().as_ptr(), message.data_bytes().as_ptr());
    assert_eq!((message.event_type(), message.last_event_id()), ("e", "1"));
}

/// `DecodeStream` moves a message through every poll and every wrapper (`Result`,
/// `Option`, `Poll`): keeping it at 112 bytes measurably speeds up small events. The
/// wrappers must fit in the message's spare bit patterns, not add a tag word.
#[cfg(target_pointer_width = "64")]
#[test]
fn a_message_and_its_stream_item_stay_small() {
    use crate::error::StreamError;
    use core::mem::size_of;
    use core::task::Poll;
    assert_eq!(size_of::<Message>(), 112);
    type Item = Poll<Option<Result<Message, StreamError<core::convert::Infallible>>>>;
    assert_eq!(size_of::<Item>(), 112);
}

/// A line spanning chunks is lent from a reused buffer, or (when long) handed over as
/// `Bytes`: both give the same events, and the decoder holds nothing afterwards.
#[test]
fn long_and_short_lines_across_chunks() {
    let long = "é".repeat(20 * 1024);
    let stream = format!("event: big\ndata: {long}\ndata: x\n\ndata: {long}\n\nid: 1\ndata: y\n\n");
    for size in [7, 1000, 1024, 4096] {
        let mut decoder = Decoder::new();
        let mut seen = Vec::new();
        for chunk in stream.as_bytes().chunks(size) {
            decoder.push_bytes(Bytes::copy_from_slice(chunk));
            while let Some(message) = decoder.next_event() {
                let message = message.unwrap();
                seen.push((message.event_type().to_string(), message.data().to_string()));
            }
        }
        decoder.finish();
        assert!(decoder.next_event().is_none());
        assert_eq!(decoder.buffered_len(), 0);
        let expected = [
            ("big".to_string(), format!("{long}\nx")),
            ("message".to_string(), long.clone()),
            ("message".to_string(), "y".to_string()),
        ];
        assert_eq!(seen, expected, "chunks of {size}");
        assert_eq!(decoder.last_event_id(), "1");
    }
}

/// Data lines after the first are read straight from the chunk when they lie in it: the
/// limits, strict UTF-8 and every line ending still apply to them as to any line.
#[test]
fn later_data_lines_follow_every_rule() {
    decodes!(
        DecoderConfig::default(),
        b"data: a\r\ndata: b\rdata:c\ndata\n\r\ndata: d\n\n",
        vec![event("a\nb\nc\n"), event("d")]
    );
    decodes!(
        DecoderConfig::default().strict_utf8(true),
        b"data: a\ndata: \xff\ndata: b\n\ndata: ok\n\n",
        vec![
            Item::Error(DecodeError::InvalidUtf8 { offset: 8 }),
            event("ok")
        ]
    );
    decodes!(
        DecoderConfig::default().max_line_len(8),
        b"data: a\ndata: 12345\ndata: b\n\ndata: ok\n\n",
        vec![
            Item::Error(DecodeError::LineTooLong {
                limit: 8,
                offset: 8
            }),
            event("ok")
        ]
    );
}
