//! axum 0.8: `IntoResponse` for [`Sse`] and the `Last-Event-ID` extractors (feature `axum`).

use crate::error::LastEventIdRejection;
use crate::stream::IntoOutgoing;
use crate::Sse;
use alloc::string::String;
use alloc::vec::Vec;
use axum_core::body::Body;
use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use axum_core::BoxError;
use futures_core::Stream;
use http::request::Parts;
use http::StatusCode;

/// Returns the event stream with status `200` and the event stream headers, as
/// [`Sse::into_http`] does.
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S> IntoResponse for Sse<S>
where
    S: Stream + Send + 'static,
    S::Item: IntoOutgoing,
    <S::Item as IntoOutgoing>::Error: Into<BoxError> + Send,
{
    fn into_response(self) -> Response {
        self.into_http().map(Body::new)
    }
}

/// The `Last-Event-ID` a reconnecting client sent: the id of the last event it received, so
/// the handler can replay what it missed (see [`History::replay_after`](crate::History::replay_after)).
///
/// Take it as `Option<LastEventId>`: `None` on a first connection (no header, or an empty
/// one, which browsers never send). Taken bare, a request without it is rejected with
/// `400 Bad Request`; a value that is not UTF-8 is rejected either way.
///
/// # Examples
/// ```
/// use axum::response::IntoResponse;
/// use futures::stream;
/// use sse_wire::{axum::LastEventId, Event, Sse};
///
/// async fn events(last: Option<LastEventId>) -> impl IntoResponse {
///     let resumed_after = last.map_or_else(String::new, |LastEventId(id)| id);
///     Sse::new(stream::iter([Event::new().data(resumed_after)]))
/// }
/// # let _ = axum::Router::<()>::new().route("/events", axum::routing::get(events));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub struct LastEventId(pub String);

impl LastEventId {
    /// The id, borrowed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id from the `Last-Event-ID` header, if present and not empty.
    fn from_header(parts: &Parts) -> Result<Option<Self>, LastEventIdRejection> {
        let Some(value) = parts.headers.get(crate::http::LAST_EVENT_ID) else {
            return Ok(None);
        };
        let id = value.to_str().map_err(|_| LastEventIdRejection::NotUtf8)?;
        Ok((!id.is_empty()).then(|| LastEventId(id.into())))
    }

    /// The id from the `lastEventId` query parameter, if present and not empty.
    fn from_query(parts: &Parts) -> Result<Option<Self>, LastEventIdRejection> {
        let Some(query) = parts.uri.query() else {
            return Ok(None);
        };
        let Some(raw) = query.split('&').find_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name == crate::http::LAST_EVENT_ID_QUERY).then_some(value)
        }) else {
            return Ok(None);
        };
        let id =
            String::from_utf8(percent_decode(raw)).map_err(|_| LastEventIdRejection::NotUtf8)?;
        Ok((!id.is_empty()).then_some(LastEventId(id)))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for LastEventId {
    type Rejection = LastEventIdRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Self::from_header(parts)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LastEventId {
    type Rejection = LastEventIdRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Self::from_header(parts)?.ok_or(LastEventIdRejection::Missing)
    }
}

/// [`LastEventId`], also read from the `lastEventId` query parameter
/// ([`http::LAST_EVENT_ID_QUERY`](crate::http::LAST_EVENT_ID_QUERY)) when the header is
/// absent: for clients that cannot set headers on their first request (a browser's
/// `EventSource` sets `Last-Event-ID` only on its own reconnections; a page resuming after a
/// reload puts the id in the URL, `/events?lastEventId=42`, as EventSource polyfills do).
///
/// Opt-in, because it lets a URL choose the replay point: use it only where that is fine
/// (the replayed events are ones the client may see anyway). The header wins when both are
/// present. Take it as `Option<LastEventIdOrQuery>`.
///
/// # Examples
/// ```
/// use axum::response::IntoResponse;
/// use futures::stream;
/// use sse_wire::{axum::LastEventIdOrQuery, Event, Sse};
///
/// async fn events(last: Option<LastEventIdOrQuery>) -> impl IntoResponse {
///     let after = last.map(|LastEventIdOrQuery(id)| id.0);
///     Sse::new(stream::iter([Event::new().data(after.unwrap_or_default())]))
/// }
/// # let _ = axum::Router::<()>::new().route("/events", axum::routing::get(events));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub struct LastEventIdOrQuery(pub LastEventId);

impl LastEventIdOrQuery {
    /// The id, borrowed.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    fn from_parts(parts: &Parts) -> Result<Option<Self>, LastEventIdRejection> {
        let id = match LastEventId::from_header(parts)? {
            Some(id) => Some(id),
            None => LastEventId::from_query(parts)?,
        };
        Ok(id.map(LastEventIdOrQuery))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for LastEventIdOrQuery {
    type Rejection = LastEventIdRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Self::from_parts(parts)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for LastEventIdOrQuery {
    type Rejection = LastEventIdRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts)?.ok_or(LastEventIdRejection::Missing)
    }
}

/// `400 Bad Request` with the error's message as the body.
impl IntoResponse for LastEventIdRejection {
    fn into_response(self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            alloc::string::ToString::to_string(&self),
        )
            .into_response()
    }
}

/// Decodes `%XX` escapes and `+` (a space in a query string); a malformed escape stays as
/// it is.
fn percent_decode(raw: &str) -> Vec<u8> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let escaped = (byte == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| core::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escaped) {
            (_, Some(decoded)) => {
                out.push(decoded);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (other, None) => {
                out.push(other);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    fn parts(uri: &str, header: Option<&[u8]>) -> Parts {
        let mut request = http::Request::builder().uri(uri);
        if let Some(value) = header {
            request = request.header(
                "Last-Event-ID",
                http::HeaderValue::from_bytes(value).unwrap(),
            );
        }
        request.body(()).unwrap().into_parts().0
    }

    fn header_only(parts: &mut Parts) -> Result<Option<LastEventId>, LastEventIdRejection> {
        block_on(<LastEventId as OptionalFromRequestParts<()>>::from_request_parts(parts, &()))
    }

    fn with_query(parts: &mut Parts) -> Result<Option<String>, LastEventIdRejection> {
        block_on(
            <LastEventIdOrQuery as OptionalFromRequestParts<()>>::from_request_parts(parts, &()),
        )
        .map(|id| id.map(|id| id.as_str().into()))
    }

    #[test]
    fn the_header_is_read_and_an_empty_one_is_none() {
        let id = header_only(&mut parts("/events", Some(b"42"))).unwrap();
        assert_eq!(id, Some(LastEventId("42".into())));
        assert_eq!(header_only(&mut parts("/events", Some(b""))), Ok(None));
        assert_eq!(header_only(&mut parts("/events", None)), Ok(None));
        assert_eq!(
            header_only(&mut parts("/events", Some(b"\xff"))),
            Err(LastEventIdRejection::NotUtf8)
        );
    }

    #[test]
    fn a_bare_extractor_rejects_a_missing_header() {
        let mut request = parts("/events", None);
        let missing = block_on(<LastEventId as FromRequestParts<()>>::from_request_parts(
            &mut request,
            &(),
        ));
        assert_eq!(missing, Err(LastEventIdRejection::Missing));
        let response = LastEventIdRejection::Missing.into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn the_query_is_read_only_by_the_opt_in_type_and_the_header_wins() {
        let uri = "/events?user=ann&lastEventId=1700000000000-7";
        assert_eq!(header_only(&mut parts(uri, None)), Ok(None));
        assert_eq!(
            with_query(&mut parts(uri, None)),
            Ok(Some("1700000000000-7".into()))
        );
        assert_eq!(
            with_query(&mut parts(uri, Some(b"9"))),
            Ok(Some("9".into()))
        );
        assert_eq!(
            with_query(&mut parts("/e?lastEventId=a%20b+c%2", None)),
            Ok(Some("a b c%2".into()))
        );
        assert_eq!(with_query(&mut parts("/e?lastEventId=", None)), Ok(None));
        assert_eq!(with_query(&mut parts("/e?lastEventIdx=1", None)), Ok(None));
        assert_eq!(
            with_query(&mut parts("/e?lastEventId=%FF", None)),
            Err(LastEventIdRejection::NotUtf8)
        );
    }
}
