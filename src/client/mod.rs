//! A reconnecting event-stream client: [`EventSource`], a `Stream` of [`ClientEvent`]s.
//!
//! The loop is written against [`Transport`], so any HTTP client can drive it; reqwest is
//! provided by the `reqwest` feature. The rules it follows (when to reconnect, with which
//! `Last-Event-ID`, when to stop) are a [`Reconnect`](crate::Reconnect) policy.
//!
//! # Examples
//! ```no_run
//! # #[cfg(feature = "reqwest")]
//! # #[allow(dead_code)]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::StreamExt;
//! use sse_wire::client::{ClientEvent, EventSource};
//!
//! let mut events = EventSource::get("http://127.0.0.1:3000/events");
//! while let Some(event) = events.next().await {
//!     if let ClientEvent::Message(message) = event? {
//!         println!("{}: {}", message.event_type(), message.data());
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod event;
#[cfg(feature = "reqwest")]
mod reqwest;
mod retry_after;
mod source;
mod transport;

pub use event::{ClientEvent, Disconnect};
#[cfg(feature = "reqwest")]
pub use reqwest::ReqwestTransport;
pub use source::EventSource;
pub use transport::{Attempt, Body, BoxError, ConnectError, Connecting, Connection, Transport};
