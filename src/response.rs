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

/// [`check_response`] for an `http::Response` (reqwest's, hyper's and most clients').
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
    let content_type = response.headers().get(::http::header::CONTENT_TYPE);
    check_response(
        response.status().as_u16(),
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
}
