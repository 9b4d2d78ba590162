//! Debug-level `tracing` events for servers and clients (feature `tracing`); without the
//! feature every call here compiles to nothing.

/// Emits a `tracing::debug!` event under the `sse_wire` target when the `tracing` feature is
/// on; expands to nothing otherwise (the arguments are not evaluated).
macro_rules! debug {
    ($($arg:tt)*) => {
        #[cfg(feature = "tracing")]
        {
            tracing::debug!(target: "sse_wire", $($arg)*);
        }
    };
}

#[allow(unused_imports)] // only the std-only channel imports it
pub(crate) use debug;

/// What one response body reports: opened, keep-alives, shutdown, and on drop how much it
/// carried. A zero-sized no-op without the feature.
#[derive(Debug)]
pub(crate) struct Trace {
    #[cfg(feature = "tracing")]
    chunks: u64,
    #[cfg(feature = "tracing")]
    bytes: u64,
    #[cfg(feature = "tracing")]
    keep_alives: u64,
}

impl Trace {
    /// A body was made (a connection is about to stream).
    pub(crate) fn opened() -> Self {
        debug!("event stream opened");
        Self {
            #[cfg(feature = "tracing")]
            chunks: 0,
            #[cfg(feature = "tracing")]
            bytes: 0,
            #[cfg(feature = "tracing")]
            keep_alives: 0,
        }
    }

    /// A chunk of events went out.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn sent(&mut self, len: usize) {
        #[cfg(feature = "tracing")]
        {
            self.chunks += 1;
            self.bytes += len as u64;
        }
    }

    /// A keep-alive went out.
    pub(crate) fn keep_alive(&mut self) {
        #[cfg(feature = "tracing")]
        {
            self.keep_alives += 1;
        }
        debug!("event stream idle: keep-alive sent");
    }

    /// The shutdown signal ended the stream.
    pub(crate) fn shutdown(&mut self) {
        debug!("event stream ended by the shutdown signal");
    }
}

#[cfg(feature = "tracing")]
impl Drop for Trace {
    fn drop(&mut self) {
        // The server drops the body when the stream ended or the client went away.
        debug!(
            chunks = self.chunks,
            bytes = self.bytes,
            keep_alives = self.keep_alives,
            "event stream closed"
        );
    }
}
