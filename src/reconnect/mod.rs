//! Client reconnection: when to reconnect, with which `Last-Event-ID`, or when to stop.

mod config;
mod jitter;
mod policy;

pub use config::ReconnectConfig;
pub use policy::{Decision, Reconnect, StopReason};

#[cfg(test)]
mod tests;
