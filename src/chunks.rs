//! A queue of `Bytes` consumed from the front: the decoder's pending input and the vectored
//! encoder's segments.

use alloc::collections::VecDeque;
use bytes::{Buf, Bytes};

/// Drops `count` bytes from the front of the queue, popping chunks it empties.
pub(crate) fn advance_front(chunks: &mut VecDeque<Bytes>, mut count: usize) {
    while count > 0 {
        let Some(front) = chunks.front_mut() else {
            return;
        };
        if count < front.len() {
            front.advance(count);
            return;
        }
        count -= front.len();
        chunks.pop_front();
    }
}
