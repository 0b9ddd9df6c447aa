import { expect, Browser } from "@playwright/test";
import { expectNoPanics, openHydrated } from "../tests/support/page";
import { RUNS, atMost, below, fmt, record } from "./figures";
import { SEEDED_RUNS, SEEDED_SESSION, TRACE_CATEGORIES, TRACE_DIR, TRACE_RUN, sleep, newContext } from "./setup";
import { blocking, scrollProbe } from "./probes";

/** Benchmark 5: scrolling the seeded session with the mouse wheel from its newest turn to
 * its first, ten jumps across it, then "Jump to latest". */
export async function scrollSeededSession(browser: Browser): Promise<void> {
  // A user reading back through a long conversation with the mouse wheel: the turns
  // rendered follow the viewport (the virtualized list), so frames must stay short and
  // the DOM small from the newest turn to the first. Then "Jump to latest" goes back.
  const duration: number[] = [];
  const steps: number[] = [];
  const longestGap: number[] = [];
  const gapsOver50: number[] = [];
  const taskCount: number[] = [];
  const tbt: number[] = [];
  const maxElements: number[] = [];
  const jump: number[] = [];
  const latestTbt: number[] = [];
  const jumpGap: number[] = [];
  const jumpTasks: number[] = [];
  const jumpTbt: number[] = [];
  const jumpLongest: number[] = [];
  const STEP_PX = 600;
  for (let i = 0; i < RUNS; i++) {
    const context = await newContext(browser);
    const page = await context.newPage();
    await openHydrated(page, `/?agent=echo-agent&session=${SEEDED_SESSION}`);
    const list = page.getByTestId("messages");
    const newest = list.locator(`[data-testid="turn"][aria-posinset="${SEEDED_RUNS}"] [data-testid="answer-text"]`);
    await expect(newest).not.toBeEmpty({ timeout: 60_000 });
    const box = (await list.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await sleep(300);
    await page.evaluate(scrollProbe);
    if (TRACE_DIR && i === TRACE_RUN) {
      await browser.startTracing(page, {
        path: `${TRACE_DIR}/scroll.json`,
        categories: TRACE_CATEGORIES,
      });
    }
    const t0 = await page.evaluate(() => performance.now());
    // One wheel notch of STEP_PX about every frame, until the first turn is in view.
    let n = 0;
    for (; n < 2_000; n++) {
      await page.mouse.wheel(0, -STEP_PX);
      await sleep(16);
      if (n % 10 === 9) {
        const atStart = await page.evaluate(() => {
          const el = document.querySelector<HTMLElement>('[data-testid="messages"]')!;
          return el.scrollTop === 0 && !!el.querySelector('[data-testid="turn"][aria-posinset="1"]');
        });
        if (atStart) break;
      }
    }
    const first = list.locator('[data-testid="turn"][aria-posinset="1"] [data-testid="user-message"]');
    await expect(first).toBeVisible();
    const t1 = await page.evaluate(() => performance.now());
    // Jumps across the list, as when the scrollbar is dragged: each shows a window of
    // turns never rendered before (or rendered and dropped), in one frame.
    const jumps = await page.evaluate(async () => {
      const el = document.querySelector<HTMLElement>('[data-testid="messages"]')!;
      const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
      const gaps: number[] = [];
      let blank = 0;
      for (const f of [0.15, 0.85, 0.35, 0.65, 0.5, 0.05, 0.95, 0.25, 0.75, 0.45]) {
        const before = await frame();
        el.scrollTop = f * (el.scrollHeight - el.clientHeight);
        let last = before;
        for (let k = 0; k < 6; k++) {
          const t = await frame();
          gaps.push(t - last);
          last = t;
        }
        // The viewport must show turns, not a spacer.
        const view = el.getBoundingClientRect();
        const shown = Array.from(el.querySelectorAll('[data-testid="turn"]')).some((turn) => {
          const r = turn.getBoundingClientRect();
          return r.bottom > view.top && r.top < view.bottom;
        });
        if (!shown) blank++;
      }
      return { gaps, blank };
    });
    expect(jumps.blank, "jumps that left the viewport without a turn").toBe(0);
    const t2 = await page.evaluate(() => performance.now());
    // Back to the newest turn in one click.
    const jumped = await page.evaluate(
      (posinset) =>
        new Promise<number>((resolve) => {
          const start = performance.now();
          document.querySelector<HTMLElement>('[data-testid="jump-latest"]')!.click();
          const frame = () => {
            const turn = document.querySelector(`[data-testid="turn"][aria-posinset="${posinset}"]`);
            const list = document.querySelector<HTMLElement>('[data-testid="messages"]')!;
            const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
            if (turn && atEnd) resolve(performance.now() - start);
            else requestAnimationFrame(frame);
          };
          requestAnimationFrame(frame);
        }),
      SEEDED_RUNS,
    );
    await sleep(200); // long-task entries are delivered late
    if (TRACE_DIR && i === TRACE_RUN) await browser.stopTracing();
    const r = await page.evaluate(
      () =>
        (window as any).__benchScrollStop() as {
          frames: number[];
          tasks: { start: number; duration: number }[];
          maxElements: number;
        },
    );
    const frames = r.frames.filter((t) => t >= t0 && t <= t1);
    const gaps = frames.slice(1).map((t, j) => t - frames[j]);
    const b = blocking(r.tasks.filter((t) => t.start + t.duration >= t0 && t.start <= t1).map((t) => t.duration));
    const bj = blocking(r.tasks.filter((t) => t.start + t.duration >= t1 && t.start <= t2).map((t) => t.duration));
    const bl = blocking(r.tasks.filter((t) => t.start + t.duration >= t2).map((t) => t.duration));
    duration.push(t1 - t0);
    steps.push(n + 1);
    longestGap.push(gaps.length ? Math.max(...gaps) : 0);
    gapsOver50.push(gaps.filter((g) => g > 50).length);
    taskCount.push(b.count);
    tbt.push(b.tbt);
    maxElements.push(r.maxElements);
    jumpGap.push(Math.max(...jumps.gaps));
    jumpTasks.push(bj.count);
    jumpTbt.push(bj.tbt);
    jumpLongest.push(bj.longest);
    jump.push(jumped);
    latestTbt.push(bl.tbt);
    console.log(
      `scrolling ${i + 1}/${RUNS}: ${n + 1} wheel steps in ${fmt(t1 - t0)} ms, longest frame gap ${fmt(longestGap.at(-1)!)} ms, ` +
        `${b.count} long tasks (TBT ${fmt(b.tbt)} ms), at most ${r.maxElements} elements; 10 jumps: longest frame ${fmt(jumpGap.at(-1)!)} ms, ` +
        `${bj.count} long tasks (TBT ${fmt(bj.tbt)} ms); jump to latest ${fmt(jumped)} ms`,
    );
    expectNoPanics(page);
    await context.close();
  }
  const S = `Scrolling the ${SEEDED_RUNS}-run session up to its first turn (mouse wheel, ${STEP_PX} px a step)`;
  record(S, "wheel steps", "", steps);
  record(S, "duration", "ms", duration);
  record(S, "longest frame gap", "ms", longestGap, atMost(50, "ms"));
  record(S, "frame gaps > 50 ms", "", gapsOver50, atMost(0, ""));
  record(S, "long tasks", "", taskCount, atMost(0, ""));
  record(S, "total blocking time", "ms", tbt, atMost(0, "ms"));
  record(S, "most DOM elements in a frame (wheel, jumps, back to latest)", "", maxElements, below(1500, ""));
  const J = "Then 10 jumps across it (as when dragging the scrollbar), and \"Jump to latest\"";
  record(J, "longest frame after a jump", "ms", jumpGap, atMost(50, "ms"));
  record(J, "long tasks in the 10 jumps", "", jumpTasks, atMost(0, ""));
  record(J, "longest task in the jumps", "ms", jumpLongest);
  record(J, "total blocking time in the jumps", "ms", jumpTbt, atMost(0, "ms"));
  record(J, "\"Jump to latest\": newest turn shown at the end", "ms", jump);
  record(J, "> total blocking time", "ms", latestTbt);
}
