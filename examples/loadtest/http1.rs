//! Just enough HTTP/1.1 for the load test, so the client side stays small next to the
//! servers it measures: a GET that opens an event stream, a keep-alive POST that publishes,
//! and the chunked transfer coding the servers answer with.

use bytes::{Buf, Bytes, BytesMut};
use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The largest response head accepted: these servers send a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;

/// The parts of a response head the load test looks at.
#[derive(Debug)]
pub struct Head {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` value, if any.
    pub content_type: Option<String>,
    /// `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// The `Content-Length` value, if any.
    pub content_length: Option<usize>,
}

/// Opens `GET /events` with `Accept: text/event-stream` and `Last-Event-ID` when given, and
/// reads the response head. Returns the socket, the head, and body bytes already read.
pub async fn open_events(
    addr: SocketAddr,
    last_event_id: Option<&str>,
    buf: &mut BytesMut,
) -> io::Result<(TcpStream, Head)> {
    let mut socket = TcpStream::connect(addr).await?;
    let mut request =
        format!("GET /events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
    if let Some(id) = last_event_id {
        request.push_str(&format!("Last-Event-ID: {id}\r\n"));
    }
    request.push_str("\r\n");
    socket.write_all(request.as_bytes()).await?;
    let head = read_head(&mut socket, buf).await?;
    Ok((socket, head))
}

/// Reads a response head into `buf` and parses it; body bytes that came with it stay in `buf`.
pub async fn read_head(socket: &mut TcpStream, buf: &mut BytesMut) -> io::Result<Head> {
    loop {
        if let Some(end) = memchr::memmem::find(buf, b"\r\n\r\n") {
            let head = parse_head(&buf[..end])?;
            buf.advance(end + 4);
            return Ok(head);
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::other("response head longer than 16 KiB"));
        }
        buf.reserve(4096);
        if socket.read_buf(buf).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
}

fn parse_head(head: &[u8]) -> io::Result<Head> {
    let head =
        std::str::from_utf8(head).map_err(|_| io::Error::other("response head not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::other(format!("bad status line {status_line:?}")))?;
    let mut parsed = Head {
        status,
        content_type: None,
        chunked: false,
        content_length: None,
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-type") {
            parsed.content_type = Some(value.to_owned());
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            parsed.chunked = value.to_ascii_lowercase().contains("chunked");
        } else if name.eq_ignore_ascii_case("content-length") {
            parsed.content_length = value.parse().ok();
        }
    }
    Ok(parsed)
}

/// Undoes the chunked transfer coding: body bytes in, the payload out as `Bytes` slices
/// (no copy), whatever the network split.
#[derive(Debug, Default)]
pub struct Dechunk {
    state: ChunkState,
}

#[derive(Debug, Default)]
enum ChunkState {
    /// Waiting for a `SIZE[;ext]\r\n` line.
    #[default]
    Size,
    /// Inside a chunk, with this many payload bytes to go.
    Data(usize),
    /// After a chunk's payload, waiting for its `\r\n`.
    DataEnd,
    /// The last chunk (size 0) was read.
    Done,
}

impl Dechunk {
    /// The next payload slice from `buf`, `Ok(None)` when more bytes are needed or the body
    /// ended (see [`Dechunk::is_done`]).
    pub fn next(&mut self, buf: &mut BytesMut) -> io::Result<Option<Bytes>> {
        loop {
            match self.state {
                ChunkState::Size => {
                    let Some(end) = memchr::memmem::find(buf, b"\r\n") else {
                        return Ok(None);
                    };
                    let line = &buf[..end];
                    let digits = line.split(|&byte| byte == b';').next().unwrap_or_default();
                    let size = std::str::from_utf8(digits)
                        .ok()
                        .and_then(|digits| usize::from_str_radix(digits.trim(), 16).ok())
                        .ok_or_else(|| io::Error::other("bad chunk size line"))?;
                    buf.advance(end + 2);
                    self.state = if size == 0 {
                        ChunkState::Done
                    } else {
                        ChunkState::Data(size)
                    };
                }
                ChunkState::Data(remaining) => {
                    if buf.is_empty() {
                        return Ok(None);
                    }
                    let take = remaining.min(buf.len());
                    self.state = if take == remaining {
                        ChunkState::DataEnd
                    } else {
                        ChunkState::Data(remaining - take)
                    };
                    return Ok(Some(buf.split_to(take).freeze()));
                }
                ChunkState::DataEnd => {
                    if buf.len() < 2 {
                        return Ok(None);
                    }
                    if &buf[..2] != b"\r\n" {
                        return Err(io::Error::other("chunk not followed by CRLF"));
                    }
                    buf.advance(2);
                    self.state = ChunkState::Size;
                }
                ChunkState::Done => return Ok(None),
            }
        }
    }

    /// Whether the last chunk was read: the body is complete.
    pub fn is_done(&self) -> bool {
        matches!(self.state, ChunkState::Done)
    }
}

/// A keep-alive connection that publishes with `POST /publish`.
pub struct Publisher {
    addr: SocketAddr,
    socket: Option<TcpStream>,
    buf: BytesMut,
}

impl Publisher {
    /// A publisher for the server at `addr`; it connects on first use.
    pub fn new(addr: SocketAddr) -> Self {
        Publisher {
            addr,
            socket: None,
            buf: BytesMut::new(),
        }
    }

    /// Publishes `data` and waits for the server's 2xx answer. On an error the connection is
    /// dropped; the next call opens a new one.
    pub async fn publish(&mut self, data: &str) -> io::Result<()> {
        let result = self.try_publish(data).await;
        if result.is_err() {
            self.socket = None;
            self.buf.clear();
        }
        result
    }

    async fn try_publish(&mut self, data: &str) -> io::Result<()> {
        if self.socket.is_none() {
            let socket = TcpStream::connect(self.addr).await?;
            socket.set_nodelay(true)?;
            self.socket = Some(socket);
        }
        let socket = self.socket.as_mut().expect("connected above");
        let request = format!(
            "POST /publish HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain\r\n\
             Content-Length: {}\r\n\r\n{data}",
            self.addr,
            data.len()
        );
        socket.write_all(request.as_bytes()).await?;
        let head = read_head(socket, &mut self.buf).await?;
        // Skip the answer's body, if it has one, so the next answer starts clean.
        let mut body = head.content_length.unwrap_or(0);
        while body > 0 {
            if self.buf.is_empty() && socket.read_buf(&mut self.buf).await? == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let take = body.min(self.buf.len());
            self.buf.advance(take);
            body -= take;
        }
        if !(200..300).contains(&head.status) {
            return Err(io::Error::other(format!(
                "publish answered {}",
                head.status
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    // Paths in full: the harness-less test binary that includes this file builds this module
    // without its `#[test]` functions, where a `use` would be unused.

    #[test]
    fn dechunks_at_every_split() {
        let body = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        for split in 0..=body.len() {
            let mut dechunk = super::Dechunk::default();
            let mut buf = bytes::BytesMut::from(&body[..split]);
            let mut out = Vec::new();
            while let Some(part) = dechunk.next(&mut buf).unwrap() {
                out.extend_from_slice(&part);
            }
            buf.extend_from_slice(&body[split..]);
            while let Some(part) = dechunk.next(&mut buf).unwrap() {
                out.extend_from_slice(&part);
            }
            assert_eq!(out, b"hello, world", "split at {split}");
            assert!(dechunk.is_done(), "split at {split}");
        }
    }

    #[test]
    fn rejects_a_bad_size_line() {
        let mut buf = bytes::BytesMut::from(&b"zz\r\n"[..]);
        assert!(super::Dechunk::default().next(&mut buf).is_err());
    }
}
