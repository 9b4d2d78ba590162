//! The fan-out app the way axum users write it today: axum's built-in `Sse` over a
//! `tokio::sync::broadcast` channel, each subscriber building its own `Event`.
//!
//! `POST /publish` (body: the event data) sends to every subscriber with a counter id;
//! `GET /events` streams them, a keep-alive comment every 15 s. A subscriber that falls more
//! than the channel's capacity behind has its stream ended (its client reconnects). There is
//! no history: `Last-Event-ID` is not honoured.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::Router;
use futures::Stream;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Events a subscriber may fall behind before its stream ends.
const CAPACITY: usize = 1024;

#[derive(Clone)]
struct App {
    sender: broadcast::Sender<Published>,
    next_id: Arc<AtomicU64>,
}

#[derive(Clone)]
struct Published {
    id: u64,
    data: Arc<str>,
}

/// The app's routes.
pub fn router() -> Router {
    let app = App {
        sender: broadcast::channel(CAPACITY).0,
        next_id: Arc::new(AtomicU64::new(1)),
    };
    Router::new()
        .route("/events", get(events))
        .route("/publish", post(publish))
        .with_state(app)
}

async fn publish(State(app): State<App>, data: String) -> StatusCode {
    let id = app.next_id.fetch_add(1, Ordering::Relaxed);
    // No subscriber is not an error for a broadcast.
    let _ = app.sender.send(Published {
        id,
        data: data.into(),
    });
    StatusCode::NO_CONTENT
}

async fn events(State(app): State<App>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = app.sender.subscribe();
    let events = futures::stream::unfold(receiver, |mut receiver| async move {
        // Lagged or closed: end the stream.
        let published = receiver.recv().await.ok()?;
        let event = Event::default()
            .id(published.id.to_string())
            .data(&*published.data);
        Some((Ok(event), receiver))
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}
