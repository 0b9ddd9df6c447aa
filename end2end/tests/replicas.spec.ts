import { test, expect } from "@playwright/test";
import { ask, openHydrated } from "./support/page";
import { appEnv, metricsText, Proc, ROOT, seriesValue, spawnProc, startApp, startBalancer, startDemo, startRedis } from "./support/servers";
import { lineReader, readEvents, runOf, started, Visitor } from "./support/visitor";

// Two replicas of agno-chat sharing Redis (Debian's redis-server), behind Debian's nginx
// balancing round-robin with no stickiness, against one demo AgentOS. Each test calls the
// replicas directly where it matters which one answers, and the balancer otherwise.

const REDIS = 6395;
const AGENTOS = 7840;
const A = 3160;
const B = 3161;
const BALANCER = 3162;
const at = (port: number) => `http://127.0.0.1:${port}`;

const shared = {
  AGNO_CHAT_REDIS_URL: `redis://127.0.0.1:${REDIS}`,
  AGNO_CHAT_COOKIE_KEY: "replicas-e2e-cookie-key-0123456789abcdef",
  AGNO_CHAT_SEND_RATE_PER_MIN: "1",
  AGNO_CHAT_SEND_BURST: "3",
  AGNO_CHAT_MAX_STREAMS_PER_USER: "1",
  AGNO_CHAT_DRAIN_SECS: "2",
};

/** The value of one Prometheus series of a replica (0 when absent). */
const gauge = async (port: number, series: string) => seriesValue(await metricsText(at(port)), series);

/** Whether a send was refused for a limit: 429 at once, or said in-band. */
async function refused(send: { status: number; events: Promise<{ type: string; [k: string]: unknown }[]> }): Promise<boolean> {
  if (send.status === 429) return true;
  const events = await send.events;
  return events.some((e) => e.type === "failed" && e.kind === "rate_limited");
}

test.describe("several replicas sharing Redis", () => {
  test.describe.configure({ mode: "serial", timeout: 90_000 });
  let redis: Proc | undefined;
  let demo: Proc | undefined;
  const procs: Proc[] = [];

  test.beforeAll(async () => {
    test.setTimeout(150_000);
    redis = await startRedis(REDIS);
    demo = await startDemo(AGENTOS);
    procs.push(await startApp(A, AGENTOS, shared), await startApp(B, AGENTOS, shared));
    procs.push(await startBalancer(BALANCER, [A, B]));
  });

  test.afterAll(async () => {
    for (const p of procs) await p.stop();
    await demo?.stop();
    await redis?.stop();
  });

  test("through the balancer, a visitor is the same person on either replica", async () => {
    const visitor = await Visitor.arrive(at(BALANCER));
    const answer = await visitor.ask("hello through the balancer");
    const first = started(answer);
    // The same cookie opens the conversation on either replica.
    for (const port of [A, B]) {
      const r = await visitor.on(at(port)).form("/api/sessions/list", { kind: "agent", assistant_id: "echo-agent", page: "1" });
      expect(r.status).toBe(200);
      expect(r.text).toContain(first.session_id);
    }
  });

  test("a user's send rate is one budget across the replicas", async () => {
    const visitor = await Visitor.arrive(at(A));
    // A burst of 3, spent on both replicas; the fourth waits, whichever replica it reaches.
    for (const port of [A, B, A]) {
      const events = await visitor.on(at(port)).ask(`budget ${port}`);
      expect(events.some((e) => e.type === "completed")).toBe(true);
    }
    const fourth = await visitor.on(at(B)).send("one too many", null);
    expect(fourth.status).toBe(429);
    // Another person has a budget of their own.
    const other = await Visitor.arrive(at(B));
    expect((await other.send("mine", null)).status).toBe(200);
  });

  test("the per-user stream cap holds across replicas", async () => {
    const visitor = await Visitor.arrive(at(A));
    const slow = await visitor.on(at(A)).send("slow long 20", null);
    expect(slow.status).toBe(200);
    const second = await visitor.on(at(B)).send("while the first streams", null);
    expect(await refused(second)).toBe(true);
    await slow.events;
  });

  test("an answer started through one replica is stopped through the other, and AgentOS stores it CANCELLED", async () => {
    const visitor = await Visitor.arrive(at(A));
    const r = await visitor.on(at(A)).json("/api/chat/send", {
      req: { kind: "agent", assistant_id: "echo-agent", session_id: null, message: "slow long 40" },
    });
    expect(r.status).toBe(200);
    const reader = lineReader(r);
    const head = await reader.until((e) => e.type === "content");
    const run = started(head);
    // Stop, through the other replica.
    const stop = await visitor.on(at(B)).form("/api/chat/cancel", { run_id: run.run_id });
    expect(stop.status).toBe(200);
    const rest = await reader.until((e) => e.type === "cancelled" || e.type === "completed");
    expect(rest.some((e) => e.type === "cancelled")).toBe(true);
    await expect
      .poll(async () => {
        const stored = await fetch(`${at(AGENTOS)}/agents/echo-agent/runs/${run.run_id}?session_id=${run.session_id}`);
        return ((await stored.json()) as { status?: string }).status;
      })
      .toBe("CANCELLED");
    // Someone else cannot stop another's answer through either replica.
    const other = await Visitor.arrive(at(B));
    expect((await other.form("/api/chat/cancel", { run_id: run.run_id })).status).not.toBe(200);
  });

  test("an answer regenerated through one replica is seen replaced when the other opens the conversation again", async () => {
    const visitor = await Visitor.arrive(at(A));
    const run = started(await visitor.on(at(A)).ask("regenerate me elsewhere"));
    // A later question, in a later second: the first answer is then older than anything
    // a copy brought up to date asks AgentOS for again.
    await new Promise((r) => setTimeout(r, 1500));
    await visitor.on(at(A)).ask("a later question", run.session_id);
    const open = (port: number) =>
      visitor.on(at(port)).form("/api/sessions/history", { kind: "agent", assistant_id: "echo-agent", session_id: run.session_id });
    // The other replica keeps a copy of the conversation as it opens it.
    const before = await open(B);
    expect(before.status).toBe(200);
    expect(before.text).not.toContain('"replaced":true');
    await new Promise((r) => setTimeout(r, 1500));
    const again = await visitor.on(at(A)).json("/api/chat/branch", { req: { ...runOf("echo-agent", run.session_id, run.run_id), edit: null } });
    expect(again.status).toBe(200);
    await readEvents(again);
    // Its copy is not used as it was: the first answer shows as replaced by the new one
    // (brought up to date from the newest runs alone, the copy would not show it).
    const after = await open(B);
    expect(after.status).toBe(200);
    expect(after.text).toContain('"replaced":true');
  });

  test("SIGTERM on the replica streaming an answer: the browser finishes it through the other, nothing lost or repeated", async ({ page }) => {
    await openHydrated(page, `${at(BALANCER)}/?agent=echo-agent`);
    await ask(page, "slow long 25");
    const answer = page.getByTestId("assistant-message").last();
    const text = page.getByTestId("answer-text").last();
    await expect(text).toContainText(/\S/, { timeout: 15_000 });
    const streaming = [A, B];
    await expect.poll(async () => (await Promise.all(streaming.map((p) => gauge(p, "agno_chat_active_streams")))).join(",")).toMatch(/1/);
    const which = (await gauge(A, "agno_chat_active_streams")) >= 1 ? 0 : 1;
    const leaving = procs[which];
    leaving.terminate();
    // Not ready while it drains; then gone.
    await expect.poll(async () => {
      try {
        return (await fetch(`${at(which === 0 ? A : B)}/readyz`)).status;
      } catch {
        return 0;
      }
    }).not.toBe(200);
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 45_000 });
    await expect.poll(() => leaving.running, { timeout: 20_000 }).toBe(false);
    expect(leaving.log).toContain("draining");
    // The answer on screen is the run AgentOS stored, every token once, in order.
    const runId = await answer.getAttribute("data-run-id");
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    const stored = (await (await fetch(`${at(AGENTOS)}/agents/echo-agent/runs/${runId}?session_id=${sid}`)).json()) as { content: string; status: string };
    expect(stored.status).toBe("COMPLETED");
    expect(stored.content).toContain("Section 1");
    // Drawn from what AgentOS stored (a reload), it reads exactly as it streamed.
    const live = (await text.innerText()).trim();
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(page.getByTestId("answer-text").last()).toHaveText(live, { useInnerText: true });
    procs[which] = await startApp(which === 0 ? A : B, AGENTOS, shared);
  });

  test("Redis killed mid-answer: the answer finishes, each replica counts its own limits, and it says so", async () => {
    const streaming = await Visitor.arrive(at(B));
    const slow = await streaming.send("slow long 12", null);
    expect(slow.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    await redis!.kill();
    const finished = await slow.events;
    expect(finished.some((e) => e.type === "completed")).toBe(true);
    expect(procs[1].running).toBe(true);

    const visitor = await Visitor.arrive(at(A));
    const events = await visitor.on(at(A)).ask("redis is down");
    expect(events.some((e) => e.type === "completed")).toBe(true);
    // The limits fall back to this replica's own count: the fourth send here waits.
    for (let i = 0; i < 2; i++) await visitor.on(at(A)).ask(`alone ${i}`);
    expect((await visitor.on(at(A)).send("over the local budget", null)).status).toBe(429);
    const log = procs[0].log;
    expect(log).toContain("Redis failed");
    const metrics = await metricsText(at(A));
    expect(metrics).toMatch(/agno_chat_shared_state_errors_total\{use="rate_limits"\} [1-9]/);
    redis = await startRedis(REDIS);
  });

  test("a replica that cannot reach Redis at start-up refuses to start, naming the setting", async () => {
    const p = spawnProc("agno-chat without redis", `${ROOT}/target/debug/agno-chat`, {
      ...appEnv(3163, AGENTOS),
      AGNO_CHAT_REDIS_URL: "redis://127.0.0.1:6399",
    });
    const deadline = Date.now() + 20_000;
    while (p.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(p.running).toBe(false);
    expect(p.log).toContain("agno-chat cannot start: AGNO_CHAT_REDIS_URL");
    expect(p.log).not.toContain("listening");
  });
});
