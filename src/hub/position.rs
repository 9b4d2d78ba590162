//! [`Pos`]: where an entry stands in a hub's total order, written as the event id `MS-SEQ`.
//!
//! The in-memory hub writes `START-N` (the millisecond it started, then a counter), Redis
//! writes its own stream entry ids in the same shape; both sort naturally, so an id from an
//! earlier process is never mistaken for one of this process.

use crate::field::EventId;
use alloc::format;
use core::fmt;

/// A position: two numbers compared in order, like a Redis stream entry id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos {
    pub(crate) ms: u64,
    pub(crate) seq: u64,
}

impl Pos {
    pub(crate) const fn new(ms: u64, seq: u64) -> Self {
        Self { ms, seq }
    }

    /// Reads `MS-SEQ` (ASCII digits only); `None` for anything else.
    pub(crate) fn parse(id: &str) -> Option<Self> {
        let (ms, seq) = id.split_once('-')?;
        Some(Self::new(digits(ms)?, digits(seq)?))
    }

    /// The position as an event id.
    pub(crate) fn to_id(self) -> EventId {
        // Digits and a dash: always a valid id, so the fallback never happens.
        EventId::try_from(format!("{self}")).unwrap_or_default()
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// A number written with ASCII digits only (`u64::from_str` would also take a `+`).
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes_and_nothing_else() {
        let pos = Pos::new(1_764_000_000_000, 17);
        assert_eq!(pos.to_id(), "1764000000000-17");
        assert_eq!(Pos::parse("1764000000000-17"), Some(pos));
        for bad in [
            "",
            "1",
            "1-",
            "-1",
            "+1-2",
            "1-2-3",
            "a-1",
            "99999999999999999999-1",
        ] {
            assert_eq!(Pos::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn orders_by_start_then_counter() {
        assert!(Pos::new(1, 99) < Pos::new(2, 0));
        assert!(Pos::new(2, 9) < Pos::new(2, 10));
    }
}
