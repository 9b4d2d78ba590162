//! Property tests of the decoder: it agrees with the reference decoder on edge-heavy input in
//! any chunking, decoding an encoded event gives the event back, and with tight limits the
//! result still does not depend on the chunking while memory stays bounded.

mod reference;

use bytes::Bytes;
use proptest::prelude::*;
use reference::{RefEvent, RefOutcome};
use sse_wire::{Decoder, DecoderConfig, Event, EventId, EventType, Frame};

/// Pieces chosen to hit the parser's edges; streams are concatenations of them.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b":".to_vec()),
        Just(b" ".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xEF\xBB".to_vec()),
        Just(b"data".to_vec()),
        Just(b"data: ".to_vec()),
        Just(b"id".to_vec()),
        Just(b"id: ".to_vec()),
        Just(b"retry: ".to_vec()),
        Just(b"retry".to_vec()),
        Just(b"event: ".to_vec()),
        Just(b"event".to_vec()),
        Just(b"Data".to_vec()),
        "[0-9]{1,3}".prop_map(String::into_bytes),
        Just(b"\xFF".to_vec()),
        Just(b"\xE2\x82".to_vec()),
        Just(b"\xC3\xA9".to_vec()),
        "[a-z ]{0,6}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..4),
    ]
}

fn stream() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(piece(), 0..40).prop_map(|pieces| pieces.concat())
}

/// Chunk boundaries as fractions of the length, so shrinking keeps them valid.
fn cuts() -> impl Strategy<Value = Vec<prop::sample::Index>> {
    prop::collection::vec(any::<prop::sample::Index>(), 0..8)
}

fn chunked(stream: &[u8], cuts: &[prop::sample::Index]) -> Vec<Bytes> {
    let mut at: Vec<usize> = cuts.iter().map(|cut| cut.index(stream.len() + 1)).collect();
    at.push(0);
    at.push(stream.len());
    at.sort_unstable();
    at.windows(2)
        .map(|w| Bytes::copy_from_slice(&stream[w[0]..w[1]]))
        .collect()
}

fn decode(chunks: Vec<Bytes>) -> RefOutcome {
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    let mut drain = |decoder: &mut Decoder| {
        while let Some(item) = decoder.next_event() {
            let message = item.expect("default limits and lossy UTF-8 never fail");
            events.push(RefEvent {
                event_type: message.event_type().to_owned(),
                data: message.data().to_owned(),
                id: message.last_event_id().to_owned(),
            });
        }
    };
    for chunk in chunks {
        decoder.push_bytes(chunk);
        drain(&mut decoder);
    }
    decoder.finish();
    drain(&mut decoder);
    RefOutcome {
        events,
        retry: decoder
            .retry()
            .map(|retry| u64::try_from(retry.as_millis()).unwrap()),
        last_event_id: decoder.last_event_id().to_owned(),
    }
}

/// Field values that an `Event` accepts: anything without the forbidden bytes.
fn field_value(forbidden: &'static str) -> impl Strategy<Value = String> {
    "(\\PC|[ \r\n\0\u{feff}]){0,12}"
        .prop_map(move |value| value.replace(|c| forbidden.contains(c), ""))
}

fn event() -> impl Strategy<Value = Event> {
    (
        proptest::option::of(field_value("\r\n")),
        proptest::option::of(field_value("\r\n\0")),
        proptest::option::of(0_u64..10_000_000),
        "(\\PC|[\r\n ]){0,40}",
        proptest::collection::vec("(\\PC|[\r\n]){0,8}", 0..3),
    )
        .prop_map(|(event_type, id, retry, data, comments)| {
            let mut event = Event::new().data(data);
            if let Some(event_type) = event_type {
                event = event.event(EventType::try_from(event_type).unwrap());
            }
            if let Some(id) = id {
                event = event.id(EventId::try_from(id).unwrap());
            }
            if let Some(retry) = retry {
                event = event.retry(std::time::Duration::from_millis(retry));
            }
            comments.into_iter().fold(event, Event::comment)
        })
}

/// Everything observable about a run with limits: items, then last event id and retry.
fn decode_limited(config: DecoderConfig, chunks: &[Bytes], bound: usize) -> Vec<String> {
    let mut decoder = Decoder::with_config(config);
    let mut seen = Vec::new();
    let drain = |decoder: &mut Decoder, seen: &mut Vec<String>| {
        while let Some(item) = decoder.next_frame() {
            seen.push(match item {
                Ok(Frame::Event(message)) => format!("{message:?}"),
                Ok(Frame::Comment(comment)) => format!("{comment:?}"),
                Ok(other) => format!("{other:?}"),
                Err(error) => format!("{error:?}"),
            });
        }
        assert!(
            decoder.buffered_len() <= bound,
            "{} > {bound}",
            decoder.buffered_len()
        );
    };
    for chunk in chunks {
        decoder.push_bytes(chunk.clone());
        drain(&mut decoder, &mut seen);
    }
    decoder.finish();
    drain(&mut decoder, &mut seen);
    assert_eq!(decoder.buffered_len(), 0, "held after finish");
    seen.push(format!(
        "{:?} {:?}",
        decoder.last_event_id(),
        decoder.retry()
    ));
    seen
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn agrees_with_the_reference_in_any_chunking(stream in stream(), cuts in cuts()) {
        prop_assert_eq!(decode(chunked(&stream, &cuts)), reference::decode(&stream));
    }

    #[test]
    fn limits_do_not_depend_on_the_chunking(
        stream in stream(),
        cuts in cuts(),
        line in 1_usize..12,
        event in 1_usize..24,
        comments: bool,
        strict: bool,
    ) {
        let config = DecoderConfig::default()
            .max_line_len(line)
            .max_event_size(event)
            .comments(comments)
            .strict_utf8(strict);
        let chunks = chunked(&stream, &cuts);
        let largest = chunks.iter().map(Bytes::len).max().unwrap_or(0);
        // At most one line and one event, plus a chunk not looked at yet.
        let bound = line + event + largest;
        let whole = decode_limited(config, &[Bytes::copy_from_slice(&stream)], stream.len() + line + event);
        prop_assert_eq!(decode_limited(config, &chunks, bound), whole);
    }

    #[test]
    fn decoding_an_encoding_gives_the_event_back(events in prop::collection::vec(event(), 1..4), cuts in cuts()) {
        let stream: Vec<u8> = events.iter().flat_map(|event| event.to_bytes()).collect();
        let decoded = decode(chunked(&stream, &cuts));
        prop_assert_eq!(decoded.events.len(), events.len());
        let mut last_id = String::new();
        for (event, got) in events.iter().zip(&decoded.events) {
            if let Some(id) = event.event_id() {
                last_id = id.as_str().to_owned();
            }
            let data = String::from_utf8(event.data_bytes().unwrap().to_vec()).unwrap();
            let want_type = event.event_type().map_or("", |t| t.as_str());
            prop_assert_eq!(&got.event_type, if want_type.is_empty() { "message" } else { want_type });
            prop_assert_eq!(&got.data, &data.replace("\r\n", "\n").replace('\r', "\n"));
            prop_assert_eq!(&got.id, &last_id);
        }
        let want_retry = events.iter().rev().find_map(Event::retry_duration);
        prop_assert_eq!(decoded.retry, want_retry.map(|retry| u64::try_from(retry.as_millis()).unwrap()));
    }
}
