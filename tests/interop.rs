//! Cross-implementation interop: a real sse-starlette (Python) server decoded by sse-wire,
//! and sse-wire's encoding parsed by the npm package eventsource-parser. Both need programs
//! outside Rust, installed by scripts/test-all, so they are ignored by a plain `cargo test`.

use bytes::Bytes;
use serde_json::{json, Value};
use sse_wire::{Decoder, Event, EventId, EventType};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the child process when the test ends, passed or failed.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Decodes `stream` with sse-wire, fed whole and byte by byte (both must agree), into the
/// shape the peers report: events as {type, data, id}, the final retry and last event id.
fn decode(stream: &[u8]) -> Value {
    let run = |chunks: Vec<&[u8]>| {
        let mut decoder = Decoder::new();
        let mut events = Vec::new();
        for chunk in chunks {
            decoder.push_bytes(Bytes::copy_from_slice(chunk));
            while let Some(item) = decoder.next_event() {
                let message = item.unwrap();
                events.push(json!({"type": message.event_type(), "data": message.data(), "id": message.last_event_id()}));
            }
        }
        decoder.finish();
        assert!(decoder.next_event().is_none());
        let retry = decoder.retry().map(|retry| retry.as_millis() as u64);
        json!({"events": events, "retry": retry, "last_event_id": decoder.last_event_id()})
    };
    let whole = run(vec![stream]);
    assert_eq!(
        run(stream.chunks(1).collect()),
        whole,
        "chunking changed the result"
    );
    whole
}

#[tokio::test]
#[ignore = "needs python3 with sse-starlette and uvicorn: run by scripts/test-all"]
async fn a_real_sse_starlette_stream_decodes_as_its_server_meant() {
    let port = free_port();
    let server = Command::new("python3")
        .arg(repo("tests/interop/starlette_app.py"))
        .arg(port.to_string())
        .spawn()
        .expect("python3 must be installed (scripts/test-all installs sse-starlette)");
    let _server = Killed(server);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let expected: Value = loop {
        match client.get(format!("{base}/expected")).send().await {
            Ok(response) => break response.json().await.unwrap(),
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(error) => panic!("sse-starlette did not start: {error}"),
        }
    };
    let response = client.get(format!("{base}/events")).send().await.unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.as_bytes());
    sse_wire::check_response(response.status().as_u16(), content_type).unwrap();
    let body = response.bytes().await.unwrap();
    assert!(
        body.windows(2).any(|pair| pair == b"\r\n"),
        "sse-starlette writes CRLF line endings"
    );
    assert_eq!(decode(&body), expected);
}

/// Events with every feature and edge an encoder must get right.
fn tricky_events() -> Vec<Event> {
    let event_type = |name| EventType::try_from(name).unwrap();
    vec![
        Event::new().data("plain"),
        Event::new()
            .event(event_type("multi"))
            .id(1_u8)
            .data("one\ntwo\r\nthree\rfour"),
        Event::new().data(" leading space and trailing space "),
        Event::new().data("ends with a newline\n"),
        Event::new().data(""),
        Event::new().comment("a comment\nover two lines"),
        Event::new().id(EventId::try_from("id-only").unwrap()),
        Event::new()
            .event(event_type("unicode"))
            .data("ünïcödé ✓ 日本語 🚀"),
        Event::new()
            .retry(Duration::from_millis(2500))
            .data("with retry"),
        Event::new().data("data: looks like a field\n: looks like a comment"),
        Event::new()
            .event(event_type(""))
            .id(EventId::default())
            .data("empty type and id reset"),
    ]
}

#[test]
#[ignore = "needs node and npm eventsource-parser: run by scripts/test-all"]
fn eventsource_parser_reads_our_encoding_exactly() {
    let events = tricky_events();
    let stream: Vec<u8> = events.iter().flat_map(|event| event.to_bytes()).collect();
    let script = repo("tests/interop/node/parse.mjs");
    assert!(
        repo("tests/interop/node/node_modules/eventsource-parser").exists(),
        "run npm ci in tests/interop/node (scripts/test-all does)"
    );
    let mut node = Command::new("node")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node must be installed");
    node.stdin.take().unwrap().write_all(&stream).unwrap();
    let output = node.wait_with_output().unwrap();
    assert!(output.status.success(), "parse.mjs failed");
    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();

    // What the events say a parser must report: eventsource-parser gives each block's own
    // id field (or null), not the persisted last event id.
    let expected: Vec<Value> = events
        .iter()
        .filter_map(|event| {
            let data = std::str::from_utf8(event.data_bytes()?).unwrap();
            let event_type = event
                .event_type()
                .map(|t| t.as_str())
                .filter(|t| !t.is_empty());
            Some(json!({
                "type": event_type.unwrap_or("message"),
                "data": data.replace("\r\n", "\n").replace('\r', "\n"),
                "id": event.event_id().map(|id| id.as_str()),
            }))
        })
        .collect();
    assert_eq!(parsed["events"], Value::Array(expected));
    assert_eq!(parsed["retry"], json!(2500));

    // And sse-wire's own decoder agrees with eventsource-parser on types and data.
    let ours = decode(&stream);
    let strip_ids = |events: &Value| -> Vec<(Value, Value)> {
        events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["type"].clone(), e["data"].clone()))
            .collect()
    };
    assert_eq!(strip_ids(&ours["events"]), strip_ids(&parsed["events"]));
}
