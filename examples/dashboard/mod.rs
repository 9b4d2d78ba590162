//! The live notifications and progress dashboard behind `examples/axum_server.rs`, kept in
//! its own module so the tests start the very same app. The [`Hub`] does the fan-out,
//! history and resume; this file is only the app.
//!
//! - `GET /`: the page, using the browser's `EventSource`.
//! - `GET /events[?user=NAME]`: what is published to everyone, plus NAME's own events;
//!   resumes from `Last-Event-ID`, or starts with `event: resync` when it cannot.
//! - `GET /tasks/progress?steps=N&interval_ms=MS`: one task's progress, ending with `done`.
//! - `POST /notify` `{"text": "...", "user": "NAME"?}`: publishes a notification.

#![allow(dead_code)] // each example or test uses its own part of the app

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::{stream, Stream};
use serde::Deserialize;
use sse_wire::axum::LastEventId;
use sse_wire::hub::{Hub, HubConfig, HubError, Subscription, Target};
use sse_wire::stream::IntoOutgoing;
use sse_wire::{Event, EventId, EventType, Sse};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// What the app can be tuned with (tests shorten the intervals).
#[derive(Debug, Clone)]
pub struct Config {
    /// Silence after which a keep-alive comment goes out.
    pub keep_alive: Duration,
    /// How often a `metrics` event is published; `None` for never.
    pub tick: Option<Duration>,
    /// Where events go and are kept.
    pub hub: HubConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(15),
            tick: Some(Duration::from_secs(5)),
            hub: HubConfig::default(),
        }
    }
}

/// Who an event is for.
#[derive(Debug, Clone, Copy)]
pub enum Audience<'a> {
    Everyone,
    User(&'a str),
}

/// A user's own topic.
fn user_topic(name: &str) -> String {
    format!("user:{name}")
}

struct Inner {
    config: Config,
    hub: Hub,
    shutdown: watch::Sender<bool>,
    started: Instant,
}

/// The app's state; clones share it.
#[derive(Clone)]
pub struct Dashboard(Arc<Inner>);

impl Dashboard {
    /// The app on an in-memory hub.
    pub fn new(config: Config) -> Self {
        let hub = Hub::new(config.hub.clone());
        Self::with_hub(config, hub)
    }

    /// The app on a hub made elsewhere (the Redis backend, for instance).
    pub fn with_hub(config: Config, hub: Hub) -> Self {
        Self(Arc::new(Inner {
            config,
            hub,
            shutdown: watch::channel(false).0,
            started: Instant::now(),
        }))
    }

    /// Sends `event` to its audience (and into the history); returns its id.
    pub async fn publish(&self, audience: Audience<'_>, event: Event) -> Result<EventId, HubError> {
        match audience {
            Audience::Everyone => self.0.hub.publish(Target::Everyone, event).await,
            Audience::User(name) => self.0.hub.publish(&user_topic(name), event).await,
        }
    }

    /// Streams currently open.
    pub fn subscribers(&self) -> usize {
        self.0.hub.subscriber_count()
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
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            loop {
                tokio::select! {
                    _ = interval.tick() => {}
                    () = dashboard.shutdown_signal() => return,
                }
                let metrics = serde_json::json!({
                    "subscribers": dashboard.subscribers(),
                    "uptime_s": dashboard.0.started.elapsed().as_secs(),
                });
                let event = Event::new().event("metrics").data(metrics.to_string());
                // A failed tick (Redis away) is skipped: the next one carries the same news.
                let _ = dashboard.publish(Audience::Everyone, event).await;
            }
        });
    }

    /// A response streaming `events`, with keep-alive comments, ended by the shutdown.
    fn body<S>(&self, events: S) -> Sse<S>
    where
        S: Stream,
        S::Item: IntoOutgoing,
    {
        Sse::new(events)
            .keep_alive(self.0.config.keep_alive)
            .shutdown(self.shutdown_signal())
    }

    fn shutdown_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut shutdown = self.0.shutdown.subscribe();
        async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        }
    }
}

#[derive(Deserialize)]
struct EventsQuery {
    user: Option<String>,
}

async fn events(
    State(dashboard): State<Dashboard>,
    Query(query): Query<EventsQuery>,
    last_event_id: Option<LastEventId>,
) -> Result<Sse<Subscription>, HubError> {
    let topic = query.user.as_deref().map(user_topic);
    let topics: Vec<&str> = topic.iter().map(String::as_str).collect();
    let last_event_id = last_event_id.as_ref().map(LastEventId::as_str);
    let events = dashboard.0.hub.subscribe(&topics, last_event_id).await?;
    let farewell = Event::new().retry(Duration::from_secs(5));
    Ok(dashboard.body(events).farewell(&farewell))
}

#[derive(Deserialize)]
struct ProgressQuery {
    steps: Option<u32>,
    interval_ms: Option<u64>,
}

async fn progress(
    State(dashboard): State<Dashboard>,
    Query(query): Query<ProgressQuery>,
) -> Sse<impl Stream<Item = Event>> {
    let steps = query.steps.unwrap_or(10).min(1000);
    let interval = Duration::from_millis(query.interval_ms.unwrap_or(300).min(10_000));
    let progress = EventType::from_static("progress");
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
        .event("done")
        .data(format!("all {steps} steps finished\nresult: ok"));
    let events = futures::StreamExt::chain(ticks, stream::iter([finished]));
    dashboard.body(events)
}

#[derive(Deserialize)]
struct Notification {
    text: String,
    user: Option<String>,
}

async fn notify(
    State(dashboard): State<Dashboard>,
    Json(notification): Json<Notification>,
) -> Result<impl IntoResponse, HubError> {
    let audience = match &notification.user {
        Some(name) => Audience::User(name),
        None => Audience::Everyone,
    };
    let event = Event::new().event("notification").data(notification.text);
    let id = dashboard.publish(audience, event).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "id": id.as_str() })),
    ))
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
    let hub = Hub::new(config.hub.clone());
    start_on(config, hub).await
}

/// Starts the app on a free loopback port with `hub`, for tests.
pub async fn start_on(config: Config, hub: Hub) -> (SocketAddr, Dashboard) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let dashboard = Dashboard::with_hub(config, hub);
    tokio::spawn(serve(listener, dashboard.clone()));
    (address, dashboard)
}
