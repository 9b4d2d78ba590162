//! [`Message::json`]: the data deserialized with serde_json.

use super::Message;

impl Message {
    /// Deserializes the data as JSON (the usual payload of LLM and dashboard streams).
    /// Borrowing types (`&str` fields) borrow from the message.
    ///
    /// # Errors
    /// serde_json's error when the data is not valid JSON for `T`.
    ///
    /// # Examples
    /// ```
    /// use serde::Deserialize;
    /// use sse_wire::Decoder;
    ///
    /// #[derive(Deserialize)]
    /// struct Delta<'a> {
    ///     token: &'a str,
    ///     index: u32,
    /// }
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.push("data: {\"token\":\"Hel\",\"index\":0}\n\n");
    /// let message = decoder.next_event().unwrap()?;
    /// let delta: Delta = message.json()?;
    /// assert_eq!((delta.token, delta.index), ("Hel", 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    pub fn json<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.data())
    }
}
