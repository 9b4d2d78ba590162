// Parses an event stream from stdin with eventsource-parser, feeding it in seeded random
// chunk sizes, and prints the events as JSON: [{type, data, id}] (id: the block's own id
// field, or null), then the last retry.
import { createParser } from "eventsource-parser";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const bytes = Buffer.concat(chunks);

const events = [];
let retry = null;
const parser = createParser({
  onEvent: (event) => events.push({ type: event.event ?? "message", data: event.data, id: event.id ?? null }),
  onRetry: (ms) => { retry = ms; },
});

// Split the bytes anywhere, multi-byte characters included: TextDecoder in stream mode
// keeps a split character whole.
let seed = 2026;
const decoder = new TextDecoder("utf-8");
for (let at = 0; at < bytes.length; ) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  const size = 1 + (seed % 37);
  parser.feed(decoder.decode(bytes.subarray(at, at + size), { stream: true }));
  at += size;
}
parser.feed(decoder.decode());
process.stdout.write(JSON.stringify({ events, retry }));
