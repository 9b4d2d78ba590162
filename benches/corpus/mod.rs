//! Deterministic corpora shared by the encode and decode benches: the same events every run,
//! from a fixed-seed xorshift, so results are comparable across runs and crates.

use sse_wire::Event;

/// A named corpus: the events and their encoding as one stream.
pub struct Corpus {
    pub name: &'static str,
    pub events: Vec<Event>,
    pub stream: Vec<u8>,
}

impl Corpus {
    fn new(name: &'static str, events: Vec<Event>) -> Self {
        let stream = events.iter().flat_map(|event| event.to_bytes()).collect();
        Self {
            name,
            events,
            stream,
        }
    }

    #[allow(dead_code)] // the encode bench does not decode
    /// Events a decoder must dispatch from `stream` (comment-only keep-alives dispatch nothing).
    pub fn dispatched(&self) -> usize {
        self.events
            .iter()
            .filter(|event| event.data_bytes().is_some())
            .count()
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }

    fn word(&mut self) -> &'static str {
        const WORDS: [&str; 12] = [
            "the", "stream", "token", "model", "answer", "event", "data", "quick", "server", "ok",
            "é", "日本",
        ];
        WORDS[usize::try_from(self.below(WORDS.len() as u64)).unwrap()]
    }
}

/// LLM token streaming: `data: {json}` of about 200 bytes, like chat completion chunks.
pub fn llm_tokens() -> Corpus {
    let mut rng = Rng(1);
    let events = (0..4000)
        .map(|n| {
            let token = rng.word();
            Event::new().data(format!(
                r#"{{"id":"chatcmpl-{n:08}","object":"chat.completion.chunk","created":1764000000,"model":"demo-1","choices":[{{"index":0,"delta":{{"content":"{token} "}},"finish_reason":null}}]}}"#
            ))
        })
        .collect();
    Corpus::new("llm_tokens", events)
}

/// Notifications: event type, id and a ~100-byte JSON payload.
pub fn notifications() -> Corpus {
    let mut rng = Rng(2);
    let kinds = ["order", "message", "alert", "presence"];
    let events = (0..4000_u64)
        .map(|n| {
            let kind = kinds[usize::try_from(rng.below(4)).unwrap()];
            Event::new().event(kind).id(n).data(format!(
                r#"{{"user":{},"kind":"{kind}","text":"{} {} {}","at":"2026-11-24T06:{:02}:00Z"}}"#,
                rng.below(100_000),
                rng.word(),
                rng.word(),
                rng.word(),
                n % 60
            ))
        })
        .collect();
    Corpus::new("notifications", events)
}

/// Big multi-line log data: events of 4 to 64 KiB, lines of about 100 bytes.
pub fn logs() -> Corpus {
    let mut rng = Rng(3);
    let events = (0..48)
        .map(|n| {
            let target = 4096 + usize::try_from(rng.below(60 * 1024)).unwrap();
            let mut data = String::with_capacity(target + 128);
            while data.len() < target {
                let line = rng.below(1_000_000);
                data.push_str(&format!(
                    "2026-11-24T06:00:00.{line:06}Z INFO worker{n}: {} {} {}\n",
                    rng.word(),
                    rng.word(),
                    rng.word()
                ));
            }
            data.pop();
            Event::new().event("log").data(data)
        })
        .collect();
    Corpus::new("logs", events)
}

/// Tiny events: `data: 1`.
pub fn tiny() -> Corpus {
    let events = (0..20_000)
        .map(|n| Event::new().data(["0", "1"][n % 2]))
        .collect();
    Corpus::new("tiny", events)
}

/// CRLF line endings with `: ping` keep-alives between events.
pub fn crlf_keep_alive() -> Corpus {
    let mut rng = Rng(5);
    let mut events = Vec::new();
    for n in 0..3000_u64 {
        events.push(
            Event::new()
                .id(n)
                .data(format!("{} {} {}", rng.word(), rng.word(), n)),
        );
        if n % 3 == 0 {
            events.push(Event::new().comment("ping"));
        }
    }
    let mut corpus = Corpus::new("crlf_keep_alive", events);
    let mut crlf = Vec::with_capacity(corpus.stream.len() * 11 / 10);
    for &byte in &corpus.stream {
        if byte == b'\n' {
            crlf.push(b'\r');
        }
        crlf.push(byte);
    }
    corpus.stream = crlf;
    corpus
}

/// Every corpus, in report order.
pub fn all() -> Vec<Corpus> {
    vec![
        llm_tokens(),
        notifications(),
        logs(),
        tiny(),
        crlf_keep_alive(),
    ]
}
