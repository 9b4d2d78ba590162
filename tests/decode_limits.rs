//! Hostile input cannot exhaust memory: the decoder's retained bytes stay within the limits
//! whatever arrives, and one bad event never ends the stream.

use bytes::Bytes;
use sse_wire::{DecodeError, Decoder, DecoderConfig};

const CHUNK: usize = 64 * 1024;

/// Feeds `total` bytes of `chunk` (reused, so the test allocates little) and checks the
/// retained size after every chunk. Returns the errors seen.
fn feed_checking_memory(
    decoder: &mut Decoder,
    head: &[u8],
    chunk: &Bytes,
    total: usize,
    bound: usize,
) -> Vec<DecodeError> {
    let mut errors = Vec::new();
    let drain = |decoder: &mut Decoder, errors: &mut Vec<DecodeError>| {
        while let Some(item) = decoder.next_frame() {
            if let Err(error) = item {
                errors.push(error);
            }
        }
        assert!(
            decoder.buffered_len() <= bound,
            "retained {} > {bound}",
            decoder.buffered_len()
        );
    };
    decoder.push(head);
    drain(decoder, &mut errors);
    for _ in 0..total / chunk.len() {
        decoder.push_bytes(chunk.clone());
        drain(decoder, &mut errors);
    }
    errors
}

#[test]
fn a_100_mib_line_in_64_kib_chunks_stays_within_the_line_limit() {
    let limit = 1024 * 1024;
    let mut decoder = Decoder::with_config(DecoderConfig::default().max_line_len(limit));
    let chunk = Bytes::from(vec![b'x'; CHUNK]);
    let errors = feed_checking_memory(&mut decoder, b"data: ", &chunk, 100 << 20, limit + CHUNK);
    assert_eq!(errors, [DecodeError::LineTooLong { limit, offset: 0 }]);

    // The stream goes on: the over-long event ends at the empty line, the next one decodes.
    decoder.push(b"\n\ndata: after\n\n");
    let message = decoder.next_event().unwrap().unwrap();
    assert_eq!(message.data(), "after");
    assert!(decoder.buffered_len() <= limit + CHUNK);
}

#[test]
fn a_100_mib_line_with_the_default_limits_stays_bounded_too() {
    let mut decoder = Decoder::new();
    let chunk = Bytes::from(vec![b'y'; CHUNK]);
    let bound = sse_wire::DEFAULT_LIMIT + CHUNK;
    let errors = feed_checking_memory(&mut decoder, b"data:", &chunk, 100 << 20, bound);
    assert_eq!(errors.len(), 1);
}

#[test]
fn many_short_data_lines_stay_within_the_event_limit() {
    let limit = 256 * 1024;
    let config = DecoderConfig::default().max_event_size(limit);
    let mut decoder = Decoder::with_config(config);
    let lines = Bytes::from("data: 0123456789abcdef\n".repeat(CHUNK / 23));
    let errors = feed_checking_memory(&mut decoder, b"", &lines, 16 << 20, limit + lines.len());
    assert!(
        matches!(
            errors[..],
            [DecodeError::EventTooLarge { limit: 262144, .. }]
        ),
        "{errors:?}"
    );
}

#[test]
fn limit_errors_say_which_limit_and_where() {
    let error = DecodeError::LineTooLong {
        limit: 1024,
        offset: 77,
    };
    assert_eq!(
        error.to_string(),
        "line at byte 77 is longer than the 1024-byte line limit"
    );
    let error = DecodeError::EventTooLarge {
        limit: 10,
        size: 12,
        offset: 5,
    };
    assert_eq!(
        error.to_string(),
        "event grew to 12 bytes at the line at byte 5, over the 10-byte event limit"
    );
}

#[test]
fn the_default_limits_accept_an_8_mib_event() {
    let mut decoder = Decoder::new();
    let data = "z".repeat(8 << 20);
    decoder.push_bytes(Bytes::from(format!("data: {data}\n\n")));
    assert_eq!(decoder.next_event().unwrap().unwrap().data().len(), 8 << 20);
}
