//! Helpers shared by the integration tests.

#![allow(dead_code)] // each test binary uses its own part

use futures::Stream;
use sse_wire::stream::DecodeStream;
use std::pin::Pin;

/// Decoded events of a reqwest response body.
pub type Events =
    DecodeStream<Pin<Box<dyn Stream<Item = Result<bytes::Bytes, reqwest::Error>> + Send>>>;

/// Opens an event stream the way a client should: `Accept`, `Last-Event-ID` when given, and
/// the response checked (status 200, `text/event-stream`) before it is read.
pub async fn get(url: String, last_event_id: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(url)
        .header("accept", sse_wire::http::ACCEPT);
    if let Some(id) = last_event_id {
        request = request.header(sse_wire::http::LAST_EVENT_ID, id);
    }
    let response = request.send().await.unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.as_bytes());
    sse_wire::check_response(response.status().as_u16(), content_type).unwrap();
    response
}

/// The response's body, decoded.
pub fn events(response: reqwest::Response) -> Events {
    DecodeStream::new(Box::pin(response.bytes_stream()))
}

/// A seeded xorshift generator: the same "random" choices on every run.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

/// The first `len` bytes (at least) of a response body that goes on, each chunk awaited for
/// at most 10 s.
pub async fn first_bytes(response: reqwest::Response, len: usize) -> Vec<u8> {
    use futures::StreamExt;
    let mut chunks = Box::pin(response.bytes_stream());
    let mut received = Vec::new();
    while received.len() < len {
        let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), chunks.next())
            .await
            .expect("bytes in time")
            .expect("the stream is open")
            .unwrap();
        received.extend_from_slice(&chunk);
    }
    received
}
