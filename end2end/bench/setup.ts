import type { Browser, BrowserContext } from "@playwright/test";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../tests/support/servers";

// The browser benchmark's setting: its ports, its user, the seeded session, where the app
// binary and its site are, and the helpers that talk to the demo AgentOS directly.

export const DEMO_PORT = 7801;
export const APP_PORT = 3201;
export const DEMO_URL = `http://127.0.0.1:${DEMO_PORT}`;
export const APP_URL = `http://127.0.0.1:${APP_PORT}`;
// The app trusts this header for the user's identity; AgentOS then sees "proxy:bench".
export const USER_HEADERS = { "X-Bench-User": "bench" };
export const USER_ID = "proxy:bench";
export const SEEDED_RUNS = 500;
export const SEEDED_SESSION = randomUUID();
/** With BENCH_TRACE=DIR, one opening of each kind is recorded as a Chromium trace there. */
export const TRACE_DIR = process.env.BENCH_TRACE;
/** Which run of each kind is traced (from 0): BENCH_TRACE_RUN, else the first. The first
 * opening of the seeded session lists every run; later ones use the server's copy. */
export const TRACE_RUN = Number(process.env.BENCH_TRACE_RUN ?? 0);
/** What those traces record: BENCH_TRACE_CATEGORIES (comma-separated), else the timeline,
 * V8's CPU samples, user timings and the network. Fewer categories weigh less on what is
 * measured (the disabled-by-default timeline adds to every DOM call). */
export const TRACE_CATEGORIES = process.env.BENCH_TRACE_CATEGORIES?.split(",") ?? [
  "devtools.timeline",
  "disabled-by-default-devtools.timeline",
  "v8",
  "v8.wasm",
  "disabled-by-default-v8.cpu_profiler",
  "blink.user_timing",
  "loading",
  "netlog",
];

// ---------------------------------------------------------------------------------------
// Processes

/** AGNO_CHAT_BIN, else the release binary, else the debug one. */
export function appBinary(): string {
  if (process.env.AGNO_CHAT_BIN) return path.resolve(process.env.AGNO_CHAT_BIN);
  const release = `${ROOT}/target/release/agno-chat`;
  return fs.existsSync(release) ? release : `${ROOT}/target/debug/agno-chat`;
}

/** The site root whose assets the binary names: BENCH_SITE_ROOT, else the first of
 * target/site and target/site-release holding the wasm named in hash.txt beside the
 * binary (cargo-leptos writes it there when it hashes file names). */
export function siteRoot(bin: string): string {
  if (process.env.BENCH_SITE_ROOT) return path.resolve(process.env.BENCH_SITE_ROOT);
  const candidates = [`${ROOT}/target/site`, `${ROOT}/target/site-release`];
  const hashFile = path.join(path.dirname(bin), "hash.txt");
  if (fs.existsSync(hashFile)) {
    const wasm = /^wasm:\s*(\S+)/m.exec(fs.readFileSync(hashFile, "utf8"))?.[1];
    const match = candidates.find((c) => wasm && fs.existsSync(`${c}/pkg/agno-chat.${wasm}.wasm`));
    if (match) return match;
  }
  return candidates[0];
}



// ---------------------------------------------------------------------------------------
// Helpers

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh context (cold cache) as the benchmark user. */
export function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: APP_URL,
    viewport: { width: 1280, height: 800 },
    extraHTTPHeaders: USER_HEADERS,
  });
}

/** A run straight on AgentOS. Streaming runs are background runs (resumable), as agno-chat
 * starts them, unless `background` is false (a plain streaming run, as Agent UI starts them). */
export async function postRun(message: string, stream: boolean, sessionId: string, background = stream): Promise<Response> {
  const body = new URLSearchParams({ message, stream: String(stream), session_id: sessionId, user_id: USER_ID });
  if (background) body.set("background", "true");
  return fetch(`${DEMO_URL}/agents/echo-agent/runs`, { method: "POST", body });
}

/** Milliseconds from the request's start until the upstream streams its first non-empty
 * `RunContent` event. Reads the stream to its end, so runs do not overlap. */
export async function upstreamFirstToken(message: string, background: boolean, sessionId: string): Promise<number> {
  const t0 = performance.now();
  const r = await postRun(message, true, sessionId, background);
  if (!r.ok || !r.body) throw new Error(`AgentOS run failed: ${r.status} ${await r.text()}`);
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let first: number | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    // SSE events end with a blank line: "event: RunContent\ndata: {...}\n\n".
    let end: RegExpExecArray | null;
    while ((end = /\r?\n\r?\n/.exec(buffer))) {
      const block = buffer.slice(0, end.index);
      buffer = buffer.slice(end.index + end[0].length);
      if (first === undefined && isContentEvent(block)) first = performance.now() - t0;
    }
  }
  if (first === undefined) throw new Error(`no RunContent event in the upstream's answer to "${message}"`);
  return first;
}

export function isContentEvent(block: string): boolean {
  let name = "";
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trim());
  }
  if (!data.length) return false;
  try {
    const event = JSON.parse(data.join("\n"));
    return (name || event.event) === "RunContent" && typeof event.content === "string" && event.content.trim() !== "";
  } catch {
    return false;
  }
}
