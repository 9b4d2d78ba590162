//! `http_body::Body` for [`Sse`], and the complete `http::Response` (feature `http-body`).

use crate::stream::IntoOutgoing;
use crate::Sse;
use bytes::Bytes;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::{FusedStream, Stream};
use http_body::{Body, Frame, SizeHint};

impl<S> Body for Sse<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    type Data = Bytes;
    type Error = <S::Item as IntoOutgoing>::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.poll_next(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        self.is_terminated()
    }

    fn size_hint(&self) -> SizeHint {
        // An event stream has no length: servers send it chunked (HTTP/1.1) or as frames.
        SizeHint::default()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "http-body")))]
impl<S> Sse<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    /// The whole response: status `200`, the [event stream headers](crate::http::RESPONSE_HEADERS)
    /// (`content-type: text/event-stream`, `cache-control: no-cache`,
    /// `x-accel-buffering: no`) and this body. What a hyper service returns (box the body or
    /// name the type), or any tower stack.
    ///
    /// # Examples
    /// ```
    /// use futures::stream;
    /// use sse_wire::{Event, Sse};
    ///
    /// let response = Sse::new(stream::iter([Event::new().data("hi")])).into_http();
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["content-type"], "text/event-stream");
    /// assert_eq!(response.headers()["cache-control"], "no-cache");
    /// assert_eq!(response.headers()["x-accel-buffering"], "no");
    /// ```
    pub fn into_http(self) -> http::Response<Self> {
        let mut response = http::Response::new(self);
        *response.headers_mut() = crate::http::typed::response_headers();
        response
    }
}

#[cfg(test)]
mod tests {
    use crate::{Event, Sse};
    use futures::{executor::block_on, stream};
    use http_body_util::BodyExt;

    #[test]
    fn the_body_carries_data_frames_then_ends() {
        let events = stream::iter([Event::new().data("a"), Event::new().data("b")]);
        let mut body = Sse::new(events).coalesce(0);
        let mut frames = Vec::new();
        while let Some(frame) = block_on(body.frame()) {
            frames.push(frame.unwrap().into_data().unwrap());
        }
        assert_eq!(frames, ["data: a\n\n", "data: b\n\n"]);
        assert!(http_body::Body::is_end_stream(&body));
    }
}
