import type { CDPSession, Page } from "@playwright/test";

// What the browser benchmark runs in the page or reads from it: long tasks, memory, and
// the probes that time the first token, a streaming answer and an opening conversation.
// The probes are serialised into the page (page.evaluate, addInitScript): each is
// self-contained.

/** Long tasks: count, longest, and total blocking time (the part of each beyond 50 ms). */
export function blocking(durations: number[]): { count: number; longest: number; tbt: number } {
  return {
    count: durations.length,
    longest: durations.length ? Math.max(...durations) : 0,
    tbt: durations.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
  };
}

/** JS heap in use after a garbage collection, and the wasm linear memories' size (as
 * kept by `wasmMemoryHook`; Runtime.queryObjects would find them too, but it does not
 * come back on a page this size). */
export async function memory(page: Page, cdp: CDPSession): Promise<{ heap: number; wasm: number | null }> {
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("Performance.enable");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const heap = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? NaN;
  const wasm = await page.evaluate(() => {
    const memories = (window as any).__benchWasmMemories as Set<WebAssembly.Memory> | undefined;
    return memories?.size ? [...memories].reduce((sum, m) => sum + m.buffer.byteLength, 0) : null;
  });
  return { heap, wasm };
}

// ---------------------------------------------------------------------------------------
// In-page probes (serialized into the page: they may use nothing from this module)

/** An init script: keeps the memories of the wasm instances the page creates (the
 * bindings do not expose theirs) in `window.__benchWasmMemories`. */
export function wasmMemoryHook(): void {
  const memories = new Set<WebAssembly.Memory>();
  (window as any).__benchWasmMemories = memories;
  const keep = (result: any) => {
    const instance = result instanceof WebAssembly.Instance ? result : result?.instance;
    for (const value of Object.values(instance?.exports ?? {})) {
      if (value instanceof WebAssembly.Memory) memories.add(value);
    }
    return result;
  };
  const instantiate = WebAssembly.instantiate;
  const instantiateStreaming = WebAssembly.instantiateStreaming;
  (WebAssembly as any).instantiate = (...args: any[]) => (instantiate as any).apply(WebAssembly, args).then(keep);
  (WebAssembly as any).instantiateStreaming = (...args: any[]) =>
    (instantiateStreaming as any).apply(WebAssembly, args).then(keep);
}

/** Resolves `window.__benchFirstToken` with the milliseconds from the Enter keydown until
 * the answer to `message` first shows text in the DOM. */
export function firstTokenProbe(arg: { message: string; timeoutMs: number }): void {
  const w = window as any;
  let enterAt: number | undefined;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Enter" && enterAt === undefined) enterAt = performance.now();
  };
  document.addEventListener("keydown", onKey, true);
  w.__benchFirstToken = new Promise<number>((resolve, reject) => {
    const finish = (result: number | Error) => {
      observer.disconnect();
      clearTimeout(timer);
      document.removeEventListener("keydown", onKey, true);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    // The turn asking `message` (matched by its question, so no earlier answer counts).
    const check = () => {
      if (enterAt === undefined) return;
      for (const turn of Array.from(document.querySelectorAll('[data-testid="turn"]'))) {
        if (turn.querySelector(".user-text")?.textContent?.trim() !== arg.message) continue;
        const text = turn.querySelector('[data-testid="assistant-message"] [data-testid="answer-text"]')?.textContent;
        if (text && text.trim() !== "") {
          w.__benchFirstTokenAt = performance.now();
          finish(w.__benchFirstTokenAt - enterAt);
        }
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    const timer = setTimeout(() => finish(new Error(`no answer text for "${arg.message}"`)), arg.timeoutMs);
  });
}

/** Resolves `window.__benchStream` once the newest answer is completed: animation frame
 * timestamps and long tasks from the Enter keydown on, and when the answer completed. */
export function streamProbe(arg: { timeoutMs: number }): void {
  const w = window as any;
  const frames: number[] = [];
  const tasks: { start: number; duration: number }[] = [];
  let enterAt: number | undefined;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Enter" && enterAt === undefined) enterAt = performance.now();
  };
  document.addEventListener("keydown", onKey, true);
  const longTasks = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
  });
  longTasks.observe({ type: "longtask", buffered: false });
  const deadline = performance.now() + arg.timeoutMs;
  w.__benchStream = new Promise((resolve, reject) => {
    let completedAt: number | undefined;
    const frame = (ts: number) => {
      frames.push(ts);
      if (completedAt === undefined) {
        const answers = document.querySelectorAll('[data-testid="assistant-message"]');
        const last = answers[answers.length - 1];
        if (enterAt !== undefined && last?.getAttribute("data-status") === "completed") completedAt = ts;
      }
      // Keep going a little after completion: long-task entries are delivered late.
      if (completedAt !== undefined && ts - completedAt >= 300) {
        longTasks.disconnect();
        document.removeEventListener("keydown", onKey, true);
        resolve({ enterAt, completedAt, frames, tasks });
        return;
      }
      if (performance.now() > deadline) {
        longTasks.disconnect();
        reject(new Error("the streamed answer did not complete"));
        return;
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/** Resolves `window.__benchSettle` once turn `posinset` is in the DOM with answer text and
 * the DOM has not changed for 2 animation frames. Times are from `__benchProbe.t0` (set at
 * the click; 0, the navigation's start, when installed as an init script). */
export function settleProbe(arg: { posinset: number; timeoutMs: number; log?: boolean }): void {
  const w = window as any;
  const probe = { t0: 0, lastChange: 0, shownAt: undefined as number | undefined, tasks: [] as { start: number; duration: number }[] };
  w.__benchProbe = probe;
  const longTasks = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) probe.tasks.push({ start: e.startTime, duration: e.duration });
  });
  longTasks.observe({ type: "longtask", buffered: false });
  let changed = false;
  // With `arg.log`, what each batch of changes touched: "<ms from t0> <type>:<element>[@attribute] x<count> ...".
  const log: string[] = [];
  (probe as any).log = log;
  const describe = (node: Node) => {
    if (!(node instanceof Element)) return node.nodeName;
    const id = node.getAttribute("data-testid");
    const cls = node.classList[0];
    return `${node.tagName.toLowerCase()}${id ? `[${id}]` : ""}${cls ? `.${cls}` : ""}`;
  };
  const mutations = new MutationObserver((records) => {
    changed = true;
    probe.lastChange = performance.now();
    if (!arg.log) return;
    const counts = new Map<string, number>();
    for (const r of records) {
      const key = `${r.type}:${describe(r.target)}${r.attributeName ? `@${r.attributeName}` : ""}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const what = [...counts].map(([key, n]) => `${key} x${n}`).join(" ");
    log.push(`${(probe.lastChange - probe.t0).toFixed(0)} ms ${what}`);
  });
  mutations.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  const deadline = performance.now() + arg.timeoutMs;
  w.__benchSettle = new Promise((resolve, reject) => {
    let stableFrames = 0;
    const frame = () => {
      const turn = document.querySelector(`[data-testid="turn"][aria-posinset="${arg.posinset}"]`);
      const text = turn?.querySelector('[data-testid="answer-text"]')?.textContent ?? "";
      const shown = text.trim() !== "";
      if (shown && probe.shownAt === undefined) probe.shownAt = performance.now();
      stableFrames = shown && !changed ? stableFrames + 1 : 0;
      changed = false;
      if (stableFrames >= 2) {
        mutations.disconnect();
        resolve({
          t0: probe.t0,
          settled: Math.max(probe.lastChange, probe.shownAt!) - probe.t0,
          shown: probe.shownAt! - probe.t0,
          detected: performance.now() - probe.t0,
        });
        return;
      }
      if (performance.now() > deadline) {
        mutations.disconnect();
        reject(new Error(`turn ${arg.posinset} did not settle (shown: ${shown})`));
        return;
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/** Starts recording, until `window.__benchScrollStop()` is called: animation frame
 * timestamps, long tasks, and the most elements the document held in any frame.
 * `__benchScrollStop()` returns them. */
export function scrollProbe(): void {
  const w = window as any;
  const frames: number[] = [];
  const tasks: { start: number; duration: number }[] = [];
  let maxElements = 0;
  let running = true;
  const longTasks = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
  });
  longTasks.observe({ type: "longtask", buffered: false });
  const frame = (ts: number) => {
    if (!running) return;
    frames.push(ts);
    maxElements = Math.max(maxElements, document.getElementsByTagName("*").length);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  w.__benchScrollStop = () => {
    running = false;
    longTasks.disconnect();
    return { frames, tasks, maxElements };
  };
}
