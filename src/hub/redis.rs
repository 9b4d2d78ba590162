//! The Redis Streams backend: one stream per hub, read by every server instance.
//!
//! Publishing is one `XADD` (bounded with `MAXLEN ~`) of the event encoded without its id,
//! plus the topics it is for. Each instance runs one reader task that follows the stream
//! with blocking `XREAD`s and feeds the entries, with their Redis entry id as the SSE id,
//! into the same in-process rings the in-memory hub uses; so subscriptions work the same,
//! and a client that resumes on another instance finds the same ids. A `Last-Event-ID` older
//! than what this instance has seen is served from `XRANGE`. When the connection drops, the
//! reader reconnects and resumes its `XREAD` from the last entry it read: nothing lost,
//! nothing twice.

use super::position::Pos;
use super::state::{ends_with_empty_line, with_id, Core, Located, Member};
use super::target::Target;
use crate::error::HubError;
use crate::field::EventId;
use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use bytes::Bytes;
use core::time::Duration;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, RedisError, Value};
use std::sync::Mutex;

/// How long one `XREAD` waits for new entries before asking again.
const BLOCK: Duration = Duration::from_secs(5);
/// Entries read per `XREAD`.
const READ_COUNT: usize = 512;
/// Longest wait between two attempts to reach Redis again.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Field names in a stream entry: the encoded event, "for everyone", one per topic.
const EVENT: &str = "e";
const EVERYONE: &str = "all";
const TOPIC: &str = "to";

/// One instance's handle on the shared stream.
pub(crate) struct RedisBackend {
    client: Client,
    address: String,
    key: Arc<str>,
    max_len: usize,
    /// The connection for commands (the reader has its own: blocking reads tie it up).
    connection: Mutex<Option<MultiplexedConnection>>,
    /// Entries after this one reached this instance's rings (or will).
    start: Pos,
}

impl RedisBackend {
    /// Connects, loads the newest `backfill` entries, and starts the reader feeding the core
    /// from there.
    pub(crate) async fn connect(
        url: &str,
        key: &str,
        max_len: usize,
        backfill: usize,
        make_core: impl FnOnce(Pos) -> Arc<Core>,
    ) -> Result<(Arc<Core>, Self), HubError> {
        let client = Client::open(url).map_err(|source| HubError::RedisUrl {
            source: Arc::new(source),
        })?;
        let address = client.get_connection_info().addr().to_string();
        let mut connection = client
            .get_multiplexed_async_connection_with_config(&command_config())
            .await
            .map_err(|source| HubError::Unreachable {
                address: address.clone(),
                source: Arc::new(source),
            })?;
        let last = stream_info(&mut connection, key).await?.last;
        // Load the newest entries into the rings first: after a restart, clients resuming
        // from a recent id are served from memory instead of one XRANGE each.
        let backfill: Value = redis::cmd("XREVRANGE")
            .arg(key)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(backfill.max(1))
            .query_async(&mut connection)
            .await
            .map_err(|source| HubError::Redis {
                command: "XREVRANGE",
                source: Arc::new(source),
            })?;
        let mut backfill: Vec<RawEntry> = entries(backfill).collect();
        backfill.reverse();
        let (start, core) = match backfill.first() {
            Some(oldest) => (oldest.pos, make_core(Pos::default())),
            None => (last, make_core(last)),
        };
        for entry in backfill {
            ingest(&core, &entry);
        }
        let reader = tokio::spawn(read(
            Arc::downgrade(&core),
            client.clone(),
            Arc::from(key),
            core.head().max(last),
        ));
        core.stop_on_drop(reader.abort_handle());
        let backend = Self {
            client,
            address,
            key: Arc::from(key),
            max_len,
            connection: Mutex::new(Some(connection)),
            start,
        };
        Ok((core, backend))
    }

    /// The command connection, reconnecting if the last one failed.
    async fn connection(&self) -> Result<MultiplexedConnection, HubError> {
        let existing = self.lock().clone();
        if let Some(connection) = existing {
            return Ok(connection);
        }
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&command_config())
            .await
            .map_err(|source| HubError::Unreachable {
                address: self.address.clone(),
                source: Arc::new(source),
            })?;
        *self.lock() = Some(connection.clone());
        Ok(connection)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<MultiplexedConnection>> {
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The error for a failed `command`; a broken connection is dropped so the next call
    /// makes a new one.
    fn failed(&self, command: &'static str, source: RedisError) -> HubError {
        if source.is_io_error() || source.is_connection_dropped() || source.is_timeout() {
            *self.lock() = None;
        }
        HubError::Redis {
            command,
            source: Arc::new(source),
        }
    }

    /// `XADD`s an event (encoded without its id) for `target`; `id` is the caller's, if any.
    pub(crate) async fn publish(
        &self,
        target: Target<'_>,
        id: Option<&EventId>,
        encoded: &[u8],
    ) -> Result<EventId, HubError> {
        let mut command = redis::cmd("XADD");
        command
            .arg(&*self.key)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.max_len)
            .arg(id.map_or("*", EventId::as_str))
            .arg(EVENT)
            .arg(encoded);
        match target {
            Target::Everyone => {
                command.arg(EVERYONE).arg("1");
            }
            target => {
                for topic in target.topics() {
                    command.arg(TOPIC).arg(*topic);
                }
            }
        }
        let mut connection = self.connection().await?;
        let id: String = command
            .query_async(&mut connection)
            .await
            .map_err(|error| self.failed("XADD", error))?;
        EventId::try_from(id).map_err(|_| HubError::Reply { command: "XADD" })
    }

    /// Where a subscriber resumes: from this instance's rings when they hold what it missed,
    /// else from `XRANGE` (the entries are returned, to be sent first), else the resync
    /// signal.
    pub(crate) async fn resume(
        &self,
        core: &Core,
        members: &[Member],
        topics: &[&str],
        last_event_id: &str,
    ) -> Result<(Option<Pos>, VecDeque<Bytes>), HubError> {
        let pos = match core.locate(members, last_event_id, self.start, true) {
            Located::After(pos) => return Ok((Some(pos), VecDeque::new())),
            Located::Resync => return Ok((None, VecDeque::new())),
            Located::Elsewhere(pos) => pos,
        };
        let mut connection = self.connection().await?;
        let info = stream_info(&mut connection, &self.key)
            .await
            .inspect_err(|_| *self.lock() = None)?;
        if pos > info.last || info.lost_after(pos) {
            // Not an id of this stream, or entries after it were trimmed or deleted.
            return Ok((None, VecDeque::new()));
        }
        let reply: Value = redis::cmd("XRANGE")
            .arg(&*self.key)
            .arg(format!("({pos}"))
            .arg("+")
            .query_async(&mut connection)
            .await
            .map_err(|error| self.failed("XRANGE", error))?;
        let mut cursor = pos;
        let mut missed = VecDeque::new();
        for entry in entries(reply) {
            cursor = entry.pos;
            if entry.is_for(topics) {
                missed.push_back(entry.bytes());
            }
        }
        Ok((Some(cursor), missed))
    }
}

/// Commands answer quickly; a connection attempt gets two seconds.
fn command_config() -> AsyncConnectionConfig {
    AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(5)))
}

/// The reader's connection waits on blocking reads longer than a command's timeout.
fn reader_config() -> AsyncConnectionConfig {
    AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(BLOCK + Duration::from_secs(5)))
}

/// Follows the stream after `last` into `core` until the hub is gone, reconnecting (with a
/// growing pause, up to [`MAX_BACKOFF`]) whenever Redis cannot be reached.
async fn read(core: Weak<Core>, client: Client, key: Arc<str>, mut last: Pos) {
    let mut pause = Duration::from_millis(50);
    loop {
        let mut connection = match client
            .get_multiplexed_async_connection_with_config(&reader_config())
            .await
        {
            Ok(connection) => connection,
            Err(_) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(MAX_BACKOFF);
                if core.strong_count() == 0 {
                    return;
                }
                continue;
            }
        };
        pause = Duration::from_millis(50);
        loop {
            let reply: Result<Value, RedisError> = redis::cmd("XREAD")
                .arg("COUNT")
                .arg(READ_COUNT)
                .arg("BLOCK")
                .arg(u64::try_from(BLOCK.as_millis()).unwrap_or(u64::MAX))
                .arg("STREAMS")
                .arg(&*key)
                .arg(last.to_string())
                .query_async(&mut connection)
                .await;
            let Some(core) = core.upgrade() else { return };
            let Ok(reply) = reply else { break };
            for entry in xread_entries(reply) {
                last = entry.pos;
                ingest(&core, &entry);
            }
        }
    }
}

/// Delivers an entry read from the stream to this instance's subscribers.
fn ingest(core: &Core, entry: &RawEntry) {
    if entry.foreign {
        return;
    }
    let id = entry.id();
    let bytes = with_id(&entry.encoded, &id);
    if entry.everyone {
        core.ingest(entry.pos, Target::Everyone, &id, bytes);
    } else {
        let topics: Vec<&str> = entry.topics.iter().map(String::as_str).collect();
        core.ingest(entry.pos, Target::Topics(&topics), &id, bytes);
    }
}

/// What `XINFO STREAM` says about where the stream stands.
struct StreamInfo {
    /// The newest id ever given out.
    last: Pos,
    /// The newest id ever deleted with `XDEL` (trimming does not count it).
    max_deleted: Pos,
    /// The oldest entry still there, if any.
    first: Option<Pos>,
}

impl StreamInfo {
    /// Whether entries after `pos` may be gone. Trimming removes the oldest entries, so if
    /// `pos` itself is gone, so may be the ones after it (Redis cannot say how many): a
    /// client whose last event was the very last one trimmed gets a resync it could have
    /// done without, never a silent gap.
    fn lost_after(&self, pos: Pos) -> bool {
        self.max_deleted > pos || self.first.map_or(self.last > pos, |first| first > pos)
    }
}

async fn stream_info(
    connection: &mut MultiplexedConnection,
    key: &str,
) -> Result<StreamInfo, HubError> {
    let reply: Result<Value, RedisError> = redis::cmd("XINFO")
        .arg("STREAM")
        .arg(key)
        .query_async(connection)
        .await;
    let reply = match reply {
        Ok(reply) => reply,
        // No stream yet: nothing given out, nothing deleted.
        Err(error) if error.to_string().contains("no such key") => {
            return Ok(StreamInfo {
                last: Pos::default(),
                max_deleted: Pos::default(),
                first: None,
            })
        }
        Err(source) => {
            return Err(HubError::Redis {
                command: "XINFO",
                source: Arc::new(source),
            })
        }
    };
    let value = |name: &str| {
        pairs(&reply)
            .find(|(field, _)| text(field).as_deref() == Some(name))
            .map(|(_, value)| value)
    };
    let pos = |name: &str| Pos::parse(&text(value(name)?)?);
    let last = pos("last-generated-id").ok_or(HubError::Reply { command: "XINFO" })?;
    // `first-entry` is `[id, [fields]]`, or nil when the stream is empty.
    let first = value("first-entry")
        .and_then(|entry| match entry {
            Value::Array(parts) => parts.first(),
            _ => None,
        })
        .and_then(|id| Pos::parse(&text(id)?));
    Ok(StreamInfo {
        last,
        max_deleted: pos("max-deleted-entry-id").unwrap_or_default(),
        first,
    })
}

/// One stream entry, as read back.
struct RawEntry {
    pos: Pos,
    encoded: Vec<u8>,
    everyone: bool,
    topics: Vec<String>,
    /// Not written by a hub: skipped.
    foreign: bool,
}

impl RawEntry {
    fn id(&self) -> EventId {
        self.pos.to_id()
    }

    fn is_for(&self, topics: &[&str]) -> bool {
        !self.foreign
            && (self.everyone
                || self
                    .topics
                    .iter()
                    .any(|topic| topics.contains(&topic.as_str())))
    }

    /// The event with its entry id as the SSE id.
    fn bytes(&self) -> Bytes {
        with_id(&self.encoded, &self.id())
    }
}

/// The entries of an `XRANGE` reply: `[[id, [field, value, ...]], ...]`.
fn entries(reply: Value) -> impl Iterator<Item = RawEntry> {
    items(reply).into_iter().filter_map(entry)
}

/// The entries of an `XREAD` reply for one key: `[[key, [entries]]]` (or a map), or nil.
fn xread_entries(reply: Value) -> impl Iterator<Item = RawEntry> {
    let streams: Vec<Value> = match reply {
        Value::Map(map) => map.into_iter().map(|(_, entries)| entries).collect(),
        other => items(other)
            .into_iter()
            .filter_map(|stream| items(stream).into_iter().nth(1))
            .collect(),
    };
    streams.into_iter().flat_map(entries)
}

/// One entry; `None` only without a readable id. An entry the hub did not write (another
/// program added to the stream) is kept as [`RawEntry::foreign`], so readers move past it.
fn entry(value: Value) -> Option<RawEntry> {
    let mut parts = items(value).into_iter();
    let pos = Pos::parse(&text(&parts.next()?)?)?;
    let fields = parts.next().unwrap_or(Value::Nil);
    let mut entry = RawEntry {
        pos,
        encoded: Vec::new(),
        everyone: false,
        topics: Vec::new(),
        foreign: false,
    };
    for (field, value) in pairs(&fields) {
        match (text(field).as_deref(), value) {
            (Some(EVENT), value) => match raw(value) {
                Some(encoded) => entry.encoded = encoded,
                None => entry.foreign = true,
            },
            (Some(EVERYONE), _) => entry.everyone = true,
            (Some(TOPIC), value) => match text(value) {
                Some(topic) => entry.topics.push(topic),
                None => entry.foreign = true,
            },
            _ => {}
        }
    }
    // Bytes that do not end an event would run into the next one on the wire.
    entry.foreign |= !ends_with_empty_line(&entry.encoded);
    Some(entry)
}

fn items(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) | Value::Set(items) => items,
        _ => Vec::new(),
    }
}

/// Field-value pairs of a flat array or a map.
fn pairs(value: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    let (flat, map): (&[Value], &[(Value, Value)]) = match value {
        Value::Array(items) => (items, &[]),
        Value::Map(map) => (&[], map),
        _ => (&[], &[]),
    };
    flat.chunks_exact(2)
        .map(|pair| (&pair[0], &pair[1]))
        .chain(map.iter().map(|(field, value)| (field, value)))
}

fn raw(value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::BulkString(bytes) => Some(bytes.clone()),
        Value::SimpleString(text) => Some(text.clone().into_bytes()),
        _ => None,
    }
}

fn text(value: &Value) -> Option<String> {
    String::from_utf8(raw(value)?).ok()
}
