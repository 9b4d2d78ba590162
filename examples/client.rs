//! A resilient event-stream client on the library's `EventSource`: validates the response,
//! decodes events, prints them, and reconnects with `Last-Event-ID` when the connection
//! drops. Try it against `cargo run --example hyper_server` (`http://127.0.0.1:3001/`): kill
//! the server mid-stream, start it again, and the client resumes at the next tick.
//!
//! ```text
//! cargo run --example client --features reqwest -- http://127.0.0.1:3000/events
//! cargo run --example client --features reqwest -- --post '{"prompt":"hello"}' http://127.0.0.1:8000/chat
//! cargo run --example client --features reqwest -- --max 5 --idle-timeout 40 --json http://127.0.0.1:3000/events
//! ```
//!
//! `--post JSON` sends a POST with a JSON body, the way LLM APIs stream their answers.
//! `--json` prints one JSON object per event, `{"type":...,"data":...,"id":...}` (the shape
//! `examples/decode.rs` prints). Progress goes to stderr. The exit status is 0 after `--max`
//! events; when the client stops for any other reason, the reason goes to stderr and the
//! status is 1 (2 for bad options).

use futures::StreamExt;
use serde_json::json;
use sse_wire::client::{ClientEvent, EventSource};
use sse_wire::ReconnectConfig;
use std::time::Duration;

struct Options {
    url: String,
    post: Option<String>,
    max: Option<u64>,
    idle_timeout: Option<Duration>,
    json: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        url: "http://127.0.0.1:3000/events".into(),
        post: None,
        max: None,
        idle_timeout: None,
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--post" => options.post = Some(value("--post")?),
            "--max" => {
                options.max = Some(
                    value("--max")?
                        .parse()
                        .map_err(|_| "--max takes a number")?,
                )
            }
            "--idle-timeout" => {
                let seconds: u64 = value("--idle-timeout")?
                    .parse()
                    .map_err(|_| "--idle-timeout takes seconds")?;
                options.idle_timeout = Some(Duration::from_secs(seconds));
            }
            "--json" => options.json = true,
            url if !url.starts_with("--") => options.url = url.to_owned(),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

#[tokio::main]
async fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("client: {message}");
            std::process::exit(2);
        }
    };
    let client = reqwest::Client::new();
    let request = match &options.post {
        Some(body) => client
            .post(&options.url)
            .header("content-type", "application/json")
            .body(body.clone()),
        None => client.get(&options.url),
    };
    let mut events = EventSource::from_request(request)
        .reconnect(ReconnectConfig::default().idle_timeout(options.idle_timeout));
    let mut seen = 0;
    if options.max == Some(0) {
        return;
    }
    while let Some(event) = events.next().await {
        match event {
            Ok(ClientEvent::Message(message)) => {
                let id = message.last_event_id();
                if options.json {
                    println!(
                        r#"{{"type":{},"data":{},"id":{}}}"#,
                        json!(message.event_type()),
                        json!(message.data()),
                        json!(id)
                    );
                } else if id.is_empty() {
                    println!("[{}] {}", message.event_type(), message.data());
                } else {
                    println!("[{} #{id}] {}", message.event_type(), message.data());
                }
                seen += 1;
                if options.max == Some(seen) {
                    events.close();
                }
            }
            Ok(ClientEvent::Open) => eprintln!("client: connected to {}", options.url),
            Ok(ClientEvent::Reconnecting {
                attempt,
                delay,
                cause,
            }) => eprintln!(
                "client: {}; attempt {attempt} in {delay:.1?}",
                chain(&cause)
            ),
            Ok(ClientEvent::Skipped(error)) => eprintln!("client: skipped an event: {error}"),
            Ok(ClientEvent::Comment(_)) => {}
            Err(reason) => {
                eprintln!("client: stopped: {reason}");
                std::process::exit(1);
            }
        }
    }
    eprintln!(
        "client: done after {seen} events over {} connections",
        events.connections()
    );
}

/// An error with its sources: "the connection failed: error sending request: ...".
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
