//! The fan-out app on sse-wire's `Hub`, under the same axum as the broadcast server.
//!
//! `POST /publish` (body: the event data) publishes to everyone; the hub gives the event its
//! id, encodes it once, and keeps it in its bounded history. `GET /events` streams from the
//! client's `Last-Event-ID` (replay, then live; or the resync signal when the id is too old
//! or from another process), a keep-alive comment every 15 s. A subscriber that falls a
//! whole history (1024 events) behind gets the resync signal and its stream ends.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sse_wire::hub::{Hub, HubConfig, HubError, Target};
use sse_wire::stream::KeepAlive;
use sse_wire::Event;
use std::time::Duration;

/// The app's routes, on an in-memory hub, or on Redis Streams at `redis` (a `redis://` URL).
pub async fn router(redis: Option<String>) -> std::io::Result<Router> {
    let hub = match redis {
        None => Hub::new(HubConfig::default()),
        Some(url) => redis_hub(&url).await?,
    };
    Ok(Router::new()
        .route("/events", get(events))
        .route("/publish", post(publish))
        .with_state(hub))
}

#[cfg(feature = "redis")]
async fn redis_hub(url: &str) -> std::io::Result<Hub> {
    Hub::redis(url, "loadtest:events", HubConfig::default())
        .await
        .map_err(std::io::Error::other)
}

#[cfg(not(feature = "redis"))]
async fn redis_hub(_url: &str) -> std::io::Result<Hub> {
    Err(std::io::Error::other(
        "the Redis backend needs the `redis` feature: --features tokio,redis",
    ))
}

async fn publish(State(hub): State<Hub>, data: String) -> Result<StatusCode, Failed> {
    hub.publish(Target::Everyone, Event::new().data(data))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn events(State(hub): State<Hub>, headers: HeaderMap) -> Result<Response, Failed> {
    let last_event_id = headers
        .get(sse_wire::http::LAST_EVENT_ID)
        .and_then(|id| id.to_str().ok());
    let subscription = hub.subscribe(&[], last_event_id).await?;
    let body = KeepAlive::tokio(subscription, Duration::from_secs(15));
    let mut response = Body::from_stream(body).into_response();
    for (name, value) in sse_wire::http::RESPONSE_HEADERS {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    Ok(response)
}

/// A hub error (Redis unreachable) answered as 503.
struct Failed(HubError);

impl From<HubError> for Failed {
    fn from(error: HubError) -> Self {
        Failed(error)
    }
}

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        (StatusCode::SERVICE_UNAVAILABLE, self.0.to_string()).into_response()
    }
}
