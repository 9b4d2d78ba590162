// Opens a page in headless Debian Chromium through playwright-core and reports what its
// EventSource received. Usage: node browser.mjs URL COUNT
// Prints "ready" once the EventSource is open, then, after COUNT events (window.received),
// one line of JSON with them.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [url, count] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), "sse-wire-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = await browser.newPage();
  page.on("console", (message) => console.error("page:", message.text()));
  await page.goto(url);
  await page.waitForFunction(() => window.sseOpen === true, null, { timeout: 20000 });
  console.log("ready");
  await page.waitForFunction((n) => window.received.length >= n, Number(count), { timeout: 20000 });
  // A short grace period: anything beyond COUNT would be an error the test must see.
  await page.waitForTimeout(300);
  console.log(JSON.stringify(await page.evaluate(() => window.received)));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
