//! [`Target`]: who a published event is for.

use alloc::string::String;

/// Who a published event is for: every subscriber, or the subscribers of one or more topics.
///
/// Strings and slices of strings convert into it, so `hub.publish("news", ..)` and
/// `hub.publish(&["user:ann", "user:bob"], ..)` read naturally; there is no "empty list
/// means everyone": [`Target::Everyone`] is always spelled out.
///
/// # Examples
/// ```
/// use sse_wire::hub::Target;
///
/// assert_eq!(Target::from("news"), Target::Topic("news"));
/// assert_eq!(Target::from(&["a", "b"]), Target::Topics(&["a", "b"]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target<'a> {
    /// Every subscriber of the hub, whatever its topics.
    Everyone,
    /// The subscribers of one topic.
    Topic(&'a str),
    /// The subscribers of any of these topics; one subscribed to several gets the event once.
    Topics(&'a [&'a str]),
}

impl<'a> From<&'a str> for Target<'a> {
    fn from(topic: &'a str) -> Self {
        Target::Topic(topic)
    }
}

impl<'a> From<&'a String> for Target<'a> {
    fn from(topic: &'a String) -> Self {
        Target::Topic(topic)
    }
}

impl<'a> From<&'a [&'a str]> for Target<'a> {
    fn from(topics: &'a [&'a str]) -> Self {
        Target::Topics(topics)
    }
}

impl<'a, const N: usize> From<&'a [&'a str; N]> for Target<'a> {
    fn from(topics: &'a [&'a str; N]) -> Self {
        Target::Topics(topics)
    }
}

impl<'a> Target<'a> {
    /// The topics named, none for [`Target::Everyone`].
    pub(crate) fn topics(&self) -> &[&'a str] {
        match self {
            Target::Everyone => &[],
            Target::Topic(topic) => core::slice::from_ref(topic),
            Target::Topics(topics) => topics,
        }
    }
}
