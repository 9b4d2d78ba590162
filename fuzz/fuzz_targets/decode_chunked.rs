//! Feeds arbitrary bytes in an arbitrary chunking and checks the decoder's invariants:
//! chunking never changes the result, retained memory stays within the limits, and decoded
//! values never hold what the format cannot carry.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use sse_wire::{Decoder, DecoderConfig, Frame};

const LINE_LIMIT: usize = 64;
const EVENT_LIMIT: usize = 256;

/// Everything observable about a run, to compare chunkings.
#[derive(Debug, PartialEq)]
struct Run {
    items: Vec<String>,
    retry: Option<std::time::Duration>,
    last_event_id: String,
}

fn decode(config: DecoderConfig, chunks: &[Bytes], copy: bool) -> Run {
    let mut decoder = Decoder::with_config(config);
    let mut items = Vec::new();
    let largest_chunk = chunks.iter().map(Bytes::len).max().unwrap_or(0);
    let mut drain = |decoder: &mut Decoder| {
        while let Some(item) = decoder.next_frame() {
            match item {
                Ok(Frame::Event(message)) => {
                    assert!(!message.event_type().contains(['\r', '\n']));
                    assert!(!message.last_event_id().contains(['\r', '\n', '\0']));
                    assert!(!message.data().contains('\r'));
                    // U+FFFD replacement may triple invalid bytes, never more.
                    assert!(message.data().len() <= 3 * EVENT_LIMIT);
                    // Re-encoding a decoded event must decode to the same event.
                    let mut again = Decoder::new();
                    again.push_bytes(message.to_event().to_bytes());
                    let same = again.next_event().expect("one event").expect("no error");
                    assert_eq!((same.event_type(), same.data()), (message.event_type(), message.data()));
                    items.push(format!("{message:?}"));
                }
                Ok(Frame::Comment(comment)) => items.push(format!("{comment:?}")),
                Ok(_) => unreachable!("no other frame kinds exist"),
                Err(error) => items.push(format!("{error:?}")),
            }
        }
        // Retained: at most one line and one event, plus a chunk not yet looked at.
        assert!(decoder.buffered_len() <= LINE_LIMIT + EVENT_LIMIT + largest_chunk);
    };
    for chunk in chunks {
        if copy {
            decoder.push(chunk);
        } else {
            decoder.push_bytes(chunk.clone());
        }
        drain(&mut decoder);
    }
    decoder.finish();
    drain(&mut decoder);
    // Finished and drained: nothing is held any more.
    assert_eq!(decoder.buffered_len(), 0);
    Run { items, retry: decoder.retry(), last_event_id: decoder.last_event_id().to_owned() }
}

fuzz_target!(|input: &[u8]| {
    // The first byte picks the options, the next ones the chunk sizes; the rest is the stream.
    let Some((&options, rest)) = input.split_first() else { return };
    let cut_count = usize::from(options >> 4).min(rest.len());
    let (sizes, stream) = rest.split_at(cut_count);
    let config = DecoderConfig::default()
        .max_line_len(LINE_LIMIT)
        .max_event_size(EVENT_LIMIT)
        .comments(options & 1 != 0)
        .strict_utf8(options & 2 != 0);

    let whole = Bytes::copy_from_slice(stream);
    let mut chunks = Vec::new();
    let mut remaining = whole.clone();
    for &size in sizes {
        let size = usize::from(size).min(remaining.len());
        chunks.push(remaining.split_to(size));
    }
    chunks.push(remaining);

    let expected = decode(config, &[whole], false);
    assert_eq!(decode(config, &chunks, options & 4 != 0), expected);
});
