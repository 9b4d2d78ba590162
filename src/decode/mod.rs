//! The decoder: `text/event-stream` bytes in, in any chunking, events out.
//!
//! - `lines`: chunks to lines (BOM, split CR|LF, line limit);
//! - `decoder`: lines to fields to events (the standard's algorithm);
//! - `block`: the buffers of the event being read;
//! - `message`: what comes out; `config`: limits and options;
//! - `iter`, `read`, `json`, `sent_id`: conveniences over the public API (iterators, a
//!   blocking reader, JSON data, the id an event carried).

mod block;
mod config;
mod decoder;
mod iter;
#[cfg(feature = "json")]
mod json;
mod lines;
mod message;
#[cfg(feature = "std")]
mod read;
mod sent_id;

pub use config::{DecoderConfig, DEFAULT_LIMIT};
pub use decoder::Decoder;
pub use iter::{DecodedEvents, DecodedFrames};
pub use message::{Comment, Frame, Message};
#[cfg(feature = "std")]
pub use read::EventReader;

#[cfg(test)]
mod tests;
