//! A reference decoder written straight from SPEC.md, for clarity over speed: decode the
//! whole stream to text, split it into lines, interpret each line. Property tests use it as
//! an oracle for the real, incremental decoder.

/// One dispatched event: type, data, last event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefEvent {
    pub event_type: String,
    pub data: String,
    pub id: String,
}

/// Everything a whole stream produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefOutcome {
    pub events: Vec<RefEvent>,
    pub retry: Option<u64>,
    pub last_event_id: String,
}

/// Decodes a complete stream.
pub fn decode(stream: &[u8]) -> RefOutcome {
    // "A single U+FEFF byte-order mark at the very start of the stream is dropped."
    let stream = stream.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(stream);
    // "Invalid UTF-8 is decoded with U+FFFD replacement characters."
    let text = String::from_utf8_lossy(stream);

    let mut outcome = RefOutcome {
        events: Vec::new(),
        retry: None,
        last_event_id: String::new(),
    };
    let mut data = String::new();
    let mut event_type = String::new();
    let mut id_buffer = String::new();

    for line in complete_lines(&text) {
        // 1. Empty line: dispatch.
        if line.is_empty() {
            outcome.last_event_id = id_buffer.clone();
            if data.is_empty() {
                event_type.clear();
                continue;
            }
            if data.ends_with('\n') {
                data.pop();
            }
            let event_type = std::mem::take(&mut event_type);
            outcome.events.push(RefEvent {
                event_type: if event_type.is_empty() {
                    "message".into()
                } else {
                    event_type
                },
                data: std::mem::take(&mut data),
                id: outcome.last_event_id.clone(),
            });
            continue;
        }
        // 2. Comment.
        if line.starts_with(':') {
            continue;
        }
        // 3./4. Field name and value.
        let (name, value) = match line.find(':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(' ').unwrap_or(value))
            }
            None => (line, ""),
        };
        match name {
            "event" => event_type = value.to_owned(),
            "data" => {
                data.push_str(value);
                data.push('\n');
            }
            "id" if !value.contains('\0') => id_buffer = value.to_owned(),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                outcome.retry = Some(value.parse::<u64>().unwrap_or(u64::MAX));
            }
            _ => {}
        }
    }
    // "At end of stream, an event that was not terminated by an empty line is discarded."
    outcome
}

/// The lines that a line ending terminates; text after the last line ending is an
/// unfinished line and is dropped.
fn complete_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while let Some(end) = rest.find(['\r', '\n']) {
        lines.push(&rest[..end]);
        let ending = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + ending..];
    }
    lines
}
