//! The decoder: `text/event-stream` bytes in, in any chunking, events out.
//!
//! - `lines`: chunks to lines (BOM, split CR|LF, line limit);
//! - `decoder`: lines to fields to events (the standard's algorithm);
//! - `block`: the buffers of the event being read;
//! - `message`: what comes out; `config`: limits and options.

mod block;
mod config;
mod decoder;
mod lines;
mod message;

pub use config::{DecoderConfig, DEFAULT_LIMIT};
pub use decoder::Decoder;
pub use message::{Comment, Frame, Message};

#[cfg(test)]
mod tests;
