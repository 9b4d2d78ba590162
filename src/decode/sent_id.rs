//! [`Message::id`]: the id field the event itself carried, as opposed to the last event id
//! in force.

use super::Message;
use crate::field::EventId;

impl Message {
    /// The `id` the server sent with this very event, or `None` when the event had no `id`
    /// field (its [`last_event_id`](Self::last_event_id) is then carried over from an
    /// earlier one). Costs no copy: the id shares the decoder's buffer.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::Decoder;
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.push("id: 7\ndata: first\n\ndata: second\n\n");
    /// let first = decoder.next_event().unwrap()?;
    /// let second = decoder.next_event().unwrap()?;
    /// assert_eq!(first.id().unwrap(), "7");
    /// assert_eq!(second.id(), None);
    /// assert_eq!(second.last_event_id(), "7");
    /// # Ok::<(), sse_wire::DecodeError>(())
    /// ```
    pub fn id(&self) -> Option<EventId> {
        // `to_event` keeps the id exactly when the event carried one; its clones are O(1).
        self.to_event().event_id().cloned()
    }
}
