//! actix-web 4: `Responder` for [`Sse`] (feature `actix`).

use crate::stream::IntoOutgoing;
use crate::Sse;
use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use alloc::boxed::Box;
use futures_core::Stream;

/// Streams the events with status `200`, the [event stream headers](crate::http::RESPONSE_HEADERS)
/// and `Content-Encoding: identity`: actix's `Compress` middleware leaves a response alone
/// when it already names an encoding, and a compressor would hold events back in its buffer.
///
/// actix-web notices a client that went away only when it next writes to the connection:
/// set a [keep-alive](Sse::keep_alive) so a gone client's body (and its event source) is
/// dropped within one interval even on a quiet stream.
///
/// # Examples
/// ```
/// use actix_web::{web, App, Responder};
/// use futures::stream;
/// use sse_wire::{Event, Sse};
/// use std::time::Duration;
///
/// async fn events() -> impl Responder {
///     let ticks = stream::iter([Event::new().data("tick")]);
///     Sse::new(ticks).keep_alive(Duration::from_secs(15))
/// }
/// let _app = App::new().route("/events", web::get().to(events));
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
impl<S> Responder for Sse<S>
where
    S: Stream + 'static,
    S::Item: IntoOutgoing,
    <S::Item as IntoOutgoing>::Error: Into<Box<dyn std::error::Error>> + 'static,
{
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse<BoxBody> {
        let mut response = HttpResponse::Ok();
        for (name, value) in crate::http::RESPONSE_HEADERS {
            response.insert_header((
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            ));
        }
        response.insert_header((
            header::CONTENT_ENCODING,
            HeaderValue::from_static("identity"),
        ));
        response.streaming(self)
    }
}
