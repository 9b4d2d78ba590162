//! The Server-Sent Events wire format (`text/event-stream`): a zero-copy encoder and a
//! spec-exact, bounded, sans-IO decoder.
//!
//! sse-wire is not a server, and its core needs no async runtime: it turns events into bytes
//! and bytes into events, and any Rust server (axum, actix, hyper, warp, ...) or client can
//! use it for the format while keeping its own IO. For consumers who want the whole loop, the
//! `client` feature adds a reconnecting `EventSource` on tokio timers.
//!
//! # Map
//! - [`Event`]: one event, built with chainable setters; [`EventType`] and [`EventId`] are
//!   validated values, so no caller input can inject a field or an event.
//! - Encoding: [`Event::encode_into`] (contiguous, one pass, into a buffer you reuse),
//!   [`Event::to_bytes`] (encode once, share with every subscriber),
//!   [`Event::to_buf`] (vectored [`EncodedBuf`] that slices the caller's data without copying).
//! - Decoding: [`Decoder`] (push chunks, pull [`Frame`]s or [`Message`]s, or iterate with
//!   [`Decoder::events`]; limits and options in [`DecoderConfig`]; problems are
//!   [`DecodeError`] items, never the end); `EventReader` over any blocking `std::io::Read`.
//! - [`stream`]: `futures_core::Stream` adapters: [`stream::EncodeStream`],
//!   [`stream::KeepAlive`], [`stream::Shutdown`] for servers, [`stream::DecodeStream`] for
//!   clients.
//! - Around the format: [`check_response`] (status and content type), [`History`]
//!   (`Last-Event-ID` replay), [`Reconnect`] (a sans-IO reconnection policy), [`http`]
//!   (content type, recommended headers, `Last-Event-ID`).
//! - `client` (feature): `client::EventSource`, a reconnecting `Stream` of client events
//!   driven by [`Reconnect`] over a pluggable `client::Transport` (reqwest provided).
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
//!   `alloc`, and everything but the `http`, `json`, `tokio`, `client` and `reqwest` extras
//!   still works.
//! - `json`: [`Event::json_data`] and `Message::json` with serde_json.
//! - `http`: [`http::typed`], `check_http_response` and `check_http_headers`, with `http`
//!   crate types.
//! - `tokio`: `KeepAlive::tokio`, keep-alive timed by `tokio::time::sleep`.
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
mod lines;
mod reconnect;
mod response;
pub mod stream;
mod text;

pub use convert::{IntoData, IntoEventId, IntoEventType};
#[cfg(feature = "std")]
pub use decode::EventReader;
pub use decode::{
    Comment, DecodedEvents, DecodedFrames, Decoder, DecoderConfig, Frame, Message, DEFAULT_LIMIT,
};
pub use encode::EncodedBuf;
pub use error::{DecodeError, FieldError, FieldKind, ReplayError, ResponseError, StreamError};
pub use event::Event;
pub use field::{EventId, EventType};
pub use history::{History, Replay};
pub use reconnect::{Decision, Reconnect, ReconnectConfig, StopReason};
#[cfg(feature = "http")]
pub use response::{check_http_headers, check_http_response};
pub use response::{check_response, is_event_stream};

/// The README's examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
