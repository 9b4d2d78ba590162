//! One small file per framework: each adds its trait impls over [`Sse`](crate::Sse) and
//! keeps the core framework-free.

#[cfg(feature = "actix")]
mod actix;
#[cfg(feature = "axum")]
pub(crate) mod axum;
#[cfg(feature = "http-body")]
mod http_body;
