//! Reads a `text/event-stream` from stdin and prints one JSON object per line for each event.
//!
//! ```text
//! curl -N http://127.0.0.1:3000/events | cargo run --example decode -- [--chunk N] [--comments]
//! ```
//!
//! Each event: `{"type":"...","data":"...","id":"..."}`; with `--comments` also
//! `{"comment":"..."}`; after end of input `{"retry":MS_OR_NULL,"last_event_id":"..."}`.
//! Errors (a limit exceeded) go to stderr and decoding continues.

use serde_json::json;
use sse_wire::{Decoder, DecoderConfig, Frame};
use std::io::{Read, Write};

struct Options {
    chunk: usize,
    comments: bool,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        chunk: 8192,
        comments: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--chunk" => {
                let value = args.next().ok_or("--chunk needs a number of bytes")?;
                options.chunk = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("--chunk takes a positive number, not {value:?}"))?;
            }
            "--comments" => options.comments = true,
            other => {
                return Err(format!(
                    "unknown argument {other:?} (use --chunk N, --comments)"
                ))
            }
        }
    }
    Ok(options)
}

fn drain(decoder: &mut Decoder, out: &mut impl Write) -> std::io::Result<()> {
    while let Some(item) = decoder.next_frame() {
        match item {
            Ok(Frame::Event(message)) => writeln!(
                out,
                r#"{{"type":{},"data":{},"id":{}}}"#,
                json!(message.event_type()),
                json!(message.data()),
                json!(message.last_event_id())
            )?,
            Ok(Frame::Comment(comment)) => {
                writeln!(out, r#"{{"comment":{}}}"#, json!(comment.text()))?
            }
            Ok(_) => {}
            Err(error) => eprintln!("decode: {error}"),
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("decode: {message}");
            std::process::exit(2);
        }
    };
    let mut decoder = Decoder::with_config(DecoderConfig::default().comments(options.comments));
    let mut stdin = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut buf = vec![0; options.chunk];
    loop {
        let read = stdin.read(&mut buf)?;
        if read == 0 {
            break;
        }
        decoder.push(&buf[..read]);
        drain(&mut decoder, &mut out)?;
        // An interactive `curl -N | decode` should see each event as it arrives.
        out.flush()?;
    }
    decoder.finish();
    drain(&mut decoder, &mut out)?;
    let retry = decoder.retry().map(|retry| retry.as_millis());
    writeln!(
        out,
        r#"{{"retry":{},"last_event_id":{}}}"#,
        json!(retry),
        json!(decoder.last_event_id())
    )?;
    Ok(())
}
