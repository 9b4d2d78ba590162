//! PROVISIONAL until the Hub lands: replaced by the Hub app.
use axum::Router;
pub async fn router(_redis: Option<String>) -> std::io::Result<Router> {
    Err(std::io::Error::other(
        "the sse-wire Hub server is not written yet",
    ))
}
