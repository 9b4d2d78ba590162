//! Checking a response before reading it as an event stream.

use crate::error::ResponseError;
use alloc::string::String;

/// Whether a `Content-Type` value names an event stream: `text/event-stream`, in any case,
/// with or without parameters (`text/event-stream; charset=utf-8`).
///
/// # Examples
/// ```
/// use sse_wire::is_event_stream;
///
/// assert!(is_event_stream(b"text/event-stream"));
/// assert!(is_event_stream(b"Text/Event-Stream; charset=utf-8"));
/// assert!(!is_event_stream(b"text/event-streams"));
/// assert!(!is_event_stream(b"application/json"));
/// ```
pub fn is_event_stream(content_type: &[u8]) -> bool {
    let essence = content_type
        .split(|&byte| byte == b';')
        .next()
        .unwrap_or_default();
    essence
        .trim_ascii()
        .eq_ignore_ascii_case(crate::http::CONTENT_TYPE.as_bytes())
}

/// Checks a response's status and `Content-Type` the way a browser's `EventSource` does:
/// `200` with `text/event-stream` may be read; `204 No Content` means "stop, do not
/// reconnect"; anything else fails the connection.
///
/// # Errors
/// [`ResponseError`] says which rule the response broke.
///
/// # Examples
/// ```
/// use sse_wire::{check_response, ResponseError};
///
/// assert_eq!(check_response(200, Some(b"text/event-stream")), Ok(()));
/// assert_eq!(check_response(204, None), Err(ResponseError::NoContent));
/// assert_eq!(check_response(503, Some(b"text/html")), Err(ResponseError::Status { status: 503 }));
/// assert!(check_response(200, Some(b"application/json")).is_err());
/// ```
pub fn check_response(status: u16, content_type: Option<&[u8]>) -> Result<(), ResponseError> {
    match status {
        200 => {}
        204 => return Err(ResponseError::NoContent),
        status => return Err(ResponseError::Status { status }),
    }
    match content_type {
        None => Err(ResponseError::MissingContentType),
        Some(value) if is_event_stream(value) => Ok(()),
        Some(value) => Err(ResponseError::ContentType {
            content_type: String::from_utf8_lossy(value).into_owned(),
        }),
    }
}

/// [`check_response`] for an `http::Response` (hyper's, and most clients' built on `http`).
///
/// # Errors
/// [`ResponseError`] says which rule the response broke.
///
/// # Examples
/// ```
/// let response = http::Response::builder()
///     .header("content-type", "text/event-stream")
///     .body(())
///     .unwrap();
/// assert!(sse_wire::check_http_response(&response).is_ok());
/// ```
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub fn check_http_response<B>(response: &::http::Response<B>) -> Result<(), ResponseError> {
    check_http_headers(response.status(), response.headers())
}

/// [`check_response`] for a status and a header map: what clients that do not hand out an
/// `http::Response` expose (reqwest's `Response::status()` and `headers()`).
///
/// # Errors
/// [`ResponseError`] says which rule the response broke.
///
/// # Examples
/// ```
/// use http::{header, HeaderMap, HeaderValue, StatusCode};
/// use sse_wire::{check_http_headers, ResponseError};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream; charset=utf-8"));
/// assert_eq!(check_http_headers(StatusCode::OK, &headers), Ok(()));
/// assert_eq!(
///     check_http_headers(StatusCode::NO_CONTENT, &headers),
///     Err(ResponseError::NoContent)
/// );
/// ```
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub fn check_http_headers(
    status: ::http::StatusCode,
    headers: &::http::HeaderMap,
) -> Result<(), ResponseError> {
    let content_type = headers.get(::http::header::CONTENT_TYPE);
    check_response(
        status.as_u16(),
        content_type.map(::http::HeaderValue::as_bytes),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn parameters_and_case_do_not_matter() {
        assert!(is_event_stream(b" TEXT/EVENT-STREAM ;charset=UTF-8"));
        assert!(!is_event_stream(b""));
        assert!(!is_event_stream(b"text/plain; x=text/event-stream"));
    }

    #[test]
    fn errors_name_what_was_received() {
        let error = check_response(200, Some(b"text/html; charset=utf-8")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "response content type is \"text/html; charset=utf-8\", expected text/event-stream"
        );
        assert_eq!(
            check_response(200, None),
            Err(ResponseError::MissingContentType)
        );
        assert_eq!(
            check_response(404, None).unwrap_err().to_string(),
            "server answered status 404, not 200"
        );
    }

    #[test]
    fn status_is_checked_before_the_content_type() {
        assert_eq!(
            check_response(204, Some(b"text/event-stream")),
            Err(ResponseError::NoContent)
        );
        assert_eq!(
            check_response(301, Some(b"text/event-stream")),
            Err(ResponseError::Status { status: 301 })
        );
        assert_eq!(
            check_response(500, None),
            Err(ResponseError::Status { status: 500 })
        );
        assert_eq!(
            check_response(204, None).unwrap_err().to_string(),
            "server answered 204 No Content: the stream is over, do not reconnect"
        );
    }

    #[test]
    fn non_utf8_content_types_are_reported_lossily() {
        assert_eq!(
            check_response(200, Some(b"text/\xffhtml")),
            Err(ResponseError::ContentType {
                content_type: "text/\u{fffd}html".into()
            })
        );
    }

    #[cfg(feature = "http")]
    #[test]
    fn http_types_are_checked_the_same_way() {
        let response = |status: u16, content_type: Option<&'static str>| {
            let mut builder = ::http::Response::builder().status(status);
            if let Some(value) = content_type {
                builder = builder.header("Content-Type", value);
            }
            builder.body(()).unwrap()
        };
        let cases = [
            (200, Some("TEXT/EVENT-STREAM;charset=utf-8"), Ok(())),
            (200, None, Err(ResponseError::MissingContentType)),
            (
                204,
                Some("text/event-stream"),
                Err(ResponseError::NoContent),
            ),
            (
                404,
                Some("text/event-stream"),
                Err(ResponseError::Status { status: 404 }),
            ),
        ];
        for (status, content_type, expected) in cases {
            let response = response(status, content_type);
            assert_eq!(check_http_response(&response), expected);
            assert_eq!(
                check_http_headers(response.status(), response.headers()),
                expected
            );
        }
    }
}
