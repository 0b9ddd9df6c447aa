import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, noSeriousViolations, openHydrated } from "./support/page";
import { attr, Receiver } from "./support/receiver";
import { metricsText, Proc, seriesValue, startApp, startDemo } from "./support/servers";

// Sharing a conversation read-only and giving feedback on answers, against the real demo
// AgentOS, with receivers this file runs for the analytics webhook and OTLP traces (the
// real opentelemetry-otlp exporter talks to them).

const AGENTOS = 7830;
const APP = 3140;
const RECEIVER = 4330;
const METRICS_TOKEN = "e2e-metrics-token-share-7a1";
const base = `http://127.0.0.1:${APP}`;

let receiver: Receiver | undefined;
const spans = () => receiver!.spans();

type Ev = { event: string; rating?: string; run_id?: string; comment_chars?: number; comment?: string; session_id?: string };
const feedbackEvents = (): Ev[] =>
  receiver!
    .bodiesAt("/webhook")
    .flatMap((b) => JSON.parse(b).events as Ev[])
    .filter((e) => e.event === "feedback_given");

const metric = async (series: string) => seriesValue(await metricsText(base, METRICS_TOKEN), series);

const finished = (page: Page, count: number) =>
  expect(page.locator('[data-testid="assistant-message"][data-status="completed"]')).toHaveCount(count, { timeout: 15_000 });

async function openShareMenu(page: Page) {
  const menu = page.getByTestId("share");
  if ((await menu.getAttribute("open")) === null) await menu.locator("summary").click();
}

test.describe("sharing and feedback", () => {
  test.describe.configure({ mode: "serial", timeout: 90_000 });
  test.use({ viewport: { width: 1280, height: 1400 } });
  let demo: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    receiver = await Receiver.start(RECEIVER);
    demo = await startDemo(AGENTOS);
    app = await startApp(APP, AGENTOS, {
      AGNO_CHAT_METRICS_TOKEN: METRICS_TOKEN,
      AGNO_CHAT_OTLP_ENDPOINT: `http://127.0.0.1:${RECEIVER}`,
      AGNO_CHAT_ANALYTICS_WEBHOOK_URL: `http://127.0.0.1:${RECEIVER}/webhook`,
      OTEL_BSP_SCHEDULE_DELAY: "200",
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await demo?.stop();
    await receiver?.close();
  });

  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("a share link opens read-only without a cookie, shows what was shared, and is 404 once revoked", async ({ page, browser }) => {
    await openHydrated(page, `${base}/?agent=echo-agent`);
    await ask(page, "share one");
    await finished(page, 1);
    await ask(page, "share two <b>bold</b>");
    await finished(page, 2);

    await openShareMenu(page);
    await expect(page.getByTestId("share").locator("summary")).toHaveText("Share");
    await page.getByTestId("share-create").click();
    const url = page.getByTestId("share-url");
    await expect(url).toHaveValue(new RegExp(`^${base}/share/[A-Za-z0-9_-]{40,}$`));
    const link = await url.inputValue();
    await expect(page.getByTestId("share-state")).toContainText("2 answers");
    await noSeriousViolations(page, "the share menu");

    // Sent after sharing: not part of the share until it is updated.
    await ask(page, "not shared yet");
    await finished(page, 3);

    // Someone else, with no cookie at all.
    const stranger = await browser.newContext();
    const view = await stranger.newPage();
    const resp = await view.goto(link);
    expect(resp?.status()).toBe(200);
    const headers = resp!.headers();
    expect(headers["x-robots-tag"]).toContain("noindex");
    expect(headers["cache-control"]).toBe("no-store");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["content-security-policy"]).toContain("default-src 'none'");
    await expect(view.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
    await expect(view.getByTestId("shared-question")).toHaveText(["share one", "share two <b>bold</b>"]);
    await expect(view.getByTestId("shared-answer")).toHaveText(["Echo: share one", "Echo: share two <b>bold</b>"]);
    await expect(view.locator("script, form, textarea, input, button")).toHaveCount(0);
    await expect(view.getByTestId("shared-note")).toContainText("Later messages are not shown");
    expect(await stranger.cookies()).toEqual([]);

    // Updated: the same link shows what is on screen now.
    await page.getByTestId("share-create").click();
    await expect(page.getByTestId("share-state")).toContainText("3 answers");
    await expect(url).toHaveValue(link);
    await view.reload();
    await expect(view.getByTestId("shared-question")).toHaveText(["share one", "share two <b>bold</b>", "not shared yet"]);

    // The owner's page remembers the share after a reload.
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(page.getByTestId("share").locator("summary")).toHaveText("Shared");
    await openShareMenu(page);
    await expect(page.getByTestId("share-url")).toHaveValue(link);

    // Revoked: not found, for the stranger and anyone else.
    await page.getByTestId("share-stop").click();
    await expect(page.getByTestId("share").locator("summary")).toHaveText("Share");
    const gone = await view.reload();
    expect(gone?.status()).toBe(404);
    await expect(view.getByTestId("share-not-found")).toBeVisible();
    await expect(view.getByTestId("shared-question")).toHaveCount(0);
    expect((await fetch(`${base}/share/not-a-real-link`)).status).toBe(404);
    await stranger.close();
    expect(await metric('agno_chat_shares_total{action="revoked"}')).toBe(1);
  });

  test("feedback is changeable, survives a reload, and reaches the webhook, the run's trace and the metrics", async ({ page }) => {
    await openHydrated(page, `${base}/?agent=echo-agent`);
    await page.getByTestId("new-chat").click();
    await ask(page, "rate this answer");
    await finished(page, 1);
    const answer = page.getByTestId("assistant-message").first();
    const runId = (await answer.getAttribute("data-run-id"))!;
    expect(runId).toBeTruthy();
    const up = answer.getByTestId("feedback-up");
    const down = answer.getByTestId("feedback-down");

    // Thumbs down, with a comment.
    await down.click();
    await expect(down).toHaveAttribute("aria-pressed", "true");
    const comment = page.getByTestId("feedback-comment");
    await comment.fill("x".repeat(2001));
    await expect(page.getByTestId("feedback-save")).toBeDisabled();
    await expect(comment).toHaveValue("x".repeat(2001));
    await comment.fill("wrong fruit");
    await page.getByTestId("feedback-save").click();
    await expect(page.getByTestId("feedback-form")).toHaveCount(0);
    await expect(answer.getByTestId("feedback-given")).toBeVisible();
    await noSeriousViolations(page, "an answer with feedback");

    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(down).toHaveAttribute("aria-pressed", "true");
    await expect(up).toHaveAttribute("aria-pressed", "false");
    await expect(answer.getByTestId("feedback-given")).toHaveAttribute("title", "wrong fruit");

    // The analytics event (without the comment's words: content reporting is off).
    await expect.poll(() => feedbackEvents().filter((e) => e.run_id === runId).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const last = feedbackEvents().filter((e) => e.run_id === runId).pop()!;
    expect(last).toMatchObject({ rating: "down", comment_chars: 11 });
    expect(last.comment).toBeUndefined();

    // The evaluation, on the run's own trace, under agno-chat's span of the run.
    await expect.poll(() => spans().filter((s) => s.name === "evaluation user_feedback").length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const turn = spans().find((s) => s.name === "invoke_agent echo-agent" && attr(s, "gen_ai.response.id") === runId)!;
    expect(turn).toBeTruthy();
    const evaluation = spans().filter((s) => s.name === "evaluation user_feedback").pop()!;
    expect(evaluation.traceId).toBe(turn.traceId);
    expect(evaluation.parentSpanId).toBe(turn.spanId);
    const result = evaluation.events?.find((e) => e.name === "gen_ai.evaluation.result");
    expect(attr(result, "gen_ai.evaluation.name")).toBe("user_feedback");
    expect(attr(result, "gen_ai.evaluation.score.label")).toBe("down");
    expect(attr(result, "gen_ai.evaluation.score.value")).toBe(0);
    expect(attr(result, "gen_ai.response.id")).toBe(runId);
    expect(attr(result, "gen_ai.evaluation.explanation")).toBeUndefined();
    expect(await metric('agno_chat_feedback_total{rating="down"}')).toBeGreaterThanOrEqual(2);

    // Changed to up, then taken back: each survives a reload.
    await up.click();
    await expect(up).toHaveAttribute("aria-pressed", "true");
    await expect(down).toHaveAttribute("aria-pressed", "false");
    await page.getByTestId("feedback-save").click();
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(up).toHaveAttribute("aria-pressed", "true");
    await up.click();
    await expect(up).toHaveAttribute("aria-pressed", "false");
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(answer).toHaveAttribute("data-status", "completed");
    await expect(up).toHaveAttribute("aria-pressed", "false");
    await expect(down).toHaveAttribute("aria-pressed", "false");
    await expect.poll(() => feedbackEvents().filter((e) => e.run_id === runId).map((e) => e.rating).pop(), { timeout: 10_000 }).toBe("cleared");
  });

  test("feedback given while another answer streams is kept once that run ends", async ({ page }) => {
    await openHydrated(page, `${base}/?agent=echo-agent`);
    await page.getByTestId("new-chat").click();
    await ask(page, "first of two");
    await finished(page, 1);
    await ask(page, "slow long 30");
    await expect(page.getByTestId("assistant-message").nth(1)).toHaveAttribute("data-status", "streaming");
    const first = page.getByTestId("assistant-message").first();
    await first.getByTestId("feedback-up").click();
    await expect(first.getByTestId("feedback-up")).toHaveAttribute("aria-pressed", "true");
    await finished(page, 2);
    // AgentOS saved the session as the run began it; agno-chat wrote the feedback again.
    await page.waitForTimeout(2500);
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(page.getByTestId("assistant-message").first().getByTestId("feedback-up")).toHaveAttribute("aria-pressed", "true");
  });
});
