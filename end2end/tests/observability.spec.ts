import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";
import { attr, Receiver } from "./support/receiver";
import { metricsText, Proc, seriesValue, startApp, startDemo } from "./support/servers";

// The app with every observability output switched on, pointed at receivers this test
// runs: an OTLP/HTTP trace receiver, a Sentry ingestion endpoint (envelopes) and an
// analytics webhook. The real SDKs (opentelemetry-otlp, sentry) talk to them.
const AGENTOS = 7797;
const APP = 3111;
const RECEIVER = 4319;
const METRICS_TOKEN = "e2e-metrics-token-93b1";

let receiver: Receiver | undefined;
const bodiesAt = (prefix: string) => receiver!.bodiesAt(prefix);
const spans = () => receiver!.spans();

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

const metrics = () => metricsText(`http://127.0.0.1:${APP}`, METRICS_TOKEN);
const value = seriesValue;

test.describe("observability", () => {
  let demo: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    receiver = await Receiver.start(RECEIVER);
    demo = await startDemo(AGENTOS);
    app = await startApp(APP, AGENTOS, {
      AGNO_CHAT_METRICS_TOKEN: METRICS_TOKEN,
      AGNO_CHAT_OTLP_ENDPOINT: `http://127.0.0.1:${RECEIVER}`,
      AGNO_CHAT_SENTRY_DSN: `http://e2epublickey@127.0.0.1:${RECEIVER}/42`,
      AGNO_CHAT_SENTRY_ENVIRONMENT: "e2e",
      AGNO_CHAT_ANALYTICS_WEBHOOK_URL: `http://127.0.0.1:${RECEIVER}/webhook`,
      AGNO_CHAT_LOG_FORMAT: "json",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await demo?.stop();
    await receiver?.close();
  });

  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("metrics change as a conversation runs, and need the bearer token", async ({ page }) => {
    expect((await fetch(`http://127.0.0.1:${APP}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${APP}/metrics`, { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    await openHydrated(page, `http://127.0.0.1:${APP}/?agent=weather-agent`);
    const before = await metrics();
    await ask(page, "Weather in Lisbon please");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const after = await metrics();
    const started = 'agno_chat_runs_started_total{kind="agent",resumed="false"}';
    const completed = 'agno_chat_runs_finished_total{kind="agent",outcome="completed"}';
    const ttft = 'agno_chat_time_to_first_token_seconds_count{kind="agent"}';
    expect(value(after, started)).toBe(value(before, started) + 1);
    expect(value(after, completed)).toBe(value(before, completed) + 1);
    expect(value(after, ttft)).toBe(value(before, ttft) + 1);
    expect(value(after, 'agno_chat_tokens_total{direction="output"}')).toBeGreaterThan(
      value(before, 'agno_chat_tokens_total{direction="output"}'),
    );
    expect(value(after, 'agno_chat_http_requests_total{route="api",status="2xx"}')).toBeGreaterThan(
      value(before, 'agno_chat_http_requests_total{route="api",status="2xx"}'),
    );
    expect(value(after, "agno_chat_agentos_up")).toBe(1);
    expect(value(after, "agno_chat_active_streams")).toBe(0);
  });

  test("an OTLP receiver gets the turn's trace with its tool-call and model spans", async ({ page }) => {
    await openHydrated(page, `http://127.0.0.1:${APP}/?agent=weather-agent`);
    await ask(page, "Weather in Madrid please");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const runId = await lastAnswer(page).getAttribute("data-run-id");
    let turn: Span | undefined;
    await expect
      .poll(
        () => {
          turn = spans().find((s) => s.name === "invoke_agent weather-agent" && (!runId || attr(s, "gen_ai.response.id") === runId));
          return turn ? "found" : "waiting";
        },
        { timeout: 15_000 },
      )
      .toBe("found");
    expect(attr(turn!, "gen_ai.operation.name")).toBe("invoke_agent");
    expect(attr(turn!, "gen_ai.agent.id")).toBe("weather-agent");
    expect(attr(turn!, "gen_ai.conversation.id")).toBeTruthy();
    expect(Number(attr(turn!, "gen_ai.usage.output_tokens"))).toBeGreaterThan(0);
    expect(attr(turn!, "agno_chat.outcome")).toBe("completed");
    const children = () => spans().filter((s) => s.traceId === turn!.traceId && s.parentSpanId === turn!.spanId);
    await expect.poll(() => children().filter((s) => s.name === "execute_tool get_weather").length, { timeout: 10_000 }).toBeGreaterThan(0);
    const tool = children().find((s) => s.name === "execute_tool get_weather")!;
    expect(attr(tool, "gen_ai.operation.name")).toBe("execute_tool");
    expect(attr(tool, "gen_ai.tool.name")).toBe("get_weather");
    expect(attr(tool, "gen_ai.tool.call.id")).toBeTruthy();
    const model = children().filter((s) => String(attr(s, "gen_ai.operation.name")) === "chat");
    expect(model.length).toBeGreaterThan(0);
    expect(Number(attr(model[0], "gen_ai.usage.input_tokens"))).toBeGreaterThan(0);
    // No message text in the trace.
    expect(bodiesAt("/v1/traces").join("")).not.toContain("Weather in Madrid please");
  });

  test("a failing run is reported to Sentry as an error event with its context", async ({ page }) => {
    await openHydrated(page, `http://127.0.0.1:${APP}/?agent=fail-agent`);
    await ask(page, "this will fail");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "error", { timeout: 15_000 });
    let event = "";
    await expect
      .poll(
        () => {
          event = bodiesAt("/api/42/envelope").find((b) => b.includes("run failed in AgentOS")) ?? "";
          return event ? "found" : "waiting";
        },
        { timeout: 15_000 },
      )
      .toBe("found");
    expect(event).toContain('"message":"run failed in AgentOS"');
    expect(event).toContain("fail-agent");
    expect(event).toContain('"environment":"e2e"');
    expect(event).toMatch(/"run_id":"[0-9a-f-]{36}"/);
    expect(event).not.toContain("this will fail");

    // A browser-side failure report goes the same way, with the conversation's context.
    await page.evaluate(() =>
      navigator.sendBeacon(
        "/api/telemetry/error",
        JSON.stringify({ kind: "render", message: "chart could not be drawn", session_id: null, message_count: 1, location: "/?agent=fail-agent" }),
      ),
    );
    await expect
      .poll(() => bodiesAt("/api/42/envelope").some((b) => b.includes("browser error reported") && b.includes("chart could not be drawn")), {
        timeout: 15_000,
      })
      .toBe(true);
    const m = await metrics();
    expect(value(m, 'agno_chat_client_errors_total{kind="render"}')).toBeGreaterThanOrEqual(1);
    expect(value(m, 'agno_chat_runs_finished_total{kind="agent",outcome="error"}')).toBeGreaterThanOrEqual(1);
  });

  test("analytics events reach the webhook in order, without message contents", async ({ page }) => {
    const marker = "analytics-marker-5d1c unique words";
    await openHydrated(page, `http://127.0.0.1:${APP}/?agent=echo-agent`);
    await page.getByTestId("new-chat").click();
    await ask(page, marker);
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await ask(page, "a second one");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    type Ev = { event: string; seq: number; session_id?: string; user: string; assistant_id?: string };
    const events = (): Ev[] =>
      bodiesAt("/webhook").flatMap((b) => (JSON.parse(b).events as Ev[]).filter((e) => e.assistant_id === "echo-agent"));
    // This page's events (the only echo-agent conversation in this file).
    const mine = events;
    await expect.poll(() => mine().filter((e) => e.event === "stream_ended").length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    // Sequence numbers only grow, in arrival order.
    const all = events();
    for (let i = 1; i < all.length; i++) expect(all[i].seq).toBeGreaterThan(all[i - 1].seq);
    const names = mine().map((e) => e.event);
    const order = ["message_sent", "session_created", "stream_started", "stream_ended", "message_sent", "stream_started", "stream_ended"];
    let at = 0;
    for (const n of names) if (n === order[at]) at++;
    expect(at, `got ${names.join(", ")}`).toBe(order.length);
    expect(names).toContain("typing");
    expect(mine().filter((e) => e.event === "stream_started").every((e) => e.session_id === sid)).toBe(true);
    const ended = mine().find((e) => e.event === "stream_ended") as unknown as { outcome: string; duration_ms: number };
    expect(ended.outcome).toBe("completed");
    expect(ended.duration_ms).toBeGreaterThan(0);
    expect(mine().every((e) => /^u-[0-9a-f]{16}$/.test(e.user))).toBe(true);
    const raw = bodiesAt("/webhook").join("\n");
    expect(raw).not.toContain("analytics-marker-5d1c");
    expect(raw).not.toContain("a second one");
  });

  test("the health summary reports uptime, active streams and AgentOS facts", async () => {
    const operator = { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } };
    const h = await (await fetch(`http://127.0.0.1:${APP}/healthz`, operator)).json();
    expect(h.status).toBe("ok");
    expect(typeof h.uptime_s).toBe("number");
    expect(h.active_streams).toBe(0);
    expect(h.agentos.auth).toBe("none");
    expect(h.agentos.url_host).toBe("127.0.0.1");
    expect(h.agentos).toHaveProperty("last_error");
    // Anyone else learns that the chat is up, not where AgentOS is or how it failed.
    for (const headers of [{}, { Authorization: "Bearer wrong" }]) {
      const anon = await (await fetch(`http://127.0.0.1:${APP}/healthz`, { headers })).json();
      expect(anon.status).toBe("ok");
      expect(anon).not.toHaveProperty("agentos");
      expect(JSON.stringify(anon)).not.toContain("127.0.0.1");
    }
    const r = await (await fetch(`http://127.0.0.1:${APP}/readyz`)).json();
    expect(r.agentos.reachable).toBe(true);
    expect(typeof r.agentos.latency_ms).toBe("number");
  });
});
