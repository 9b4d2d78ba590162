//! The `EventSource` client against real servers on loopback: the crate's demo app, servers
//! answering 204, 404, 503 with `Retry-After` or the wrong content type, a POST stream like
//! LLM APIs, a silent server (idle timeout), and one whose id-only blocks move the
//! `Last-Event-ID`. (`tests/resume.rs` cuts connections at random points.)

#![cfg(feature = "reqwest")]

#[path = "../examples/dashboard/mod.rs"]
mod dashboard;

use axum::body::Body;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use bytes::Bytes;
use futures::{stream, StreamExt};
use sse_wire::client::{ClientEvent, Disconnect, EventSource};
use sse_wire::{
    DecoderConfig, Event, EventId, EventType, Message, ReconnectConfig, ResponseError, StopReason,
};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

/// Fast reconnects: tests use short `retry` values.
fn quick() -> ReconnectConfig {
    ReconnectConfig::default()
        .min_delay(Duration::from_millis(1))
        .default_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(100))
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    accept: Option<String>,
    last_event_id: Option<String>,
    authorization: Option<String>,
    body: String,
    at: Instant,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Serves `respond(n, request)` for the n-th request (from 0) on every path, logging requests.
async fn serve<F>(respond: F) -> (SocketAddr, Log)
where
    F: Fn(usize, &Seen) -> Response + Clone + Send + Sync + 'static,
{
    let log: Log = Arc::default();
    let app = Router::new().fallback(any({
        let log = log.clone();
        move |method: Method, headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            let respond = respond.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .map(|value| value.to_str().unwrap().to_owned())
                };
                let seen = Seen {
                    method,
                    accept: header("accept"),
                    last_event_id: header("last-event-id"),
                    authorization: header("authorization"),
                    body: String::from_utf8(body.to_vec()).unwrap(),
                    at: Instant::now(),
                };
                let n = {
                    let mut log = log.lock().unwrap();
                    log.push(seen.clone());
                    log.len() - 1
                };
                respond(n, &seen)
            }
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (address, log)
}

fn event_stream(body: Body) -> Response {
    Response::builder()
        .header("content-type", "text/event-stream")
        .body(body)
        .unwrap()
}

/// A complete stream that ends after `text`.
fn stream_of(text: &'static str) -> Response {
    event_stream(Body::from(text))
}

fn status(code: u16) -> Response {
    Response::builder()
        .status(code)
        .body(Body::empty())
        .unwrap()
}

/// Everything the client yields until it ends (or `limit` items).
async fn run(mut events: EventSource, limit: usize) -> Vec<Result<ClientEvent, StopReason>> {
    let mut items = Vec::new();
    let collect = async {
        while let Some(item) = events.next().await {
            items.push(item);
            if items.len() == limit {
                break;
            }
        }
    };
    tokio::time::timeout(WAIT, collect)
        .await
        .expect("the client finished in time");
    items
}

fn messages(items: &[Result<ClientEvent, StopReason>]) -> Vec<&Message> {
    items
        .iter()
        .filter_map(|item| match item {
            Ok(ClientEvent::Message(message)) => Some(message),
            _ => None,
        })
        .collect()
}

fn stop_reason(items: &[Result<ClientEvent, StopReason>]) -> &StopReason {
    match items.last() {
        Some(Err(reason)) => reason,
        other => panic!("expected the client to stop, last item: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_content_and_non_200_stop_without_retrying() {
    let cases = [
        (204, StopReason::Response(ResponseError::NoContent)),
        (
            404,
            StopReason::Response(ResponseError::Status { status: 404 }),
        ),
        (
            503,
            StopReason::Response(ResponseError::Status { status: 503 }),
        ),
    ];
    for (code, expected) in cases {
        let (address, log) = serve(move |_, _| status(code)).await;
        let items = run(
            EventSource::get(format!("http://{address}/")).reconnect(quick()),
            10,
        )
        .await;
        assert_eq!(items.len(), 1, "{code}: {items:?}");
        assert_eq!(stop_reason(&items), &expected);
        assert_eq!(log.lock().unwrap().len(), 1, "{code} was not retried");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_content_type_stops() {
    let (address, _log) = serve(|_, _| {
        Response::builder()
            .header("content-type", "text/html; charset=utf-8")
            .body(Body::from("data: not an event stream\n\n"))
            .unwrap()
    })
    .await;
    let items = run(EventSource::get(format!("http://{address}/")), 10).await;
    assert_eq!(
        stop_reason(&items).to_string(),
        "response content type is \"text/html; charset=utf-8\", expected text/event-stream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_503_and_429_honour_retry_after_but_404_still_stops() {
    let (address, log) = serve(|n, _| match n {
        0 => Response::builder()
            .status(503)
            .header("retry-after", "1")
            .body(Body::empty())
            .unwrap(),
        1 => Response::builder()
            .status(429)
            .header("retry-after", "0")
            .body(Body::empty())
            .unwrap(),
        2 => stream_of("id: 1\ndata: finally\n\n"),
        _ => status(404),
    })
    .await;
    let config = quick().retry_server_errors(true);
    let items = run(
        EventSource::get(format!("http://{address}/")).reconnect(config),
        20,
    )
    .await;
    let kinds: Vec<String> = items
        .iter()
        .map(|item| match item {
            Ok(ClientEvent::Open) => "open".to_owned(),
            Ok(ClientEvent::Message(message)) => format!("message {}", message.data()),
            Ok(ClientEvent::Reconnecting { attempt, cause, .. }) => {
                format!("reconnecting {attempt}: {cause}")
            }
            Ok(other) => format!("{other:?}"),
            Err(reason) => format!("stop: {reason}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "reconnecting 1: server answered status 503, not 200",
            "reconnecting 2: server answered status 429, not 200",
            "open",
            "message finally",
            "reconnecting 1: the server ended the stream",
            "stop: server answered status 404, not 200",
        ]
    );
    let log = log.lock().unwrap();
    assert!(
        log[1].at - log[0].at >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(log[3].last_event_id.as_deref(), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_with_headers_and_body_is_sent_again_on_every_attempt() {
    let (address, log) = serve(|n, seen| {
        if n == 0 {
            let words: Vec<String> = seen
                .body
                .split(' ')
                .enumerate()
                .map(|(i, word)| format!("id: {i}\ndata: {{\"token\":\"{word}\"}}\n\n"))
                .collect();
            event_stream(Body::from(words.concat()))
        } else {
            status(204)
        }
    })
    .await;
    let request = reqwest::Client::new()
        .post(format!("http://{address}/chat"))
        .header("authorization", "Bearer secret")
        .body("tell me more");
    let items = run(EventSource::from_request(request).reconnect(quick()), 20).await;
    let tokens: Vec<String> = messages(&items)
        .iter()
        .map(|message| {
            let value: serde_json::Value = serde_json::from_str(message.data()).unwrap();
            value["token"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(tokens, ["tell", "me", "more"]);
    assert_eq!(
        stop_reason(&items),
        &StopReason::Response(ResponseError::NoContent)
    );
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    for (seen, last_event_id) in log.iter().zip([None, Some("2")]) {
        assert_eq!(seen.method, Method::POST);
        assert_eq!(seen.body, "tell me more");
        assert_eq!(seen.authorization.as_deref(), Some("Bearer secret"));
        assert_eq!(seen.accept.as_deref(), Some("text/event-stream"));
        assert_eq!(seen.last_event_id.as_deref(), last_event_id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closure_makes_a_fresh_request_per_attempt() {
    let (address, log) = serve(|n, _| {
        if n < 2 {
            stream_of("data: x\n\n")
        } else {
            status(204)
        }
    })
    .await;
    let client = reqwest::Client::new();
    let mut attempt = 0;
    let events = EventSource::from_fn(move || {
        attempt += 1;
        client
            .get(format!("http://{address}/"))
            .header("authorization", format!("token {attempt}"))
    })
    .reconnect(quick());
    let items = run(events, 20).await;
    assert_eq!(messages(&items).len(), 2);
    let tokens: Vec<Option<String>> = log
        .lock()
        .unwrap()
        .iter()
        .map(|seen| seen.authorization.clone())
        .collect();
    assert_eq!(
        tokens,
        ["token 1", "token 2", "token 3"].map(|t| Some(t.to_owned()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_only_blocks_move_the_last_event_id_and_a_bare_id_clears_it() {
    let (address, log) = serve(|n, _| match n {
        0 => stream_of("retry: 5\nid: 1\ndata: one\n\nid: 2\n\n"),
        1 => stream_of("id: 3\ndata: three\n\nid\n\n"),
        2 => stream_of("id: 4\ndata: four\n\nid: 5\ndata: cut mid-event"),
        _ => status(204),
    })
    .await;
    let items = run(
        EventSource::get(format!("http://{address}/")).reconnect(quick()),
        20,
    )
    .await;
    let data: Vec<&str> = messages(&items).iter().map(|m| m.data()).collect();
    assert_eq!(data, ["one", "three", "four"]);
    let sent: Vec<Option<String>> = log
        .lock()
        .unwrap()
        .iter()
        .map(|seen| seen.last_event_id.clone())
        .collect();
    assert_eq!(
        sent,
        [None, Some("2".to_owned()), None, Some("4".to_owned())],
        "id-only block, cleared id, uncommitted id"
    );
    assert!(items.iter().any(|item| matches!(
        item,
        Ok(ClientEvent::Reconnecting { delay, .. }) if *delay >= Duration::from_millis(5)
    )));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_replaced_but_keep_alives_keep_it() {
    let (address, log) = serve(|n, _| match n {
        // One event, then nothing at all: the idle timeout replaces the connection.
        0 => {
            let first = stream::iter([Ok::<_, std::io::Error>(Bytes::from("id: 1\ndata: a\n\n"))]);
            event_stream(Body::from_stream(first.chain(stream::pending())))
        }
        // Keep-alive comments only, then an event: the connection survives.
        1 => {
            let ticks = stream::iter(0..20).then(|_| async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, std::io::Error>(Bytes::from(":\n\n"))
            });
            let last = stream::iter([Ok(Bytes::from("id: 2\ndata: b\n\n"))]);
            event_stream(Body::from_stream(ticks.chain(last)))
        }
        _ => status(204),
    })
    .await;
    let config = quick().idle_timeout(Some(Duration::from_millis(300)));
    let events = EventSource::get(format!("http://{address}/"))
        .reconnect(config)
        .decoder_config(DecoderConfig::default().comments(true));
    let items = run(events, 100).await;
    let causes: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Ok(ClientEvent::Reconnecting { cause, .. }) => Some(cause.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        causes,
        [
            "nothing arrived within the idle timeout",
            "the server ended the stream"
        ]
    );
    let comments = items
        .iter()
        .filter(|item| matches!(item, Ok(ClientEvent::Comment(_))))
        .count();
    assert_eq!(comments, 20, "comments are reported when asked");
    assert_eq!(
        messages(&items)
            .iter()
            .map(|m| m.data())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(log.lock().unwrap()[1].last_event_id.as_deref(), Some("1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_ends_the_stream_without_an_error() {
    let (address, _log) = serve(|_, _| {
        let body = stream::iter([Ok::<_, std::io::Error>(Bytes::from("data: a\n\n"))]);
        event_stream(Body::from_stream(body.chain(stream::pending())))
    })
    .await;
    let mut events = EventSource::get(format!("http://{address}/"));
    assert!(matches!(events.next().await, Some(Ok(ClientEvent::Open))));
    assert!(matches!(
        events.next().await,
        Some(Ok(ClientEvent::Message(_)))
    ));
    events.close();
    assert!(events.next().await.is_none());
    assert!(events.next().await.is_none(), "stays ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_back_off_then_stop_after_the_attempt_limit() {
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    }; // nobody listens there any more
    let config = quick().max_attempts(Some(3)).jitter(0.0);
    let items = run(
        EventSource::get(format!("http://{address}/")).reconnect(config),
        20,
    )
    .await;
    let delays: Vec<(u32, Duration)> = items
        .iter()
        .filter_map(|item| match item {
            Ok(ClientEvent::Reconnecting {
                attempt,
                delay,
                cause: Disconnect::Transport(_),
            }) => Some((*attempt, *delay)),
            _ => None,
        })
        .collect();
    let ms = Duration::from_millis;
    assert_eq!(delays, [(1, ms(20)), (2, ms(40)), (3, ms(80))]);
    assert_eq!(
        stop_reason(&items),
        &StopReason::TooManyAttempts { attempts: 3 }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_url_stops_at_once() {
    let items = run(EventSource::get("not a url"), 10).await;
    assert!(
        matches!(stop_reason(&items), StopReason::InvalidRequest { .. }),
        "{items:?}"
    );
}

/// The next item, within the test's patience.
async fn next(events: &mut EventSource) -> Option<Result<ClientEvent, StopReason>> {
    tokio::time::timeout(WAIT, events.next())
        .await
        .expect("an item in time")
}

/// The crate's demo app: resume from a persisted id, live events, keep-alive comments, and
/// the farewell `retry` of a graceful shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follows_the_demo_app_resumes_and_honours_its_farewell_retry() {
    let (address, dashboard) = dashboard::start(dashboard::Config {
        keep_alive: Duration::from_millis(100),
        tick: None,
        ..dashboard::Config::default()
    })
    .await;
    let notification = |text: &str| {
        Event::new()
            .event(EventType::try_from("notification").unwrap())
            .data(text.to_owned())
    };
    let mut ids = Vec::new();
    for text in ["a", "b", "c"] {
        let id = dashboard
            .publish(dashboard::Audience::Everyone, notification(text))
            .await
            .unwrap();
        ids.push(id.as_str().to_owned());
    }
    let mut events = EventSource::get(format!("http://{address}/events"))
        .reconnect(quick())
        .decoder_config(DecoderConfig::default().comments(true))
        .last_event_id(EventId::try_from(ids[0].as_str()).unwrap());
    assert!(matches!(
        next(&mut events).await,
        Some(Ok(ClientEvent::Open))
    ));
    let mut received = Vec::new();
    while received.len() < 3 {
        match next(&mut events).await {
            Some(Ok(ClientEvent::Message(message))) => {
                received.push((
                    message.data().to_owned(),
                    message.last_event_id().to_owned(),
                ));
                if received.len() == 2 {
                    let id = dashboard
                        .publish(dashboard::Audience::Everyone, notification("d"))
                        .await
                        .unwrap();
                    ids.push(id.as_str().to_owned());
                }
            }
            Some(Ok(ClientEvent::Comment(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let pairs = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(d, i)| (d.to_string(), i.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        received,
        pairs(&[("b", &ids[1]), ("c", &ids[2]), ("d", &ids[3])])
    );
    // Quiet now: the demo's keep-alive comment arrives.
    assert!(matches!(
        next(&mut events).await,
        Some(Ok(ClientEvent::Comment(_)))
    ));
    dashboard.shutdown();
    loop {
        match next(&mut events).await {
            Some(Ok(ClientEvent::Comment(_))) => {}
            Some(Ok(ClientEvent::Reconnecting { delay, cause, .. })) => {
                assert!(matches!(cause, Disconnect::Ended), "{cause}");
                assert!(
                    delay >= Duration::from_secs(5),
                    "the farewell retry: {delay:?}"
                );
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(events.current_last_event_id(), ids[3]);
    events.close();
    assert!(events.next().await.is_none());
}

/// Kills the child process when the test ends, passed or failed.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A real sse-starlette server (CRLF line endings, comments, `retry`, ids): the client sees
/// the events its server meant, takes its `retry`, and resumes with its last id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs python3 with sse-starlette and uvicorn: run by scripts/test-all"]
async fn follows_a_real_sse_starlette_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/starlette_app.py");
    let _server = Killed(
        std::process::Command::new("python3")
            .arg(app)
            .arg(port.to_string())
            .spawn()
            .expect("python3 must be installed (scripts/test-all installs sse-starlette)"),
    );
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let expected: serde_json::Value = loop {
        match reqwest::get(format!("{base}/expected")).await {
            Ok(response) => break response.json().await.unwrap(),
            Err(_) if started.elapsed() < WAIT => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(error) => panic!("sse-starlette did not start: {error}"),
        }
    };
    let expected_events = expected["events"].as_array().unwrap();
    let mut events = EventSource::get(format!("{base}/events")).reconnect(quick());
    let mut received = Vec::new();
    let mut opened = 0;
    // The whole stream, then its start again after the reconnect.
    while received.len() < expected_events.len() + 1 {
        match next(&mut events).await {
            Some(Ok(ClientEvent::Message(message))) => received.push(serde_json::json!({
                "type": message.event_type(),
                "data": message.data(),
                "id": message.last_event_id(),
            })),
            Some(Ok(ClientEvent::Open)) => opened += 1,
            Some(Ok(ClientEvent::Reconnecting { cause, delay, .. })) => {
                assert!(matches!(cause, Disconnect::Ended), "{cause}");
                assert!(delay >= Duration::from_millis(1500), "its retry: {delay:?}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(&received[..expected_events.len()], &expected_events[..]);
    assert_eq!(opened, 2);
    assert_eq!(
        events.reconnect_policy().server_retry(),
        Some(Duration::from_millis(1500))
    );
    // sse-starlette ignores Last-Event-ID and starts over; the id in force carries over
    // until its first id field.
    assert_eq!(received[expected_events.len()]["data"], "plain");
    assert_eq!(
        received[expected_events.len()]["id"],
        expected["last_event_id"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_over_a_decoder_limit_is_skipped_and_the_stream_goes_on() {
    let (address, _log) = serve(|n, _| match n {
        0 => stream_of(
            "data: ok\n\ndata: this line is far too long for the limit\n\ndata: still ok\n\n",
        ),
        _ => status(204),
    })
    .await;
    let events = EventSource::get(format!("http://{address}/"))
        .reconnect(quick())
        .decoder_config(DecoderConfig::default().max_line_len(16));
    let items = run(events, 20).await;
    let data: Vec<&str> = messages(&items).iter().map(|m| m.data()).collect();
    assert_eq!(data, ["ok", "still ok"]);
    assert_eq!(
        items
            .iter()
            .filter(|item| matches!(
                item,
                Ok(ClientEvent::Skipped(sse_wire::DecodeError::LineTooLong {
                    limit: 16,
                    ..
                }))
            ))
            .count(),
        1
    );
}

#[test]
fn the_client_can_move_between_tasks() {
    fn send_unpin<T: Send + Unpin + 'static>() {}
    send_unpin::<EventSource>();
    send_unpin::<ClientEvent>();
    send_unpin::<StopReason>();
    fn error<E: std::error::Error + Send + Sync + 'static>() {}
    error::<StopReason>();
    error::<Disconnect>();
}
