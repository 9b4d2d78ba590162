//! The fan-out app on sse-wire's `Hub` and `Sse` response, under the same axum as the
//! broadcast server.
//!
//! `POST /publish` (body: the event data) publishes to everyone; the hub gives the event its
//! id, encodes it once, and keeps it in its bounded history. `GET /events` streams from the
//! client's `Last-Event-ID` (replay, then live; or the resync signal when the id is too old
//! or from another process), a keep-alive comment every 15 s. A subscriber that falls a
//! whole history (1024 events) behind gets the resync signal and its stream ends. A hub
//! error (Redis out of reach) is answered 503.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use sse_wire::axum::LastEventId;
use sse_wire::hub::{Hub, HubConfig, HubError, Target};
use sse_wire::{Event, Sse};
use std::time::Duration;

/// The app's routes, on an in-memory hub, or on Redis Streams at `redis` (a `redis://` URL).
pub async fn router(redis: Option<String>) -> std::io::Result<Router> {
    let hub = match redis {
        None => Hub::new(HubConfig::default()),
        Some(url) => Hub::redis(&url, "loadtest:events", HubConfig::default())
            .await
            .map_err(std::io::Error::other)?,
    };
    Ok(Router::new()
        .route("/events", get(events))
        .route("/publish", post(publish))
        .with_state(hub))
}

async fn publish(State(hub): State<Hub>, data: String) -> Result<StatusCode, HubError> {
    hub.publish(Target::Everyone, Event::new().data(data))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn events(
    State(hub): State<Hub>,
    last_event_id: Option<LastEventId>,
) -> Result<impl IntoResponse, HubError> {
    let last_event_id = last_event_id.as_ref().map(LastEventId::as_str);
    let subscription = hub.subscribe(&[], last_event_id).await?;
    Ok(Sse::new(subscription).keep_alive(Duration::from_secs(15)))
}
