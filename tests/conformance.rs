//! Runs every shared conformance vector (tests/conformance/*.json, format in its README)
//! fed whole, one byte at a time, split at every position into two chunks, and in seeded
//! random chunkings. Every chunking must give the expected events, retry and last event id.

use serde::Deserialize;
use sse_wire::{Decoder, Message};
use std::path::Path;
use support::Rng;

mod support;

#[derive(Deserialize)]
struct Vector {
    name: String,
    chunks: Option<Vec<String>>,
    chunks_hex: Option<Vec<String>>,
    events: Vec<Expected>,
    retry: Option<u64>,
    last_event_id: String,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
struct Expected {
    #[serde(rename = "type")]
    event_type: String,
    data: String,
    id: String,
}

/// What a decoding run produced, in the vectors' terms.
#[derive(Debug, PartialEq)]
struct Outcome {
    events: Vec<Expected>,
    retry: Option<u64>,
    last_event_id: String,
}

fn expected(message: &Message) -> Expected {
    Expected {
        event_type: message.event_type().to_owned(),
        data: message.data().to_owned(),
        id: message.last_event_id().to_owned(),
    }
}

fn decode<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    let mut drain = |decoder: &mut Decoder| {
        while let Some(item) = decoder.next_event() {
            events.push(expected(&item.expect("default limits never fail a vector")));
        }
    };
    for chunk in chunks {
        decoder.push(chunk);
        drain(&mut decoder);
    }
    decoder.finish();
    drain(&mut decoder);
    Outcome {
        events,
        retry: decoder
            .retry()
            .map(|retry| u64::try_from(retry.as_millis()).unwrap()),
        last_event_id: decoder.last_event_id().to_owned(),
    }
}

fn hex(chunk: &str) -> Vec<u8> {
    chunk
        .split_whitespace()
        .map(|byte| u8::from_str_radix(byte, 16).unwrap())
        .collect()
}

fn load_vectors() -> Vec<Vector> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 11, "every vector file is present");
    files
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            serde_json::from_str::<Vec<Vector>>(&text)
                .unwrap_or_else(|error| panic!("{}: {error}", file.display()))
        })
        .collect()
}

/// Split points to try for two-chunk splits: every position for small inputs, a sample of
/// positions (all near the start and end, plus a stride) for the large ones.
fn split_points(len: usize) -> Vec<usize> {
    if len <= 4096 {
        return (0..=len).collect();
    }
    let mut points: Vec<usize> = (0..=64)
        .chain(len - 64..=len)
        .chain((0..len).step_by(97))
        .collect();
    points.sort_unstable();
    points.dedup();
    points
}

#[test]
fn every_vector_in_every_chunking() {
    let vectors = load_vectors();
    assert_eq!(vectors.len(), 123, "the README promises 123 vectors");
    let mut runs = 0;
    for vector in &vectors {
        let chunks: Vec<Vec<u8>> = match (&vector.chunks, &vector.chunks_hex) {
            (Some(chunks), None) => chunks
                .iter()
                .map(|chunk| chunk.as_bytes().to_vec())
                .collect(),
            (None, Some(chunks)) => chunks.iter().map(|chunk| hex(chunk)).collect(),
            _ => panic!("{}: exactly one of chunks and chunks_hex", vector.name),
        };
        let want = Outcome {
            events: vector.events.clone(),
            retry: vector.retry,
            last_event_id: vector.last_event_id.clone(),
        };
        let whole = chunks.concat();
        let mut check = |how: &str, outcome: Outcome| {
            runs += 1;
            assert_eq!(outcome, want, "vector {} fed {how}", vector.name);
        };
        check("as given", decode(chunks.iter().map(Vec::as_slice)));
        check("whole", decode([whole.as_slice()]));
        check("byte by byte", decode(whole.chunks(1)));
        for at in split_points(whole.len()) {
            let (head, tail) = whole.split_at(at);
            check(&format!("split at {at}"), decode([head, tail]));
        }
        let mut rng = Rng(0x5EED ^ whole.len() as u64);
        for round in 0..8 {
            // Alternate tiny and larger pieces so both line assembly paths are hit.
            let largest = if round % 2 == 0 { 16 } else { 4096 };
            let mut pieces = Vec::new();
            let mut rest = whole.as_slice();
            while !rest.is_empty() {
                let (piece, tail) =
                    rest.split_at(1 + rng.below(rest.len().min(largest) as u64) as usize);
                pieces.push(piece);
                rest = tail;
            }
            check(&format!("in random chunking #{round}"), decode(pieces));
        }
    }
    println!("{} vectors, {runs} chunkings decoded", vectors.len());
}
