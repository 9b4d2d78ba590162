//! axum integration for the hub (features `tokio` and `axum`): a [`HubError`] is a response.

use super::HubError;
use axum_core::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};

impl IntoResponse for HubError {
    /// `503 Service Unavailable` with the error as plain text: whatever failed (Redis out of
    /// reach, an event that was not complete) is on the server's side, and a browser's
    /// `EventSource` that gets a status other than 200 stops instead of hammering the server.
    fn into_response(self) -> Response {
        let mut response = (StatusCode::SERVICE_UNAVAILABLE, self.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}
