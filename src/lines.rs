//! Line splitting at CRLF, lone LF and lone CR, shared by the encoder and the decoder.
//!
//! Line ends are found with `memchr2`, never a byte-at-a-time loop.

use core::ops::Range;

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

/// The lines of a complete value, as byte ranges without their terminators.
///
/// Always yields at least one line: `""` is one empty line, and a value ending in a line
/// break yields a final empty line, so that encoding each line as its own field keeps the
/// break.
pub(crate) fn line_ranges(value: &[u8]) -> LineRanges<'_> {
    LineRanges {
        value,
        next: Some(0),
    }
}

/// Iterator returned by [`line_ranges`].
#[derive(Debug, Clone)]
pub(crate) struct LineRanges<'a> {
    value: &'a [u8],
    /// Start of the next line; `None` once the last line was yielded.
    next: Option<usize>,
}

impl Iterator for LineRanges<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        let start = self.next?;
        match find_line_break(&self.value[start..]) {
            Some((len, kind)) => {
                let end = start + len;
                self.next = Some(end + kind.len());
                Some(start..end)
            }
            None => {
                self.next = None;
                Some(start..self.value.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn lines(value: &str) -> Vec<&str> {
        line_ranges(value.as_bytes())
            .map(|range| &value[range])
            .collect()
    }

    #[test]
    fn splits_on_every_kind_of_break() {
        assert_eq!(lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(lines("a\r\rb"), ["a", "", "b"]);
        assert_eq!(lines("a\n\rb"), ["a", "", "b"]);
    }

    #[test]
    fn empty_and_trailing_breaks_yield_empty_lines() {
        assert_eq!(lines(""), [""]);
        assert_eq!(lines("a\n"), ["a", ""]);
        assert_eq!(lines("a\r\n"), ["a", ""]);
        assert_eq!(lines("\r"), ["", ""]);
    }

    #[test]
    fn reports_a_trailing_cr_as_undecided() {
        assert_eq!(find_line_break(b"ab\r"), Some((2, LineBreak::CrAtEnd)));
        assert_eq!(find_line_break(b"ab\r\n"), Some((2, LineBreak::CrLf)));
        assert_eq!(find_line_break(b"ab\rc"), Some((2, LineBreak::Cr)));
        assert_eq!(find_line_break(b"abc"), None);
    }
}
