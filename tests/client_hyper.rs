//! The client loop driven by a second, hand-written transport: hyper's low-level HTTP/1
//! client over a tokio `TcpStream`, against a real axum server. What reqwest does for
//! `EventSource::get` any HTTP client can do through `client::Transport`.

#![cfg(feature = "client")]

use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use sse_wire::client::{Attempt, ClientEvent, ConnectError, Connecting, Connection, EventSource};
use sse_wire::{ReconnectConfig, ResponseError, StopReason};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request per attempt on a fresh hyper HTTP/1 connection.
fn hyper_transport(address: SocketAddr) -> impl FnMut(&Attempt) -> Connecting {
    move |attempt: &Attempt| {
        let mut request = hyper::Request::get(format!("http://{address}/events"));
        for (name, value) in attempt.headers() {
            request = request.header(name, value);
        }
        let request = request.body(Empty::<Bytes>::new());
        Box::pin(async move {
            let request = request.map_err(ConnectError::permanent)?;
            let stream = tokio::net::TcpStream::connect(address)
                .await
                .map_err(ConnectError::new)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(ConnectError::new)?;
            tokio::spawn(connection);
            let response = sender
                .send_request(request)
                .await
                .map_err(ConnectError::new)?;
            let status = response.status().as_u16();
            let content_type = response.headers().get("content-type").cloned();
            let mut connection = Connection::new(status, response.into_body().into_data_stream());
            if let Some(value) = content_type {
                connection = connection.content_type(value.as_bytes());
            }
            Ok(connection)
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hyper_transport_drives_the_same_loop() {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let app = Router::new().route(
        "/events",
        get({
            let seen = seen.clone();
            move |headers: HeaderMap| {
                let seen = seen.clone();
                async move {
                    let last = headers
                        .get("last-event-id")
                        .map(|value| value.to_str().unwrap().to_owned());
                    assert_eq!(headers["accept"], "text/event-stream");
                    seen.lock().unwrap().push(last.clone());
                    let body = match last.as_deref() {
                        None => "retry: 5\nid: 1\ndata: one\n\nid: 2\ndata: two\n\n",
                        Some("2") => "id: 3\ndata: three\n\n",
                        Some(_) => return axum::http::StatusCode::NO_CONTENT.into_response(),
                    };
                    Response::builder()
                        .header("content-type", "text/event-stream")
                        .body(axum::body::Body::from(body))
                        .unwrap()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = ReconnectConfig::default().min_delay(Duration::from_millis(1));
    let events = EventSource::new(hyper_transport(address)).reconnect(config);
    let items: Vec<_> = tokio::time::timeout(Duration::from_secs(20), events.collect::<Vec<_>>())
        .await
        .expect("finished in time");
    let data: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Ok(ClientEvent::Message(message)) => Some(message.data().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(data, ["one", "two", "three"]);
    assert!(matches!(
        items.last(),
        Some(Err(StopReason::Response(ResponseError::NoContent)))
    ));
    assert_eq!(
        *seen.lock().unwrap(),
        [None, Some("2".to_owned()), Some("3".to_owned())]
    );
}
