//! Property tests of the encoder over arbitrary field values.

use bytes::{Buf, Bytes, BytesMut};
use proptest::prelude::*;
use sse_wire::{Event, EventId, EventType, FieldError};
use std::time::Duration;

/// Strings heavy in the bytes that matter: line breaks, NUL, colons, spaces.
fn tricky() -> impl Strategy<Value = String> {
    "(\\PC|[\r\n\0: ]){0,24}"
}

/// Data and comments: short tricky strings, and long ones (the encoder searches values of 32
/// bytes and more differently, and LF-only ones differently again).
fn lines_value() -> impl Strategy<Value = String> {
    prop_oneof![
        tricky(),
        "(\\PC|[\n: ]){24,120}",
        "(\\PC|[\r\n\0: ]){24,120}",
    ]
}

/// Values an event type accepts: anything without a line break, still heavy in NUL, colons and
/// spaces, so that most generated events carry a type.
fn type_value() -> impl Strategy<Value = String> {
    "(\\PC|[\0: ]){0,24}"
}

/// Values an event id accepts: no line break and no NUL.
fn id_value() -> impl Strategy<Value = String> {
    "(\\PC|[: ]){0,24}"
}

fn event() -> impl Strategy<Value = Event> {
    (
        proptest::option::of(lines_value()),
        proptest::option::of(type_value()),
        proptest::option::of(id_value()),
        proptest::option::of(any::<u64>()),
        proptest::collection::vec(lines_value(), 0..3),
    )
        .prop_map(|(data, event_type, id, retry, comments)| {
            let mut event = comments.into_iter().fold(Event::new(), Event::comment);
            if let Some(data) = data {
                event = event.data(data);
            }
            if let Some(event_type) = event_type {
                event = event.event(event_type.parse::<EventType>().expect("no line break"));
            }
            if let Some(id) = id {
                event = event.id(id.parse::<EventId>().expect("no line break or NUL"));
            }
            if let Some(retry) = retry {
                event = event.retry(Duration::from_millis(retry));
            }
            event
        })
}

/// The value of a `name:` or `name: value` line as the encoder writes it.
fn field_value<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(name)?.strip_prefix(':')?;
    if rest.is_empty() {
        Some(rest)
    } else {
        rest.strip_prefix(' ').filter(|value| !value.is_empty())
    }
}

fn is_valid_line(line: &str) -> bool {
    line.starts_with(':')
        || ["data", "event", "id", "retry"]
            .iter()
            .any(|name| field_value(line, name).is_some())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn output_is_valid_lines_and_exactly_one_empty_line_at_the_end(event in event()) {
        let bytes = event.to_bytes();
        let text = std::str::from_utf8(&bytes).unwrap();
        prop_assert!(text.ends_with('\n'));
        prop_assert!(!text.contains('\r'));
        let lines: Vec<&str> = text[..text.len() - 1].split('\n').collect();
        let (last, fields) = lines.split_last().unwrap();
        prop_assert_eq!(*last, "", "the event ends with an empty line");
        for line in fields {
            prop_assert!(!line.is_empty(), "an empty line before the end would end the event early");
            prop_assert!(is_valid_line(line), "not a field or comment line: {:?}", line);
        }
    }

    #[test]
    fn the_three_forms_are_byte_identical(event in event()) {
        let contiguous = event.to_bytes();
        let mut appended = BytesMut::from(&b"prefix"[..]);
        event.encode_into(&mut appended);
        prop_assert_eq!(&appended[6..], &contiguous[..]);
        prop_assert_eq!(event.encoded_len(), contiguous.len());

        let mut buf = event.to_buf();
        prop_assert_eq!(buf.remaining(), contiguous.len());
        let mut via_chunks = Vec::new();
        while buf.has_remaining() {
            let chunk = buf.chunk().to_vec();
            buf.advance(chunk.len());
            via_chunks.extend(chunk);
        }
        prop_assert_eq!(&via_chunks[..], &contiguous[..]);

        let via_iter: Vec<u8> = event.to_buf().flat_map(|segment| segment.to_vec()).collect();
        prop_assert_eq!(&via_iter[..], &contiguous[..]);

        let buf = event.to_buf();
        let mut slices = vec![std::io::IoSlice::new(&[]); buf.segment_count()];
        let filled = buf.chunks_vectored(&mut slices);
        let via_vectored: Vec<u8> = slices[..filled].iter().flat_map(|slice| slice.to_vec()).collect();
        prop_assert_eq!(&via_vectored[..], &contiguous[..]);
    }

    #[test]
    fn data_lines_rejoin_to_the_normalised_data(data in lines_value()) {
        let bytes = Event::new().data(data.clone()).to_bytes();
        let text = std::str::from_utf8(&bytes).unwrap();
        let joined: Vec<&str> = text
            .lines()
            .filter_map(|line| field_value(line, "data"))
            .collect();
        prop_assert_eq!(joined.join("\n"), data.replace("\r\n", "\n").replace('\r', "\n"));
    }

    #[test]
    fn line_breaks_are_rejected_in_types_and_ids_and_all_else_accepted(
        // Drawn from valid values two times in three, so acceptance is exercised as much as
        // rejection.
        // Long values too: short ones are checked byte by byte, long ones with memchr.
        value in prop_oneof![tricky(), type_value(), id_value(), "(\\PC|[\r\n\0: ]){30,60}"]
    ) {
        let has_break = value.contains(['\r', '\n']);
        let has_nul = value.contains('\0');
        prop_assert_eq!(EventType::try_from(value.as_str()).is_err(), has_break);
        prop_assert_eq!(EventType::try_from(value.clone()).is_err(), has_break);
        prop_assert_eq!(EventType::from_bytes(Bytes::from(value.clone())).is_err(), has_break);
        prop_assert_eq!(EventId::try_from(value.as_str()).is_err(), has_break || has_nul);
        prop_assert_eq!(EventId::try_from(value.clone()).is_err(), has_break || has_nul);
        prop_assert_eq!(EventId::from_bytes(Bytes::from(value.clone())).is_err(), has_break || has_nul);
        if let Err(error) = EventId::try_from(value.as_str()) {
            let index = value.find(['\r', '\n', '\0']).unwrap();
            let at = match error {
                FieldError::LineFeed { index, .. }
                | FieldError::CarriageReturn { index, .. }
                | FieldError::Nul { index, .. } => index,
                other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
            };
            prop_assert_eq!(at, index);
        }
    }
}
