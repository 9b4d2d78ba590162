//! Iterators over what a [`Decoder`] can hand out from the input pushed so far.

use super::{Decoder, Frame, Message};
use crate::error::DecodeError;
use core::iter::FusedIterator;

impl Decoder {
    /// The events complete in the input pushed so far, comments skipped: a `for` loop in
    /// place of `while let Some(..) = decoder.next_event()`.
    ///
    /// The iterator borrows the decoder, so no input can arrive while it runs: once it
    /// returns `None` it keeps returning `None`. Push more input and call this again.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::Decoder;
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.push("data: a\n\n: keep-alive\n\ndata: b\n\ndata: incomplete");
    /// let data: Vec<String> = decoder
    ///     .events()
    ///     .map(|message| message.map(|m| m.data().to_owned()))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(data, ["a", "b"]);
    /// # Ok::<(), sse_wire::DecodeError>(())
    /// ```
    pub fn events(&mut self) -> DecodedEvents<'_> {
        DecodedEvents { decoder: self }
    }

    /// The events and comments complete in the input pushed so far (comments only with
    /// [`DecoderConfig::comments`](crate::DecoderConfig::comments)). See
    /// [`events`](Self::events).
    pub fn frames(&mut self) -> DecodedFrames<'_> {
        DecodedFrames { decoder: self }
    }
}

/// The events a [`Decoder`] holds, from [`Decoder::events`].
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct DecodedEvents<'a> {
    decoder: &'a mut Decoder,
}

impl Iterator for DecodedEvents<'_> {
    type Item = Result<Message, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.decoder.next_event()
    }
}

// The borrow keeps input out, so an exhausted decoder stays exhausted.
impl FusedIterator for DecodedEvents<'_> {}

/// The events and comments a [`Decoder`] holds, from [`Decoder::frames`].
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct DecodedFrames<'a> {
    decoder: &'a mut Decoder,
}

impl Iterator for DecodedFrames<'_> {
    type Item = Result<Frame, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.decoder.next_frame()
    }
}

impl FusedIterator for DecodedFrames<'_> {}

#[cfg(test)]
mod tests {
    use crate::{Decoder, DecoderConfig, Frame};
    use alloc::vec::Vec;

    #[test]
    fn iterators_drain_what_is_complete_and_stay_exhausted() {
        let mut decoder = Decoder::with_config(DecoderConfig::default().comments(true));
        decoder.push(b"data: 1\n\n:c\n\ndata: 2\n\ndata: 3");
        let frames: Vec<Frame> = decoder.frames().map(Result::unwrap).collect();
        assert_eq!(frames.len(), 3);
        assert!(matches!(&frames[1], Frame::Comment(c) if c.text() == "c"));
        let mut events = decoder.events();
        assert!(events.next().is_none());
        assert!(events.next().is_none());
        decoder.push(b"\n\n");
        let last: Vec<_> = decoder.events().map(Result::unwrap).collect();
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].data(), "3");
    }
}
