//! Scale-out over Redis Streams, shared by `examples/redis_fanout.rs` and its test.
//!
//! Every server instance publishes with `XADD` and follows the stream with blocking `XREAD`;
//! the Redis entry id (`1764000000000-0`) is the SSE event id. A client that reconnects to
//! *any* instance with `Last-Event-ID` gets what it missed from `XRANGE (id +`, then live
//! events, so a load balancer may send it anywhere.

#![allow(dead_code)] // the example and the test each use their own part

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::stream;
use redis::aio::MultiplexedConnection;
use redis::streams::{StreamId, StreamRangeReply, StreamReadOptions, StreamReadReply};
use redis::AsyncCommands;
use serde::Deserialize;
use sse_wire::stream::{EncodeStream, KeepAlive};
use sse_wire::{Event, EventId, EventType};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

/// One server instance's handle on the shared stream.
#[derive(Clone)]
pub struct Hub {
    client: redis::Client,
    key: String,
}

impl Hub {
    pub fn new(redis_url: &str, key: &str) -> redis::RedisResult<Self> {
        Ok(Self {
            client: redis::Client::open(redis_url)?,
            key: key.to_owned(),
        })
    }

    /// Appends an event to the shared stream (`XADD`, capped near 10,000 entries) and returns
    /// its id, which every instance will send as the SSE id.
    pub async fn publish(&self, event_type: &str, data: &str) -> redis::RedisResult<String> {
        let mut connection = self.client.get_multiplexed_async_connection().await?;
        redis::cmd("XADD")
            .arg(&self.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(10_000)
            .arg("*")
            .arg("type")
            .arg(event_type)
            .arg("data")
            .arg(data)
            .query_async(&mut connection)
            .await
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/events", get(events))
            .route("/publish", post(publish))
            .with_state(self.clone())
    }
}

/// A Redis stream entry as an SSE event.
fn to_event(entry: &StreamId) -> Option<Event> {
    let data: String = entry.get("data")?;
    let event_type: String = entry.get("type").unwrap_or_default();
    let mut event = Event::new()
        .id(EventId::try_from(entry.id.as_str()).ok()?)
        .data(data);
    if let Ok(event_type) = EventType::try_from(event_type) {
        event = event.event(event_type);
    }
    Some(event)
}

/// Where a subscriber's stream stands: its own connection (blocking reads tie it up), the
/// id it has sent up to, and entries read but not sent yet.
struct Follower {
    connection: MultiplexedConnection,
    key: String,
    last_id: String,
    pending: VecDeque<Event>,
}

impl Follower {
    async fn next(mut self) -> Option<(Event, Self)> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some((event, self));
            }
            let options = StreamReadOptions::default().block(1000).count(100);
            let reply: Option<StreamReadReply> = self
                .connection
                .xread_options(&[&self.key], &[&self.last_id], &options)
                .await
                .ok()?;
            for entry in reply
                .into_iter()
                .flat_map(|reply| reply.keys)
                .flat_map(|key| key.ids)
            {
                self.last_id = entry.id.clone();
                self.pending.extend(to_event(&entry));
            }
        }
    }
}

async fn events(State(hub): State<Hub>, headers: HeaderMap) -> Response {
    let last_event_id = headers
        .get(sse_wire::http::LAST_EVENT_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let Ok(mut connection) = hub.client.get_multiplexed_async_connection().await else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let mut pending = VecDeque::new();
    let start = match last_event_id {
        // Replay what came after the client's id, exclusive, then follow from the last one.
        Some(last) => match connection
            .xrange::<_, _, _, StreamRangeReply>(&hub.key, format!("({last}"), "+")
            .await
        {
            Ok(missed) => {
                pending.extend(missed.ids.iter().filter_map(to_event));
                missed.ids.last().map_or(last, |entry| entry.id.clone())
            }
            Err(_) => {
                // Not a stream id this hub knows: the client must reload its state.
                pending.push_back(Event::new().event("resync").data("unknown id"));
                newest_id(&mut connection, &hub.key).await
            }
        },
        None => newest_id(&mut connection, &hub.key).await,
    };
    let follower = Follower {
        connection,
        key: hub.key.clone(),
        last_id: start,
        pending,
    };
    let events = stream::unfold(follower, Follower::next);
    let body = KeepAlive::new(
        EncodeStream::new(events),
        Duration::from_secs(15),
        tokio::time::sleep,
    );
    let mut response = Response::new(Body::from_stream(body));
    for (name, value) in sse_wire::http::RESPONSE_HEADERS {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    response
}

/// The id of the newest entry, so a new subscriber starts at "now" without a race.
async fn newest_id(connection: &mut MultiplexedConnection, key: &str) -> String {
    let newest: redis::RedisResult<StreamRangeReply> =
        connection.xrevrange_count(key, "+", "-", 1).await;
    newest
        .ok()
        .and_then(|reply| reply.ids.first().map(|entry| entry.id.clone()))
        .unwrap_or_else(|| "0-0".into())
}

#[derive(Deserialize)]
struct Publish {
    #[serde(rename = "type")]
    event_type: Option<String>,
    data: String,
}

async fn publish(State(hub): State<Hub>, Json(request): Json<Publish>) -> Response {
    match hub
        .publish(
            request.event_type.as_deref().unwrap_or("message"),
            &request.data,
        )
        .await
    {
        Ok(id) => (StatusCode::ACCEPTED, Json(serde_json::json!({ "id": id }))).into_response(),
        Err(error) => (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response(),
    }
}

/// Serves one instance on `listener`.
pub async fn serve(listener: tokio::net::TcpListener, hub: Hub) -> std::io::Result<()> {
    axum::serve(listener, hub.router()).await
}

/// Starts one instance on a free loopback port, for tests.
pub async fn start(hub: Hub) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, hub));
    address
}
