import { expect, Browser } from "@playwright/test";
import { expectNoPanics, watchPanics } from "../tests/support/page";
import { RUNS, below, fmt, kib, notes, raw, record } from "./figures";
import { TRACE_CATEGORIES, TRACE_DIR, TRACE_RUN, sleep, newContext } from "./setup";

/** Benchmark 1: a cold first load, `BENCH_RUNS` times: bytes on the wire by kind, when
 * the input accepts typing and when the app has started; then typing while the page
 * loads, checked to be kept through the app's start. */
export async function firstLoad(browser: Browser): Promise<void> {
  const KINDS = ["document", "script", "wasm", "css", "server fns", "other"] as const;
  type Kind = (typeof KINDS)[number];
  const wire: Record<string, number[]> = { total: [] };
  const decoded: Record<string, number[]> = { total: [] };
  for (const k of KINDS) {
    wire[k] = [];
    decoded[k] = [];
  }
  const requests: number[] = [];
  // The chat path: the same visit going on to type, send and see the whole first answer.
  const chatWire: Record<string, number[]> = { total: [] };
  for (const k of KINDS) chatWire[k] = [];
  const ready: number[] = [];
  const typeable: number[] = [];
  const hydrateStart: number[] = [];
  const hydrateTook: number[] = [];
  const responseStart: number[] = [];
  const dcl: number[] = [];
  const encodings = { accept: new Set<string>(), wasm: new Set<string>() };
  const rawRuns: unknown[] = [];

  for (let run = 0; run < RUNS; run++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    watchPanics(page);
    // When the message box is in the page (it takes typing natively from then on: the
    // app keeps what was typed when it starts, see state::draft), when the first keystroke
    // reached it, and when the app marks the body hydrated (its handlers attached).
    await page.addInitScript(() => {
      const w = window as any;
      const observer = new MutationObserver(() => {
        if (w.__benchComposerAt === undefined && document.getElementById("composer-input")) {
          w.__benchComposerAt = performance.now();
        }
        if (document.body?.getAttribute("data-hydrated") === "true") {
          w.__benchHydratedAt = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-hydrated"] });
      document.addEventListener("input", () => (w.__benchFirstInputAt ??= performance.now()), true);
    });

    // Every request of the page, from the network's point of view.
    interface Req {
      url: string;
      type: string;
      mime: string;
      wire: number;
      decoded: number;
      acceptEncoding?: string;
      contentEncoding?: string;
      done: boolean;
    }
    const reqs = new Map<string, Req>();
    let lastActivity = Date.now();
    const req = (id: string) => {
      lastActivity = Date.now();
      let r = reqs.get(id);
      if (!r) reqs.set(id, (r = { url: "", type: "", mime: "", wire: 0, decoded: 0, done: false }));
      return r;
    };
    const header = (headers: Record<string, string>, name: string) =>
      Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
    const cdp = await context.newCDPSession(page);
    cdp.on("Network.requestWillBeSent", (e) => {
      const r = req(e.requestId);
      r.url = e.request.url;
      r.type = e.type ?? "";
    });
    cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
      req(e.requestId).acceptEncoding = header(e.headers, "accept-encoding");
    });
    cdp.on("Network.responseReceived", (e) => {
      const r = req(e.requestId);
      r.mime = e.response.mimeType;
      r.contentEncoding = header(e.response.headers, "content-encoding") ?? r.contentEncoding;
    });
    cdp.on("Network.responseReceivedExtraInfo", (e) => {
      const r = req(e.requestId);
      r.contentEncoding = header(e.headers, "content-encoding") ?? r.contentEncoding;
    });
    cdp.on("Network.dataReceived", (e) => {
      req(e.requestId).decoded += e.dataLength;
    });
    cdp.on("Network.loadingFinished", (e) => {
      const r = req(e.requestId);
      r.wire = e.encodedDataLength;
      r.done = true;
    });
    cdp.on("Network.loadingFailed", (e) => {
      req(e.requestId).done = true;
    });
    await cdp.send("Network.enable");

    if (TRACE_DIR && run === TRACE_RUN) {
      await browser.startTracing(page, {
        path: `${TRACE_DIR}/first-load.json`,
        categories: TRACE_CATEGORIES,
      });
    }
    await page.goto("/?agent=echo-agent");
    await page.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 30_000 });
    if (TRACE_DIR && run === TRACE_RUN) await browser.stopTracing();
    // Then until the network has been idle for 500 ms (lazily loaded chunks, first data).
    const waitIdle = async () => {
      const idleDeadline = Date.now() + 15_000;
      while (Date.now() < idleDeadline) {
        const busy = [...reqs.values()].some((r) => !r.done && !r.url.startsWith("data:"));
        if (!busy && Date.now() - lastActivity >= 500) break;
        await sleep(50);
      }
    };
    await waitIdle();

    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      return {
        responseStart: nav.responseStart,
        domContentLoaded: nav.domContentLoadedEventEnd,
        hydrated: (window as any).__benchHydratedAt as number,
        composer: (window as any).__benchComposerAt as number,
        firstContentfulPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
        // The app's own measure around hydrate_body (src/lib.rs): when the wasm was ready
        // and how long hydrating the page took.
        hydrate: (performance.getEntriesByName("agno-chat:hydrate")[0] ?? null) as { startTime: number; duration: number } | null,
      };
    });
    if (typeof timing.hydrated !== "number") throw new Error("the hydration time was not recorded");

    const kindOf = (r: Req): Kind => {
      const p = new URL(r.url).pathname;
      if (r.type === "Document") return "document";
      if (p.endsWith(".wasm") || r.mime === "application/wasm") return "wasm";
      if (r.type === "Script" || p.endsWith(".js")) return "script";
      if (r.type === "Stylesheet" || p.endsWith(".css")) return "css";
      if ((r.type === "Fetch" || r.type === "XHR") && p.startsWith("/api/")) return "server fns";
      return "other";
    };
    const byKind = Object.fromEntries(KINDS.map((k) => [k, { wire: 0, decoded: 0, requests: 0 }]));
    const list = [...reqs.values()].filter((r) => r.url && !r.url.startsWith("data:"));
    for (const r of list) {
      const k = byKind[kindOf(r)];
      k.wire += r.wire;
      k.decoded += r.decoded;
      k.requests += 1;
      if (r.type === "Document" && r.acceptEncoding) encodings.accept.add(r.acceptEncoding);
      if (kindOf(r) === "wasm") encodings.wasm.add(r.contentEncoding ?? "none (identity)");
    }
    for (const k of KINDS) {
      wire[k].push(kib(byKind[k].wire));
      decoded[k].push(kib(byKind[k].decoded));
    }
    wire.total.push(kib(list.reduce((s, r) => s + r.wire, 0)));
    decoded.total.push(kib(list.reduce((s, r) => s + r.decoded, 0)));
    requests.push(list.length);
    ready.push(timing.hydrated);
    // The box accepts typing once it is in the page and painted.
    typeable.push(Math.max(timing.composer, timing.firstContentfulPaint ?? timing.composer));
    if (timing.hydrate) {
      hydrateStart.push(timing.hydrate.startTime);
      hydrateTook.push(timing.hydrate.duration);
    }
    responseStart.push(timing.responseStart);
    dcl.push(timing.domContentLoaded);
    rawRuns.push({
      timing,
      requests: list.map((r) => ({ url: new URL(r.url).pathname, kind: kindOf(r), wire: r.wire, decoded: r.decoded, content_encoding: r.contentEncoding ?? null })),
    });
    // Then as a visitor who came to chat: type, send, and wait for the whole answer and
    // for the network to go quiet again. Every byte since the page was asked for counts.
    const input = page.getByTestId("composer-input");
    await input.fill("hello");
    await input.press("Enter");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 60_000 });
    await waitIdle();
    const chatList = [...reqs.values()].filter((r) => r.url && !r.url.startsWith("data:"));
    const chatByKind = Object.fromEntries(KINDS.map((k) => [k, 0]));
    for (const r of chatList) chatByKind[kindOf(r)] += r.wire;
    for (const k of KINDS) chatWire[k].push(kib(chatByKind[k]));
    chatWire.total.push(kib(chatList.reduce((s, r) => s + r.wire, 0)));
    (rawRuns.at(-1) as Record<string, unknown>).chat_path = chatList.map((r) => ({ url: new URL(r.url).pathname, kind: kindOf(r), wire: r.wire }));
    expectNoPanics(page);
    console.log(
      `first load ${run + 1}/${RUNS}: ${fmt(wire.total.at(-1)!)} KiB on the wire, input takes typing at ${fmt(typeable.at(-1)!)} ms, ` +
        `app started at ${fmt(timing.hydrated)} ms; chat path ${fmt(chatWire.total.at(-1)!)} KiB`,
    );
    await context.close();
  }

  const S = "First load, cold cache (/?agent=echo-agent, until hydrated + 500 ms idle)";
  record(S, "on the wire, all requests", "KiB", wire.total, below(223, "KiB"));
  for (const k of KINDS) record(S, `> ${k}`, "KiB", wire[k]);
  // The first load's bytes are those before any intent; the chat path's are what a
  // visitor who came to chat downloads before reading the first answer.
  record(S, "chat path: on to typing, sending, the answer shown", "KiB", chatWire.total, below(213, "KiB"));
  for (const k of KINDS) record(S, `> ${k}`, "KiB", chatWire[k]);
  record(S, "decoded, all requests", "KiB", decoded.total);
  record(S, "> wasm", "KiB", decoded.wasm);
  record(S, "> script", "KiB", decoded.script);
  record(S, "requests", "", requests);
  record(S, "navigation responseStart", "ms", responseStart);
  record(S, "DOMContentLoaded", "ms", dcl);
  record(S, "input accepts typing (box painted; typed text kept)", "ms", typeable, below(300, "ms"));
  record(S, "app started (body hydrated)", "ms", ready, below(300, "ms"));
  record(S, "> wasm ready, hydration starts", "ms", hydrateStart);
  record(S, "> hydration itself", "ms", hydrateTook);
  const accept = [...encodings.accept].join(" | ") || "(not seen)";
  const wasmEncoding = [...encodings.wasm].join(" | ") || "(no wasm seen)";
  // Chromium offers br (and zstd) only to secure origins; loopback counts as one, so
  // here it may, while a real deployment over plain http gets gzip at best.
  const brOffered = /\bbr\b/.test(accept);
  notes.push(
    `Accept-Encoding sent: "${accept}"; wasm Content-Encoding: ${wasmEncoding}. Chromium offers br ` +
      `(and zstd) only over https (and to loopback, as here${brOffered ? "" : ": not this time"}); ` +
      `over plain http to another host gzip is the best to expect.`,
  );
  if (encodings.wasm.has("none (identity)")) {
    notes.push("the wasm came uncompressed: the site root has no precompressed files (cargo leptos build --precompress).");
  }
  raw.first_load_runs = rawRuns;

  // Typing while the page loads, as a user would: click the box as soon as it can be
  // clicked, type, and check that the text survived the app's start. (Separate runs:
  // keystrokes after the start fetch the conversation's code, which would count in the
  // first load's bytes above.)
  const firstKey: number[] = [];
  let typedBeforeStart = 0;
  for (let run = 0; run < RUNS; run++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    watchPanics(page);
    await page.addInitScript(() => {
      const w = window as any;
      document.addEventListener("input", () => (w.__benchFirstInputAt ??= performance.now()), true);
    });
    const typed = "typed early";
    await page.goto("/?agent=echo-agent", { waitUntil: "commit" });
    await page.locator("#composer-input").click({ timeout: 30_000 });
    await page.keyboard.type(typed);
    await page.waitForSelector("body[data-hydrated=true]", { state: "attached", timeout: 30_000 });
    const kept = await page.locator("#composer-input").inputValue();
    if (kept !== typed) throw new Error(`the text typed while the page loaded became "${kept}"`);
    const t = await page.evaluate(() => ({
      firstInput: (window as any).__benchFirstInputAt as number,
      started: performance.getEntriesByName("agno-chat:hydrate")[0]?.startTime ?? Infinity,
    }));
    firstKey.push(t.firstInput);
    if (t.firstInput < t.started) typedBeforeStart += 1;
    expectNoPanics(page);
    await context.close();
  }
  record(S, "> first keystroke in the box (Playwright: click, then type)", "ms", firstKey);
  notes.push(
    `first load: text typed into the box while the page loaded was kept through the app's start in all ${RUNS} runs; ` +
      `the first keystroke came before the app had started in ${typedBeforeStart} of them.`,
  );
}
