//! The `tracing` feature: what a server and a client report at debug level, captured by a
//! minimal subscriber (one per test thread, so tests cannot see each other's events).

use bytes::Bytes;
use futures::{executor::block_on, future, stream, StreamExt};
use sse_wire::stream::{channel, DecodeStream};
use sse_wire::{DecoderConfig, Event, Sse};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Level, Metadata, Subscriber};

/// Keeps `level target: message` of every event.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Message(Option<String>);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        if field.name() == "message" {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut message = Message(None);
        event.record(&mut message);
        let metadata = event.metadata();
        self.0.lock().unwrap().push(format!(
            "{} {}: {}",
            metadata.level(),
            metadata.target(),
            message.0.unwrap_or_default()
        ));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn captured(run: impl FnOnce()) -> Vec<String> {
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), run);
    let lines = capture.0.lock().unwrap().clone();
    assert!(
        lines
            .iter()
            .all(|line| line.starts_with(&format!("{} sse_wire: ", Level::DEBUG))),
        "every event is at debug level under the sse_wire target: {lines:?}"
    );
    lines
}

#[test]
fn a_response_stream_reports_opening_keep_alive_shutdown_and_closing() {
    let lines = captured(|| {
        let quiet = stream::iter([Event::new().data("a")]).chain(stream::pending());
        let mut body = Sse::new(quiet)
            .keep_alive_with(Duration::from_secs(15), |_| future::ready(()))
            .shutdown(future::ready(()));
        let chunks: Vec<_> = block_on((&mut body).collect());
        assert!(chunks.is_empty(), "the signal was already fired");
        drop(body);
        let body = Sse::new(stream::iter([Event::new().data("a")]).chain(stream::pending()))
            .keep_alive_with(Duration::from_secs(15), |_| future::ready(()));
        let chunks: Vec<_> = block_on(body.take(2).collect());
        assert_eq!(chunks.len(), 2);
    });
    assert_eq!(
        lines,
        [
            "DEBUG sse_wire: event stream opened",
            "DEBUG sse_wire: event stream ended by the shutdown signal",
            "DEBUG sse_wire: event stream closed",
            "DEBUG sse_wire: event stream opened",
            "DEBUG sse_wire: event stream idle: keep-alive sent",
            "DEBUG sse_wire: event stream closed",
        ]
    );
}

#[test]
fn a_listener_let_go_reports_the_dropped_events() {
    let lines = captured(|| {
        let (sender, _receiver) = channel(2);
        for _ in 0..3 {
            let _ = sender.send(Event::new().data("x"));
        }
    });
    assert_eq!(lines, ["DEBUG sse_wire: event channel closed"]);
}

#[test]
fn a_client_reports_decode_errors() {
    let lines = captured(|| {
        let body = stream::iter([Ok::<_, std::convert::Infallible>(Bytes::from_static(
            b"data: \xff\n\ndata: fine\n\n",
        ))]);
        let config = DecoderConfig::default().strict_utf8(true);
        let items: Vec<_> = block_on(DecodeStream::with_config(body, config).collect());
        assert_eq!(items.len(), 2);
        assert!(items[0].is_err());
    });
    assert_eq!(
        lines,
        ["DEBUG sse_wire: event stream decode error: that event is skipped"]
    );
}
