//! The Server-Sent Events wire format (`text/event-stream`): a zero-copy encoder, a
//! spec-exact, bounded, sans-IO decoder, and a response body that every Rust web framework
//! returns as it is.
//!
//! The core needs no async runtime and does no IO: it turns events into bytes and bytes into
//! events. [`Sse`] carries those bytes as a response (keep-alive, shutdown, coalescing, the
//! right headers), with a small optional layer per framework (axum, actix-web, and hyper or
//! any tower stack through `http-body`). sse-wire is not a server: yours does the IO. For
//! consumers who want the whole loop, the `client` feature adds a reconnecting `EventSource`
//! on tokio timers.
//!
//! # Map
//! - [`Event`]: one event, built with chainable setters; [`EventType`] and [`EventId`] are
//!   validated values, so no caller input can inject a field or an event.
//! - Serving: [`Sse`] (the response body, with headers through `into_http`, axum's
//!   `IntoResponse` or actix's `Responder`), [`stream::channel`] (one listener's bounded
//!   queue: tells a job when its client left or stopped reading), [`History`]
//!   (`Last-Event-ID` replay), `axum::LastEventId` (the extractor).
//! - Encoding: [`Event::encode_into`] (contiguous, one pass, into a buffer you reuse),
//!   [`Event::to_bytes`] (encode once, share with every subscriber),
//!   [`Event::to_buf`] (vectored [`EncodedBuf`] that slices the caller's data without copying).
//! - Decoding: [`Decoder`] (push chunks, pull [`Frame`]s or [`Message`]s, or iterate with
//!   [`Decoder::events`]; limits and options in [`DecoderConfig`]; problems are
//!   [`DecodeError`] items, never the end); `EventReader` over any blocking `std::io::Read`.
//! - [`stream`]: `futures_core::Stream` adapters: [`stream::EncodeStream`] (events or
//!   encoded bytes, see [`stream::Outgoing`]), [`stream::KeepAlive`], [`stream::Shutdown`]
//!   for custom server stacks, [`stream::DecodeStream`] for clients.
//! - `hub` (feature `tokio`): publish once to everyone or to topics, subscribe with
//!   `Last-Event-ID` replay then live events, bounded history, slow-client policy; in
//!   memory, or shared by several server instances through Redis Streams (feature `redis`).
//! - Around the format: [`check_response`] (status and content type), [`Reconnect`] (a
//!   sans-IO reconnection policy), [`http`] (content type, recommended headers,
//!   `Last-Event-ID`).
//! - `client` (feature): `client::EventSource`, a reconnecting `Stream` of client events
//!   driven by [`Reconnect`] over a pluggable `client::Transport` (reqwest provided).
//!
//! # Serve with axum
//! Features `axum` (which brings `tokio` for the keep-alive timer). The handler is one line:
//! ```no_run
//! # #![allow(dead_code)] // the example's server is compiled, not run
//! # #[cfg(feature = "axum")]
//! # mod doc {
//! use axum::{response::IntoResponse, routing::get, Router};
//! use futures::{stream, Stream, StreamExt};
//! use sse_wire::{axum::LastEventId, Event, Sse};
//! use std::time::Duration;
//!
//! async fn events(last: Option<LastEventId>) -> impl IntoResponse {
//!     Sse::new(ticks(last)).keep_alive(Duration::from_secs(15))
//! }
//!
//! /// One named event a second, with ids, resuming after the id a reconnecting client saw.
//! fn ticks(last: Option<LastEventId>) -> impl Stream<Item = Event> + Send {
//!     let after: u64 = last.and_then(|id| id.as_str().parse().ok()).unwrap_or(0);
//!     stream::iter(after + 1..).then(|n| async move {
//!         tokio::time::sleep(Duration::from_secs(1)).await;
//!         Event::new().event("tick").id(n).data(format!("tick {n}"))
//!     })
//! }
//!
//! pub async fn main() -> std::io::Result<()> {
//!     let app = Router::new().route("/events", get(events));
//!     let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//!     axum::serve(listener, app).await
//! }
//! # }
//! ```
//!
//! # Serve with plain hyper (or any tower stack)
//! Features `http-body` and `tokio`. [`Sse`] is an `http_body::Body`; `into_http` adds the
//! status and the headers:
//! ```
//! # #![allow(dead_code)] // the example's service is compiled, not run
//! # #[cfg(all(feature = "http-body", feature = "tokio"))]
//! # mod doc {
//! use futures::stream;
//! use sse_wire::{Event, Sse};
//! use std::{convert::Infallible, time::Duration};
//!
//! pub async fn handle(
//!     _: hyper::Request<hyper::body::Incoming>,
//! ) -> Result<hyper::Response<Sse<stream::Iter<std::vec::IntoIter<Event>>>>, Infallible> {
//!     let events = vec![Event::new().data("hello"), Event::new().event("bye").data("")];
//!     Ok(Sse::new(stream::iter(events)).keep_alive(Duration::from_secs(15)).into_http())
//! }
//! // hyper::server::conn::http1::Builder::new().serve_connection(io, service_fn(handle))
//! # }
//! ```
//!
//! # A job per listener, stopped when the client leaves
//! Default features, any framework. The job sends into a bounded [`stream::channel`]; the
//! server drops the body when the client disconnects, and the job's next `send` fails
//! (or [`Sender::closed`](stream::Sender::closed) completes). A client that stops reading
//! is let go after `max_queued` events instead of holding memory:
//! ```
//! use futures::{executor::block_on, StreamExt};
//! use sse_wire::{stream::channel, Event, SendError, Sse};
//!
//! let (sender, receiver) = channel(64);
//! let job = std::thread::spawn(move || {
//!     for step in 1..=10_u32 {
//!         let progress = Event::new().event("progress").id(step).data(format!("{step}/10"));
//!         if let Err(SendError::Disconnected) = sender.send(progress) {
//!             return "the listener left";
//!         }
//!     }
//!     "done"
//! });
//! assert_eq!(job.join().unwrap(), "done");
//! // Hand `Sse::new(receiver)` to the framework; here it is read directly.
//! let body: Vec<_> = block_on(Sse::new(receiver).map(Result::unwrap).collect());
//! assert!(body.concat().starts_with(b"event: progress\nid: 1\ndata: 1/10\n\n"));
//! ```
//!
//! # Consume: a reconnecting client
//! Feature `reqwest`. `client::EventSource` reconnects like a browser's `EventSource`: it
//! sends the decoder's committed `Last-Event-ID`, waits the server's `retry` with backoff
//! and jitter that only lengthens the wait, and ends with the [`StopReason`] when it stops.
//! ```no_run
//! # #![allow(dead_code)] // the example's client is compiled, not run
//! # #[cfg(feature = "reqwest")]
//! # mod doc {
//! use futures::StreamExt;
//! use sse_wire::client::{ClientEvent, EventSource};
//!
//! pub async fn follow() -> Result<(), sse_wire::StopReason> {
//!     let mut events = EventSource::get("http://127.0.0.1:3000/events");
//!     while let Some(event) = events.next().await {
//!         if let ClientEvent::Message(message) = event? {
//!             println!("{} {}: {}", message.last_event_id(), message.event_type(), message.data());
//!         }
//!     }
//!     Ok(())
//! }
//! # }
//! ```
//! Only the format, over any client's body chunks: [`check_response`] then
//! [`stream::DecodeStream`]; synchronous readers use `EventReader` (any `std::io::Read`).
//!
//! # Encode
//! ```
//! use sse_wire::Event;
//!
//! let event = Event::new()
//!     .event("progress")
//!     .id(3_u32)
//!     .data("step 3 of 10\nfetching");
//! assert_eq!(
//!     event.to_bytes(),
//!     "event: progress\nid: 3\ndata: step 3 of 10\ndata: fetching\n\n"
//! );
//! ```
//!
//! # Decode in chunks
//! ```
//! use bytes::Bytes;
//! use sse_wire::{Decoder, DecoderConfig};
//!
//! // Tight limits for untrusted input; the defaults (16 MiB) accept any legitimate stream.
//! let mut decoder = Decoder::with_config(DecoderConfig::default().max_line_len(64 * 1024));
//! let mut data = Vec::new();
//! for chunk in ["\u{feff}data: a", "\r", "\n\r\nid: 9\ndata: b\n\n"] {
//!     decoder.push_bytes(Bytes::from(chunk)); // zero-copy
//!     while let Some(message) = decoder.next_event() {
//!         data.push(message?.data().to_owned());
//!     }
//! }
//! decoder.finish();
//! assert_eq!(data, ["a", "b"]);
//! assert_eq!(decoder.last_event_id(), "9");
//! # Ok::<(), sse_wire::DecodeError>(())
//! ```
//!
//! # Features
//! - `std` (default): the standard library. Without it the crate is `#![no_std]` with
//!   `alloc`: events, encoder, decoder, the stream adapters, [`Sse`], history and reconnect
//!   still work; the integrations, the hub, the client and [`stream::channel`] need `std`.
//! - `json`: [`Event::json_data`] and `Message::json` with serde_json.
//! - `http`: [`http::typed`], `check_http_response` and `check_http_headers`, with `http`
//!   crate types.
//! - `tokio`: `Sse::keep_alive` and `KeepAlive::tokio`, keep-alive timed by
//!   `tokio::time::sleep`; the `hub` module (publish/subscribe with replay, in memory).
//! - `redis`: `Hub::redis`, the hub on Redis Streams (several instances, resume anywhere).
//! - `http-body`: [`Sse`] as an `http_body::Body`, `Sse::into_http` (hyper, tonic, tower).
//! - `axum` (axum 0.8; implies `http-body`, `tokio`): `IntoResponse` for [`Sse`], the
//!   `LastEventId` and `LastEventIdOrQuery` extractors.
//! - `actix` (actix-web 4; implies `tokio`): `Responder` for [`Sse`].
//! - `tracing`: debug-level events under the `sse_wire` target (stream opened and closed,
//!   keep-alive sent, shutdown, a listener let go and its events dropped, decode errors).
//! - `client`: `client::EventSource`, the reconnecting client loop over any
//!   `client::Transport` (tokio timers).
//! - `reqwest`: reqwest as the client's transport (`EventSource::get`, `from_request`,
//!   `from_fn`).
//!
//! # MSRV
//! Rust 1.81.
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![doc(test(attr(deny(warnings))))]

extern crate alloc;

mod chunks;
#[cfg(feature = "client")]
#[cfg_attr(docsrs, doc(cfg(feature = "client")))]
pub mod client;
mod convert;
mod decode;
mod encode;
mod error;
mod event;
mod field;
mod history;
pub mod http;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod hub;
mod integrations;
/// axum 0.8 integration: `IntoResponse` for [`Sse`] and the `Last-Event-ID` extractors.
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum {
    pub use crate::integrations::axum::{LastEventId, LastEventIdOrQuery};
}
mod reconnect;
mod response;
mod sse;
pub mod stream;
mod text;
mod trace;

pub use convert::{IntoData, IntoEventId, IntoEventType};
#[cfg(feature = "std")]
pub use decode::EventReader;
pub use decode::{
    Comment, DecodedEvents, DecodedFrames, Decoder, DecoderConfig, Frame, Message, DEFAULT_LIMIT,
};
pub use encode::EncodedBuf;
#[cfg(feature = "axum")]
pub use error::LastEventIdRejection;
#[cfg(feature = "std")]
pub use error::SendError;
pub use error::{DecodeError, FieldError, FieldKind, ReplayError, ResponseError, StreamError};
pub use event::Event;
pub use field::{EventId, EventType};
pub use history::{History, Replay};
pub use reconnect::{Decision, Reconnect, ReconnectConfig, StopReason};
#[cfg(feature = "http")]
pub use response::{check_http_headers, check_http_response};
pub use response::{check_response, is_event_stream};
pub use sse::Sse;

/// The README's examples run as doctests (with `--all-features`: they use the integrations).
#[cfg(all(doctest, feature = "axum", feature = "reqwest"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
