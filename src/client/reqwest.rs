//! reqwest as the client's [`Transport`], and the `EventSource` constructors that use it.

use super::source::EventSource;
use super::transport::{Attempt, ConnectError, Connecting, Connection, Transport};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, IntoUrl, RequestBuilder};

/// Where each attempt's request comes from.
enum Requests {
    /// Cloned for every attempt.
    Template(Box<RequestBuilder>),
    /// Made anew for every attempt (fresh tokens, bodies that cannot be cloned).
    Each(Box<dyn FnMut() -> RequestBuilder + Send>),
}

/// The [`Transport`] over reqwest: one request per attempt, from a template or a closure.
///
/// The attempt's `Accept` and `Last-Event-ID` headers are added to the request. Errors
/// building the request (an invalid URL or header) and a template whose body cannot be
/// cloned are permanent; every other error is retried.
pub struct ReqwestTransport {
    requests: Requests,
}

impl core::fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let requests = match &self.requests {
            Requests::Template(builder) => format!("{builder:?}"),
            Requests::Each(_) => "a closure".to_owned(),
        };
        f.debug_struct("ReqwestTransport")
            .field("requests", &requests)
            .finish()
    }
}

impl ReqwestTransport {
    /// Sends a clone of `request` on every attempt (GET, or POST with a body that can be
    /// cloned: bytes, text, JSON, a form).
    pub fn new(request: RequestBuilder) -> Self {
        Self {
            requests: Requests::Template(Box::new(request)),
        }
    }

    /// Sends what `make` returns, called once per attempt.
    pub fn from_fn(make: impl FnMut() -> RequestBuilder + Send + 'static) -> Self {
        Self {
            requests: Requests::Each(Box::new(make)),
        }
    }
}

impl Transport for ReqwestTransport {
    fn connect(&mut self, attempt: &Attempt) -> Connecting {
        let request = match &mut self.requests {
            Requests::Template(template) => template.try_clone(),
            Requests::Each(make) => Some(make()),
        };
        let headers: Vec<(&'static str, String)> = attempt
            .headers()
            .map(|(name, value)| (name, value.to_owned()))
            .collect();
        Box::pin(async move {
            let Some(mut request) = request else {
                return Err(ConnectError::permanent(
                    "the request body is a stream, which cannot be sent again: \
                     use EventSource::from_fn",
                ));
            };
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let response = request.send().await.map_err(|error| {
                if error.is_builder() {
                    ConnectError::permanent(error)
                } else {
                    ConnectError::new(error)
                }
            })?;
            let status = response.status().as_u16();
            let content_type = response.headers().get(CONTENT_TYPE).cloned();
            let retry_after = response.headers().get(RETRY_AFTER).cloned();
            let mut connection = Connection::new(status, response.bytes_stream());
            if let Some(value) = content_type {
                connection = connection.content_type(value.as_bytes());
            }
            if let Some(value) = retry_after {
                connection = connection.retry_after(value.as_bytes());
            }
            Ok(connection)
        })
    }
}

impl EventSource {
    /// Follows the stream at `url` with a GET from a new [`reqwest::Client`].
    ///
    /// An invalid URL stops the client with
    /// [`StopReason::InvalidRequest`](crate::StopReason::InvalidRequest) on first poll.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use futures::StreamExt;
    /// use sse_wire::client::{ClientEvent, EventSource};
    ///
    /// let mut events = EventSource::get("http://127.0.0.1:3000/events");
    /// while let Some(event) = events.next().await {
    ///     if let ClientEvent::Message(message) = event? {
    ///         println!("{}", message.data());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn get(url: impl IntoUrl) -> Self {
        Self::from_request(Client::new().get(url))
    }

    /// Follows the stream `request` opens, sending a clone of it on every attempt: GET, or
    /// POST with headers and a body, the way LLM APIs stream their answers.
    ///
    /// # Examples
    /// ```no_run
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use futures::StreamExt;
    /// use sse_wire::client::{ClientEvent, EventSource};
    ///
    /// let request = reqwest::Client::new()
    ///     .post("http://127.0.0.1:8000/chat")
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"prompt":"hello"}"#);
    /// let mut answer = EventSource::from_request(request);
    /// while let Some(event) = answer.next().await {
    ///     if let ClientEvent::Message(message) = event? {
    ///         print!("{}", message.data());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_request(request: RequestBuilder) -> Self {
        Self::new(ReqwestTransport::new(request))
    }

    /// Follows the stream of the request `make` builds, called once per attempt (for a fresh
    /// token, or a body that cannot be cloned).
    pub fn from_fn(make: impl FnMut() -> RequestBuilder + Send + 'static) -> Self {
        Self::new(ReqwestTransport::from_fn(make))
    }
}
