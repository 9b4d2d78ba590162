//! [`EventReader`]: events from any blocking [`std::io::Read`] (a ureq or `std::net`
//! response body, a file, stdin).

use super::{Decoder, Message};
use crate::error::StreamError;
use std::io::{ErrorKind, Read};

/// Bytes read per call to [`Read::read`].
const READ_SIZE: usize = 8 * 1024;

/// Decodes the events of a blocking reader, as an [`Iterator`].
///
/// Each item is an event or an error: a decode error ([`StreamError::Decode`]) drops that
/// event and reading goes on; a read error ([`StreamError::Transport`]) ends the iterator.
/// At the end of input the decoder is finished, so an unterminated last event is discarded
/// as the standard says. Interrupted reads are retried.
///
/// # Examples
/// ```
/// use sse_wire::EventReader;
///
/// let body: &[u8] = b"id: 1\ndata: hello\n\ndata: world\n\n";
/// let mut reader = EventReader::new(body);
/// let data: Vec<String> = reader
///     .by_ref()
///     .map(|item| item.map(|message| message.data().to_owned()))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(data, ["hello", "world"]);
/// assert_eq!(reader.last_event_id(), "1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct EventReader<R> {
    reader: R,
    decoder: Decoder,
    buffer: Vec<u8>,
    done: bool,
}

impl<R: Read> EventReader<R> {
    /// Reads `reader` with a default [`Decoder`].
    pub fn new(reader: R) -> Self {
        Self::with_decoder(reader, Decoder::new())
    }

    /// Reads `reader` with the given decoder (limits, comments, or one kept from an earlier
    /// connection after [`Decoder::reset`]).
    pub fn with_decoder(reader: R, decoder: Decoder) -> Self {
        Self {
            reader,
            decoder,
            buffer: vec![0; READ_SIZE],
            done: false,
        }
    }

    /// The last event id committed so far: what to send as `Last-Event-ID` on reconnect.
    pub fn last_event_id(&self) -> &str {
        self.decoder.last_event_id()
    }

    /// The reconnection time the stream asked for, if any.
    pub fn retry(&self) -> Option<core::time::Duration> {
        self.decoder.retry()
    }

    /// The decoder.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// The reader and the decoder.
    pub fn into_parts(self) -> (R, Decoder) {
        (self.reader, self.decoder)
    }
}

impl<R: Read> Iterator for EventReader<R> {
    type Item = Result<Message, StreamError<std::io::Error>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.decoder.next_event() {
                return Some(item.map_err(StreamError::Decode));
            }
            if self.done {
                return None;
            }
            match self.reader.read(&mut self.buffer) {
                Ok(0) => {
                    self.decoder.finish();
                    self.done = true;
                }
                Ok(read) => self.decoder.push(&self.buffer[..read]),
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => {
                    self.done = true;
                    return Some(Err(StreamError::Transport(error)));
                }
            }
        }
    }
}

impl<R: Read> core::iter::FusedIterator for EventReader<R> {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{self, Cursor};

    /// Hands out its input one byte per read, with an interruption and then a failure.
    struct Trickle {
        input: Cursor<Vec<u8>>,
        calls: u32,
        fail_after: Option<u32>,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls == 3 {
                return Err(ErrorKind::Interrupted.into());
            }
            if self.fail_after.is_some_and(|after| self.calls > after) {
                return Err(io::Error::other("connection reset"));
            }
            let len = buf.len().min(1);
            self.input.read(&mut buf[..len])
        }
    }

    #[test]
    fn reads_in_any_chunking_retries_interrupts_and_discards_an_unterminated_event() {
        let input = b"data: a\r\n\r\nid: 2\ndata: b\n\ndata: never finished".to_vec();
        let reader = Trickle {
            input: Cursor::new(input),
            calls: 0,
            fail_after: None,
        };
        let mut events = EventReader::new(reader);
        let data: Vec<String> = events
            .by_ref()
            .map(|item| item.unwrap().data().to_owned())
            .collect();
        assert_eq!(data, ["a", "b"]);
        assert_eq!(events.last_event_id(), "2");
        assert!(events.next().is_none(), "fused");
    }

    #[test]
    fn a_read_error_ends_the_events_after_what_was_complete() {
        let reader = Trickle {
            input: Cursor::new(b"data: a\n\ndata: b\n\n".to_vec()),
            calls: 0,
            fail_after: Some(12),
        };
        let items: Vec<_> = EventReader::new(reader).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].as_ref().unwrap().data(), "a");
        assert!(
            matches!(&items[1], Err(StreamError::Transport(e)) if e.to_string() == "connection reset")
        );
    }
}
