//! A resilient event-stream client: validates the response, decodes events, prints them, and
//! reconnects with `Last-Event-ID` when the connection drops. Try it against
//! `cargo run --example hyper_server` (`http://127.0.0.1:3001/`): kill the server mid-stream,
//! start it again, and the client resumes at the next tick, because that server derives its
//! events from the id.
//!
//! ```text
//! cargo run --example client -- http://127.0.0.1:3000/events
//! cargo run --example client -- --post '{"prompt":"hello"}' http://127.0.0.1:8000/chat
//! cargo run --example client -- --max 5 --idle-timeout 40 http://127.0.0.1:3000/events
//! ```
//!
//! `--post JSON` sends a POST with a JSON body, the way LLM APIs stream their answers.

mod follow;

use sse_wire::{Reconnect, ReconnectConfig};
use std::ops::ControlFlow;
use std::time::{Duration, SystemTime};

struct Options {
    url: String,
    post: Option<String>,
    max: Option<u64>,
    idle_timeout: Option<Duration>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        url: "http://127.0.0.1:3000/events".into(),
        post: None,
        max: None,
        idle_timeout: None,
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
    let request = || match &options.post {
        Some(json) => client
            .post(&options.url)
            .header("content-type", "application/json")
            .body(json.clone()),
        None => client.get(&options.url),
    };
    let seed = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut policy = Reconnect::new(
        ReconnectConfig::default().idle_timeout(options.idle_timeout),
        seed,
    );
    let mut seen = 0;
    let followed = follow::follow(request, &mut policy, |message| {
        seen += 1;
        let id = message.last_event_id();
        println!(
            "[{}{}] {}",
            message.event_type(),
            if id.is_empty() {
                String::new()
            } else {
                format!(" #{id}")
            },
            message.data()
        );
        if options.max == Some(seen) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await;
    match followed.stopped {
        None => eprintln!(
            "done after {seen} events over {} connections",
            followed.connections
        ),
        Some(reason) => {
            eprintln!("stopped: {reason:?}");
            std::process::exit(1);
        }
    }
}
