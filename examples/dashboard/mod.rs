//! The live notifications and progress dashboard behind `examples/axum_server.rs`, kept in
//! its own module so the tests start the very same app.
//!
//! - `GET /`: the page, using the browser's `EventSource`.
//! - `GET /events[?user=NAME]`: broadcast events, plus NAME's own ones; resumes from
//!   `Last-Event-ID` out of a bounded history, or sends `event: resync` when it cannot.
//! - `GET /tasks/progress?steps=N&interval_ms=MS`: one task's progress, ending with `done`.
//! - `POST /notify` `{"text": "...", "user": "NAME"?}`: publishes a notification.
//!
//! Every event is encoded once and the same `Bytes` goes to every subscriber and into the
//! history.

#![allow(dead_code)] // each example or test uses its own part of the app

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use futures::{stream, Stream, StreamExt};
use serde::Deserialize;
use sse_wire::stream::{EncodeStream, KeepAlive, Shutdown};
use sse_wire::{Event, EventId, EventType, History};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch};

/// What the app can be tuned with (tests shorten the intervals).
#[derive(Debug, Clone)]
pub struct Config {
    /// Silence after which a keep-alive comment goes out.
    pub keep_alive: Duration,
    /// How often a `metrics` event is published; `None` for never.
    pub tick: Option<Duration>,
    /// History bounds, per audience.
    pub history_events: usize,
    pub history_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(15),
            tick: Some(Duration::from_secs(5)),
            history_events: 1000,
            history_bytes: 1 << 20,
        }
    }
}

/// Who an event is for.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    Everyone,
    User(&'a str),
}

/// An encoded event on its way to the subscribers.
#[derive(Debug, Clone)]
struct Published {
    bytes: Bytes,
    user: Option<Arc<str>>,
}

/// Ids and histories: changed together under one lock, so that a subscriber who takes its
/// replay and subscribes to live events under the same lock neither misses nor repeats one.
struct Shared {
    next_id: u64,
    everyone: History,
    users: HashMap<String, History>,
}

struct Inner {
    config: Config,
    shared: Mutex<Shared>,
    sender: broadcast::Sender<Published>,
    subscribers: AtomicUsize,
    shutdown: watch::Sender<bool>,
    started: Instant,
}

/// The app's state; clones share it.
#[derive(Clone)]
pub struct Dashboard(Arc<Inner>);

impl Dashboard {
    pub fn new(config: Config) -> Self {
        let history = History::new(config.history_events, config.history_bytes);
        Self(Arc::new(Inner {
            shared: Mutex::new(Shared {
                next_id: 0,
                everyone: history,
                users: HashMap::new(),
            }),
            sender: broadcast::channel(256).0,
            subscribers: AtomicUsize::new(0),
            shutdown: watch::channel(false).0,
            started: Instant::now(),
            config,
        }))
    }

    /// Gives `event` the next id, records it and sends it to its audience. Returns the id.
    pub fn publish(&self, audience: Audience<'_>, event: Event) -> u64 {
        let mut shared = self.0.shared.lock().unwrap();
        shared.next_id += 1;
        let id = EventId::from(shared.next_id);
        let event = event.id(id.clone());
        let bytes = event.to_bytes();
        let user = match audience {
            Audience::Everyone => {
                shared.everyone.push(id.clone(), bytes.clone());
                for history in shared.users.values_mut() {
                    history.push(id.clone(), bytes.clone());
                }
                None
            }
            Audience::User(name) => {
                self.user_history(&mut shared, name).push(id, bytes.clone());
                Some(Arc::from(name))
            }
        };
        // No subscriber at the moment is fine: the history has it.
        let _ = self.0.sender.send(Published { bytes, user });
        shared.next_id
    }

    /// Streams currently open.
    pub fn subscribers(&self) -> usize {
        self.0.subscribers.load(Ordering::SeqCst)
    }

    /// Ends every event stream (after a farewell `retry`), for a graceful shutdown.
    pub fn shutdown(&self) {
        self.0.shutdown.send_replace(true);
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(|| async { Html(include_str!("page.html")) }))
            .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
            .route("/events", get(events))
            .route("/tasks/progress", get(progress))
            .route("/notify", post(notify))
            .with_state(self.clone())
    }

    /// Publishes a `metrics` event every `tick` until shutdown.
    pub fn spawn_ticker(&self) {
        let Some(tick) = self.0.config.tick else {
            return;
        };
        let dashboard = self.clone();
        let mut shutdown = self.0.shutdown.subscribe();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            loop {
                tokio::select! {
                    _ = interval.tick() => {}
                    _ = shutdown.wait_for(|stop| *stop) => return,
                }
                let metrics = serde_json::json!({
                    "subscribers": dashboard.subscribers(),
                    "uptime_s": dashboard.0.started.elapsed().as_secs(),
                });
                let event = Event::new().event("metrics");
                dashboard.publish(Audience::Everyone, event.data(metrics.to_string()));
            }
        });
    }

    fn user_history<'a>(&self, shared: &'a mut Shared, name: &str) -> &'a mut History {
        let config = &self.0.config;
        shared
            .users
            .entry(name.to_owned())
            .or_insert_with(|| History::new(config.history_events, config.history_bytes))
    }

    /// The encoded events for one client: what it missed (from `Last-Event-ID`), then live.
    fn subscribe(
        &self,
        user: Option<String>,
        last_event_id: Option<String>,
    ) -> impl Stream<Item = Bytes> {
        let mut shared = self.0.shared.lock().unwrap();
        let receiver = self.0.sender.subscribe();
        let replay: Vec<Bytes> = match last_event_id {
            None => Vec::new(),
            Some(last) => {
                let history = match &user {
                    Some(name) => self.user_history(&mut shared, name),
                    None => &mut shared.everyone,
                };
                match history.replay_after(&last) {
                    Ok(missed) => missed.cloned().collect(),
                    // Too old or unknown: tell the page to reload its state instead of
                    // pretending nothing was missed.
                    Err(error) => vec![Event::new()
                        .event("resync")
                        .data(error.to_string())
                        .to_bytes()],
                }
            }
        };
        if let Some(name) = &user {
            self.user_history(&mut shared, name);
        }
        drop(shared);

        let guard = SubscriberGuard::new(self.0.clone());
        let user: Option<Arc<str>> = user.map(Arc::from);
        let live = stream::unfold((receiver, guard), move |(mut receiver, guard)| {
            let user = user.clone();
            async move {
                loop {
                    match receiver.recv().await {
                        Ok(published) if published.user.is_none() || published.user == user => {
                            return Some((published.bytes, (receiver, guard)));
                        }
                        Ok(_) => {}
                        // Too slow to keep up: end the stream; the client reconnects with
                        // Last-Event-ID and catches up from the history.
                        Err(_) => return None,
                    }
                }
            }
        });
        stream::iter(replay).chain(live)
    }

    fn shutdown_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut shutdown = self.0.shutdown.subscribe();
        async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        }
    }
}

/// Counts open streams; dropped with the stream when the client goes away.
struct SubscriberGuard(Arc<Inner>);

impl SubscriberGuard {
    fn new(inner: Arc<Inner>) -> Self {
        inner.subscribers.fetch_add(1, Ordering::SeqCst);
        Self(inner)
    }
}

impl Drop for SubscriberGuard {
    fn drop(&mut self) {
        self.0.subscribers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A `200` event-stream response with the recommended headers.
fn event_stream(body: Body) -> Response {
    let mut response = Response::new(body);
    for (name, value) in sse_wire::http::RESPONSE_HEADERS {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

#[derive(Deserialize)]
struct EventsQuery {
    user: Option<String>,
}

async fn events(
    State(dashboard): State<Dashboard>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Response {
    let last_event_id = headers
        .get(sse_wire::http::LAST_EVENT_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let events = dashboard
        .subscribe(query.user, last_event_id)
        .map(Ok::<_, Infallible>);
    let body = KeepAlive::new(events, dashboard.0.config.keep_alive, tokio::time::sleep);
    let farewell = Event::new().retry(Duration::from_secs(5));
    let body = Shutdown::new(body, dashboard.shutdown_signal()).farewell(&farewell);
    event_stream(Body::from_stream(body))
}

#[derive(Deserialize)]
struct ProgressQuery {
    steps: Option<u32>,
    interval_ms: Option<u64>,
}

async fn progress(
    State(dashboard): State<Dashboard>,
    Query(query): Query<ProgressQuery>,
) -> Response {
    let steps = query.steps.unwrap_or(10).min(1000);
    let interval = Duration::from_millis(query.interval_ms.unwrap_or(300).min(10_000));
    let progress = EventType::from_static("progress");
    let done = EventType::from_static("done");
    let ticks = stream::unfold(1, move |step| {
        let progress = progress.clone();
        async move {
            if step > steps {
                return None;
            }
            tokio::time::sleep(interval).await;
            let json = serde_json::json!({"step": step, "of": steps, "percent": step * 100 / steps.max(1)});
            let event = Event::new().event(progress).id(step).data(json.to_string());
            Some((event, step + 1))
        }
    });
    let finished = Event::new()
        .event(done)
        .data(format!("all {steps} steps finished\nresult: ok"));
    let events = ticks.chain(stream::iter([finished]));
    let body = KeepAlive::new(
        EncodeStream::new(events),
        dashboard.0.config.keep_alive,
        tokio::time::sleep,
    );
    event_stream(Body::from_stream(Shutdown::new(
        body,
        dashboard.shutdown_signal(),
    )))
}

#[derive(Deserialize)]
struct Notification {
    text: String,
    user: Option<String>,
}

async fn notify(
    State(dashboard): State<Dashboard>,
    Json(notification): Json<Notification>,
) -> impl IntoResponse {
    let audience = match &notification.user {
        Some(name) => Audience::User(name),
        None => Audience::Everyone,
    };
    let event = Event::new().event("notification").data(notification.text);
    let id = dashboard.publish(audience, event);
    (StatusCode::ACCEPTED, Json(serde_json::json!({ "id": id })))
}

/// Serves the app on `listener` until [`Dashboard::shutdown`].
pub async fn serve(listener: tokio::net::TcpListener, dashboard: Dashboard) -> std::io::Result<()> {
    dashboard.spawn_ticker();
    let signal = dashboard.shutdown_signal();
    axum::serve(listener, dashboard.router())
        .with_graceful_shutdown(signal)
        .await
}

/// Starts the app on a free loopback port, for tests.
pub async fn start(config: Config) -> (SocketAddr, Dashboard) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let dashboard = Dashboard::new(config);
    tokio::spawn(serve(listener, dashboard.clone()));
    (address, dashboard)
}
