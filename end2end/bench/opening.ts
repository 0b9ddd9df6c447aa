import { Browser } from "@playwright/test";
import { expectNoPanics, openHydrated } from "../tests/support/page";
import { RUNS, below, fmt, mib, notes, raw, record } from "./figures";
import { SEEDED_RUNS, SEEDED_SESSION, TRACE_CATEGORIES, TRACE_DIR, TRACE_RUN, sleep, newContext } from "./setup";
import { blocking, memory, settleProbe, wasmMemoryHook } from "./probes";

/** Where an opened conversation's history came from (see `source` below). */
const SOURCES = {
  copy: "history from the server's copy, AgentOS asked after",
  newest: "history from the server's copy and the runs since",
  full: "history: every run from AgentOS",
};

/** Benchmark 4: opening the seeded session from the sidebar, `BENCH_RUNS` times: with a bare
 * click (`pointerFirst` false), or after the pointer rested on the chat. */
export async function openSeededSession(browser: Browser, pointerFirst: boolean): Promise<void> {
  const settled: number[] = [];
  const shown: number[] = [];
  const history: number[] = [];
  const historyAgentOs: number[] = [];
  const historyRebuild: number[] = [];
  const decode: number[] = [];
  const decodedAhead: boolean[] = [];
  // Per run, where the server's answer came from: its copy of the conversation and the
  // runs since ("newest"), or every run listed by AgentOS ("full"). See
  // server/history_cache.rs.
  const source: ("newest" | "full")[] = [];
  const tbt: number[] = [];
  const longestTask: number[] = [];
  const elements: number[] = [];
  const heap: number[] = [];
  const wasm: number[] = [];
  const modes = new Set<string>();
  // BENCH_MUTATIONS=1 prints, for each opening, when the DOM changed after the click and what
  // changed (the last change is the "settled" time).
  const arg = { posinset: SEEDED_RUNS, timeoutMs: 60_000, log: !!process.env.BENCH_MUTATIONS };

  for (let i = 0; i < RUNS; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await page.addInitScript(wasmMemoryHook);
    await openHydrated(page, "/?agent=echo-agent");
    const item = page.locator(`[data-testid="session-item"][data-session-id="${SEEDED_SESSION}"] .session-open`);
    const visible = await item
      .waitFor({ state: "visible", timeout: 10_000 })
      .then(() => true)
      .catch(() => false);
    if (visible && pointerFirst) {
      // As with a mouse: the pointer rests on the chat a moment before the click (the
      // list starts loading the conversation's renderer when pointed at).
      await item.hover();
      await sleep(300);
    }
    if (visible) {
      // Click the chat in the sidebar, timed from the click.
      modes.add(pointerFirst ? "pointer over the chat for 300 ms, then a click" : "a click, with no pointer over the list before");
      await page.evaluate(settleProbe, arg);
      if (TRACE_DIR && i === TRACE_RUN) {
        await browser.startTracing(page, {
          path: `${TRACE_DIR}/open-${pointerFirst ? "pointer" : "click"}.json`,
          categories: TRACE_CATEGORIES,
        });
      }
      await page.evaluate((sid) => {
        const button = document.querySelector<HTMLElement>(`[data-testid="session-item"][data-session-id="${sid}"] .session-open`)!;
        (window as any).__benchProbe.t0 = performance.now();
        button.click();
      }, SEEDED_SESSION);
    } else {
      // Not in the sidebar: open it by URL, timed from the navigation's start.
      modes.add("navigation with ?session=");
      await page.addInitScript(settleProbe, arg);
      await page.goto(`/?agent=echo-agent&session=${SEEDED_SESSION}`);
    }
    const r = await page.evaluate(
      () => (window as any).__benchSettle as Promise<{ t0: number; settled: number; shown: number; detected: number }>,
    );
    await sleep(200); // long-task entries are delivered late
    if (arg.log) {
      const changes = await page.evaluate(() => (window as any).__benchProbe.log as string[]);
      console.log(`DOM changes after the click:\n  ${changes.join("\n  ")}`);
    }
    if (TRACE_DIR && i === TRACE_RUN && visible) await browser.stopTracing();
    const tasks = await page.evaluate(
      ({ from, to }) =>
        ((window as any).__benchProbe.tasks as { start: number; duration: number }[])
          // Every task that overlaps the opening, including the one the click runs in:
          // work done in it synchronously (or in its microtasks) starts before `from`.
          .filter((t) => t.start + t.duration >= from && t.start <= to)
          .map((t) => t.duration),
      { from: r.t0, to: r.t0 + r.detected },
    );
    const b = blocking(tasks);
    // How much of it the history server function took (agno-chat asking AgentOS for the
    // 500 runs and rebuilding them), as the browser saw it.
    const fetched = await page.evaluate(() => {
      const e = performance
        .getEntriesByType("resource")
        .filter((r) => r.name.includes("/api/sessions/history"))
        .at(-1) as PerformanceResourceTiming | undefined;
      // The server's own account (Server-Timing): the AgentOS call, and the rest.
      const phase = (name: string) => e?.serverTiming.find((t) => t.name === name)?.duration ?? NaN;
      const how = e?.serverTiming.find((t) => t.name === "agentos")?.description ?? "";
      return {
        ms: e ? e.responseEnd - e.startTime : NaN,
        kib: e ? `${(e.decodedBodySize / 1024).toFixed(0)} KiB, ${(e.encodedBodySize / 1024).toFixed(0)} KiB sent` : "",
        agentos: phase("agentos"),
        rebuild: phase("rebuild"),
        source: how.includes("since the copy") ? "newest" : "full",
      } as const;
    });
    if (!Number.isNaN(fetched.ms)) history.push(fetched.ms);
    if (!Number.isNaN(fetched.agentos)) historyAgentOs.push(fetched.agentos);
    if (!Number.isNaN(fetched.rebuild)) historyRebuild.push(fetched.rebuild);
    source.push(fetched.source);
    // Decoding the history (a measure of the app's): before the click when it was read
    // ahead, else after the answer came.
    const decoded = await page.evaluate(
      (t0) => {
        const e = performance.getEntriesByName("agno-chat:decode-history").at(-1);
        return e ? { ms: e.duration, ahead: e.startTime < t0 } : null;
      },
      r.t0,
    );
    if (decoded) {
      decode.push(decoded.ms);
      decodedAhead.push(decoded.ahead);
    }
    // The conversation's code fetched after the click (none when read ahead): when its
    // requests were sent, answered and done, from the click.
    const code = await page.evaluate(
      (t0) =>
        (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
          .filter((e) => e.name.includes("/pkg/") && e.name.endsWith(".wasm") && e.startTime >= t0)
          .map((e) => [e.requestStart, e.responseStart, e.responseEnd].map((t) => Math.round(t - t0)).join("/"))
          .join(" ")
          .replace(/^$/, "none"),
      r.t0,
    );
    const count = await page.evaluate(() => document.getElementsByTagName("*").length);
    const mem = await memory(page, cdp);
    settled.push(r.settled);
    shown.push(r.shown);
    tbt.push(b.tbt);
    longestTask.push(b.longest);
    elements.push(count);
    heap.push(mib(mem.heap));
    if (mem.wasm !== null) wasm.push(mib(mem.wasm));
    console.log(
      `session ${i + 1}/${RUNS}: settled ${fmt(r.settled)} ms, TBT ${fmt(b.tbt)} ms, ${count} elements, heap ${fmt(mib(mem.heap))} MiB, ` +
        `${SOURCES[fetched.source]} ` +
        `(request ${fmt(fetched.ms)} ms, AgentOS ${fmt(fetched.agentos)} ms, ${fetched.kib}); ` +
        `the conversation's code sent/answered/done at ${code} ms`,
    );
    expectNoPanics(page);
    await context.close();
  }

  const S = `Opening a ${SEEDED_RUNS}-run session (${[...modes].join(", ")})`;
  if (pointerFirst) {
    record(S, "last turn shown", "ms", shown);
    record(S, "settled (DOM unchanged 2 frames)", "ms", settled, below(200, "ms"));
    record(S, "total blocking time", "ms", tbt, below(50, "ms"));
    record(S, "longest task", "ms", longestTask);
    for (const [key, what] of Object.entries(SOURCES)) {
      const n = source.filter((s) => s === key).length;
      if (n) notes.push(`${S}: ${what} in ${n} of ${source.length} runs.`);
    }
    if (decode.length) {
      record(S, "decoding the history (read ahead, before the click)", "ms", decode);
      const ahead = decodedAhead.filter(Boolean).length;
      notes.push(`${S}: the history was decoded before the click in ${ahead} of ${decodedAhead.length} runs.`);
    }
    return;
  }
  record(S, "last turn shown", "ms", shown);
  if (decode.length) record(S, "> of which decoding the history", "ms", decode);
  record(S, "> of which the history request", "ms", history);
  if (historyAgentOs.length) record(S, "> in it, AgentOS answering (Server-Timing)", "ms", historyAgentOs);
  if (historyRebuild.length) record(S, "> in it, agno-chat rebuilding (Server-Timing)", "ms", historyRebuild);
  record(S, "settled (DOM unchanged 2 frames)", "ms", settled, below(200, "ms"));
  // The server keeps a copy of a conversation it has opened: the first opening lists
  // every run, later ones ask for the runs since the copy.
  const split = (key: string) => settled.filter((_, i) => source[i] === key);
  if (split("newest").length) record(S, "> settled, the copy and the runs since", "ms", split("newest"));
  if (split("full").length) record(S, "> settled, every run asked of AgentOS", "ms", split("full"));
  record(S, "total blocking time", "ms", tbt, below(50, "ms"));
  record(S, "longest task", "ms", longestTask);
  record(S, "DOM elements", "", elements, below(1500, ""));
  record(S, "JS heap used (after GC)", "MiB", heap);
  if (wasm.length) record(S, "wasm memory", "MiB", wasm);
  if (typeof raw.seeding_ms === "number") {
    notes.push(`seeding the ${SEEDED_RUNS} runs through AgentOS took ${(raw.seeding_ms / 1000).toFixed(1)} s.`);
  }
}

