//! Line ends (CRLF, lone LF, lone CR) for the decoder; the encoder splits as it writes.
//!
//! Line ends are found with `memchr2`, never a byte-at-a-time loop.

/// A line terminator found by [`find_line_break`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineBreak {
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// `\r` followed by a byte other than `\n`.
    Cr,
    /// `\r` as the last byte of the haystack: a line ends here, and a `\n` at the start of
    /// whatever comes next belongs to this same line break.
    CrAtEnd,
}

impl LineBreak {
    /// How many bytes of the haystack the terminator occupies.
    pub(crate) const fn len(self) -> usize {
        match self {
            LineBreak::CrLf => 2,
            LineBreak::Lf | LineBreak::Cr | LineBreak::CrAtEnd => 1,
        }
    }
}

/// Finds the first line break: the index where the line ends and the kind of terminator.
pub(crate) fn find_line_break(haystack: &[u8]) -> Option<(usize, LineBreak)> {
    let end = memchr::memchr2(b'\n', b'\r', haystack)?;
    let kind = match (haystack[end], haystack.get(end + 1)) {
        (b'\n', _) => LineBreak::Lf,
        (_, Some(b'\n')) => LineBreak::CrLf,
        (_, Some(_)) => LineBreak::Cr,
        (_, None) => LineBreak::CrAtEnd,
    };
    Some((end, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_a_trailing_cr_as_undecided() {
        assert_eq!(find_line_break(b"ab\r"), Some((2, LineBreak::CrAtEnd)));
        assert_eq!(find_line_break(b"ab\r\n"), Some((2, LineBreak::CrLf)));
        assert_eq!(find_line_break(b"ab\rc"), Some((2, LineBreak::Cr)));
        assert_eq!(find_line_break(b"abc"), None);
    }
}
