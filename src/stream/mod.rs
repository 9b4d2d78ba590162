//! `futures_core::Stream` adapters, runtime-free.
//!
//! Server side, chained over a source of events:
//! [`EncodeStream`] (events to `Bytes`, ready events joined), [`KeepAlive`] (a comment on a
//! quiet stream, timer supplied by the caller) and [`Shutdown`] (end on a signal, optionally
//! after a last event). Client side: [`DecodeStream`] (body chunks to events) and
//! [`FrameStream`] (events and comments).
//!
//! # Examples
//! ```
//! use futures::{executor::block_on, future, stream, StreamExt};
//! use sse_wire::{stream::{EncodeStream, KeepAlive, Shutdown}, Event};
//! use std::time::Duration;
//!
//! let events = stream::iter([Event::new().data("a"), Event::new().data("b")]);
//! let body = EncodeStream::new(events);
//! let body = KeepAlive::new(body, Duration::from_secs(15), |_| future::pending::<()>());
//! let body = Shutdown::new(body, future::pending::<()>());
//! let chunks: Vec<_> = block_on(body.map(Result::unwrap).collect());
//! assert_eq!(chunks.concat(), b"data: a\n\ndata: b\n\n");
//! ```

/// The accessors every adapter has: `get_ref`, `get_mut`, `get_pin_mut` for the wrapped
/// stream named by `$field` (of type `$inner`), inside the adapter's `impl` block.
macro_rules! wrapped_stream_accessors {
    ($field:ident: $inner:ident) => {
        /// The wrapped stream.
        pub fn get_ref(&self) -> &$inner {
            &self.$field
        }

        /// The wrapped stream, mutably.
        pub fn get_mut(&mut self) -> &mut $inner {
            &mut self.$field
        }

        /// The wrapped stream, pinned.
        pub fn get_pin_mut(self: Pin<&mut Self>) -> Pin<&mut $inner> {
            self.project().$field
        }
    };
}

#[cfg(feature = "std")]
mod channel;
mod decode;
mod encode;
mod keep_alive;
pub(crate) mod quiet;
mod shutdown;

#[cfg(feature = "std")]
pub use channel::{channel, Closed, Receiver, Sender};
pub use decode::{DecodeStream, FrameStream};
pub use encode::{EncodeStream, IntoOutgoing, Outgoing, DEFAULT_COALESCE};
pub use keep_alive::KeepAlive;
pub use shutdown::Shutdown;

#[cfg(test)]
pub(crate) mod test_support;
