//! What an [`EventSource`](super::EventSource) yields: [`ClientEvent`], and why a connection
//! ended ([`Disconnect`]).

use crate::decode::{Comment, Message};
use crate::error::{DecodeError, ResponseError};
use core::time::Duration;
use std::sync::Arc;

/// One thing that happened on an [`EventSource`](super::EventSource).
///
/// Exhaustive: a `match` names every case, no wildcard needed.
#[derive(Debug, Clone)]
pub enum ClientEvent {
    /// A connection is open: the response was `200 text/event-stream`.
    Open,
    /// An event arrived.
    Message(Message),
    /// A comment arrived (only when the decoder reports comments, see
    /// [`EventSource::decoder_config`](super::EventSource::decoder_config)).
    Comment(Comment),
    /// An event broke a decoder limit (or strict UTF-8) and was dropped; the stream goes on.
    Skipped(DecodeError),
    /// The connection ended or could not be made; the client reconnects after `delay`.
    Reconnecting {
        /// Failed attempts in a row, this one included (1 after a drop that followed events).
        attempt: u32,
        /// How long the client waits before connecting again.
        delay: Duration,
        /// Why the connection ended.
        cause: Disconnect,
    },
}

/// Why a connection ended (or never opened) when the client is going to reconnect.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Disconnect {
    /// The server ended the response.
    #[error("the server ended the stream")]
    Ended,
    /// Nothing arrived, not even a keep-alive comment, within the idle timeout.
    #[error("nothing arrived within the idle timeout")]
    IdleTimeout,
    /// Connecting or reading failed (refused, reset, timed out).
    #[error("the connection failed")]
    Transport(#[source] Arc<dyn std::error::Error + Send + Sync>),
    /// The server answered a status retried by
    /// [`retry_server_errors`](crate::ReconnectConfig::retry_server_errors) (5xx, 408, 429).
    #[error(transparent)]
    Response(ResponseError),
}
