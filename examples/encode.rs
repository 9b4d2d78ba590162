//! Prints a handful of events as they travel on the wire.
//!
//! `cargo run --example encode`

use bytes::{Buf, Bytes, BytesMut};
use sse_wire::{Event, EventId, FieldError};
use std::io::Write;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let events = [
        ("data only", Event::new().data("hello")),
        (
            "named event with an id",
            Event::new()
                .event("order-shipped")
                .id(1042_u64)
                .data(r#"{"order":1042,"carrier":"DHL"}"#),
        ),
        (
            "multi-line data (CRLF and CR become separate data lines)",
            Event::new().data("line one\r\nline two\rline three"),
        ),
        (
            "reconnection time",
            Event::new().retry(Duration::from_secs(10)),
        ),
        ("keep-alive comment", Event::new().comment("")),
        ("empty data", Event::new().data("")),
        ("unicode", Event::new().data("héllo, 世界 👋")),
    ];

    let mut out = std::io::stdout().lock();
    let mut stream = BytesMut::new();
    for (title, event) in &events {
        writeln!(out, "--- {title} ({} bytes)", event.encoded_len())?;
        out.write_all(&event.to_bytes())?;
        event.encode_into(&mut stream);
    }

    // The vectored form copies none of the payload: it slices the caller's `Bytes`.
    let payload = Bytes::from(vec![b'x'; 64 * 1024]);
    let buf = Event::new().data(payload).to_buf();
    writeln!(
        out,
        "--- 64 KiB payload, vectored: {} bytes in {} segments, payload not copied",
        buf.remaining(),
        buf.segment_count()
    )?;

    // A value that would inject a field is refused, with the offending byte's position.
    let refused: Result<EventId, FieldError> = "42\ndata: injected".parse();
    if let Err(error) = refused {
        writeln!(out, "--- refused id: {error}")?;
    }
    writeln!(out, "--- whole stream: {} bytes", stream.len())?;
    Ok(())
}
