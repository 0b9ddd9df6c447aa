import { test, expect } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ask, expectNoPanics, openHydrated } from "./support/page";
import { Proc, startApp, startDemo } from "./support/servers";

// This test owns its AgentOS so it can stop and restart it.
const AGENTOS_PORT = 7792;
const APP_PORT = 3102;
// A fixed cookie key, so visitors keep their identity when the app restarts.
const APP_ENV = {
  AGNO_CHAT_HEALTH_POLL_MS: "500",
  AGNO_CHAT_MAX_BACKOFF_MS: "2000",
  AGNO_CHAT_COOKIE_KEY: "e2e-cookie-key-0123456789abcdef0123456789",
};

test.describe("fallback when AgentOS is down", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  let demo: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    demo = await startDemo(AGENTOS_PORT);
    app = await startApp(APP_PORT, AGENTOS_PORT, APP_ENV);
  });

  test.afterAll(async () => {
    await app?.stop();
    await demo?.stop();
  });

  test("checks that find AgentOS up leave the page as it is (nothing is rebuilt)", async ({ page }) => {
    await openHydrated(page, `http://127.0.0.1:${APP_PORT}/?agent=echo-agent`);
    const input = page.getByTestId("composer-input");
    await input.fill("hello there");
    await input.press("Enter");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    // Mark the elements; a rebuilt view would replace them with fresh ones.
    const mark = () =>
      page.evaluate(() =>
        ["messages", "assistant-message", "session-list", "chat"].forEach(
          (id) => ((document.querySelector(`[data-testid="${id}"]`) as any).__mark = true),
        ),
      );
    const marked = () =>
      page.evaluate(() =>
        ["messages", "assistant-message", "session-list", "chat"].filter(
          (id) => (document.querySelector(`[data-testid="${id}"]`) as any)?.__mark === true,
        ),
      );
    await mark();
    // Checks every 500 ms here: let three go by.
    for (let i = 0; i < 3; i++) await page.waitForResponse((r) => r.url().includes("/api/status"), { timeout: 10_000 });
    expect(await marked()).toEqual(["messages", "assistant-message", "session-list", "chat"]);
  });

  test("stopping AgentOS shows the fallback; restarting brings the chat back with the draft kept", async ({ page, request }) => {
    const base = `http://127.0.0.1:${APP_PORT}`;
    await openHydrated(page, `${base}/`);
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with");
    const input = page.getByTestId("composer-input");
    await input.fill("a message I was still writing");
    await page.evaluate(() => ((window as any).__noReload = "still here"));

    await demo!.stop();
    const fallback = page.getByTestId("chat-unavailable");
    await expect(fallback).toBeVisible({ timeout: 15_000 });
    await expect(fallback).toContainText("Chat unavailable");
    await expect(fallback.getByRole("link", { name: "FAQ" })).toHaveAttribute("href", "https://example.com/faq");
    await expect(fallback.getByRole("link", { name: "Contact support" })).toHaveAttribute("href", "https://example.com/support");
    const ready = await request.get(`${base}/readyz`);
    expect(ready.status()).toBe(503);
    expect((await ready.json()).agentos.reachable).toBe(false);

    demo = await startDemo(AGENTOS_PORT);
    await expect(page.getByTestId("chat")).toBeVisible({ timeout: 20_000 });
    await expect(fallback).toHaveCount(0);
    await expect(page.getByTestId("composer-input")).toHaveValue("a message I was still writing");
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with");
    // The return is news that passes: a toast in the live region, closable.
    const toast = page.getByTestId("toasts").getByTestId("toast");
    await expect(toast).toHaveText("Connected again.");
    await expect(page.getByTestId("toasts")).toHaveAttribute("aria-live", "polite");
    await toast.getByRole("button", { name: "Close" }).click();
    await expect(toast).toHaveCount(0);
    expect(await page.evaluate(() => (window as any).__noReload)).toBe("still here");
  });

  test("an answer cut off by AgentOS going away is kept, marked, and can be retried", async ({ page }) => {
    await openHydrated(page, `http://127.0.0.1:${APP_PORT}/?agent=echo-agent`);
    const input = page.getByTestId("composer-input");
    await input.fill("slow one two three four five six seven eight nine ten");
    await input.press("Enter");
    const answer = page.getByTestId("assistant-message").last();
    await expect(answer.getByTestId("answer-text")).toContainText("Echo:", { timeout: 15_000 });
    await demo!.stop();
    await expect(page.getByTestId("chat-unavailable")).toBeVisible({ timeout: 15_000 });
    demo = await startDemo(AGENTOS_PORT);
    await expect(page.getByTestId("chat")).toBeVisible({ timeout: 20_000 });
    // The conversation survived the switch; the cut-off answer is marked and kept.
    const cut = page.getByTestId("assistant-message").last();
    await expect(cut).toHaveAttribute("data-status", "interrupted");
    await expect(cut.getByTestId("answer-text")).toContainText("Echo:");
    await expect(cut.getByTestId("answer-error")).toContainText("kept");
    await cut.getByTestId("retry").click();
    await expect(page.getByTestId("turn")).toHaveCount(2);
    const again = page.getByTestId("assistant-message").last();
    await expect(again).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(again.getByTestId("answer-text")).toContainText("ten");
  });

  test("an answer whose connection drops (chat server restart) resumes after the last event seen", async ({ page }) => {
    const resumes: string[] = [];
    page.on("request", (r) => r.url().includes("/api/chat/resume") && resumes.push(r.postData() ?? ""));
    await openHydrated(page, `http://127.0.0.1:${APP_PORT}/?agent=echo-agent`);
    const question = "slow one two three four five six seven eight nine ten eleven twelve";
    const input = page.getByTestId("composer-input");
    await input.fill(question);
    await input.press("Enter");
    const answer = page.getByTestId("assistant-message").last();
    await expect(answer.getByTestId("answer-text")).toContainText("Echo: slow one", { timeout: 15_000 });
    // The chat server dies mid-answer (no graceful shutdown, so the stream just drops);
    // the run goes on in AgentOS (background run).
    await app!.kill();
    app = await startApp(APP_PORT, AGENTOS_PORT, APP_ENV);
    await expect(page.getByTestId("chat")).toBeVisible({ timeout: 20_000 });
    const resumed = page.getByTestId("assistant-message").last();
    await expect(resumed).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(resumed.getByTestId("answer-text")).toHaveText(`Echo: ${question}`);
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    expect(resumes[resumes.length - 1]).toMatch(/last_event_index=\d+/);
  });

  test("a page opened while AgentOS is down shows the fallback, then the chat", async ({ page }) => {
    await demo!.stop();
    await openHydrated(page, `http://127.0.0.1:${APP_PORT}/`);
    await expect(page.getByTestId("chat-unavailable")).toBeVisible({ timeout: 15_000 });
    demo = await startDemo(AGENTOS_PORT);
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Agent", { timeout: 20_000 });
  });
});

test.describe("a conversation shown from the server's copy while AgentOS is away", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  // An AgentOS of its own, stopped by the test; the page's own checks of AgentOS are far
  // apart, so the chat stays on screen and only the opening finds AgentOS gone.
  const OS_PORT = 7794;
  const PORT = 3106;
  let demo: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    demo = await startDemo(OS_PORT);
    app = await startApp(PORT, OS_PORT, { AGNO_CHAT_HEALTH_POLL_MS: "600000" });
  });

  test.afterAll(async () => {
    await app?.stop();
    await demo?.stop();
  });

  test("is shown, and the page says that newer messages could not be looked for", async ({ page }) => {
    const base = `http://127.0.0.1:${PORT}`;
    await openHydrated(page, `${base}/?agent=echo-agent`);
    await ask(page, "kept while AgentOS is away");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    expect(sid).toBeTruthy();
    // Opened once (every run asked of AgentOS): the server keeps a copy of it.
    const listed = page.waitForResponse((r) => r.url().includes("/api/sessions/history"));
    await openHydrated(page, `${base}/?agent=echo-agent&session=${sid}`);
    await listed;
    await expect(page.getByTestId("answer-text")).toHaveCount(1);

    await demo!.stop();
    // Opened again from the list: AgentOS cannot be asked for newer runs, so the
    // server's copy is shown as it is.
    await page.getByTestId("new-chat").click();
    await expect(page.getByTestId("answer-text")).toHaveCount(0);
    const opened = page.waitForResponse((r) => r.url().includes("/api/sessions/history"), { timeout: 30_000 });
    await page.locator(`[data-testid="session-item"][data-session-id="${sid}"] .session-open`).click();
    await expect(page.getByTestId("answer-text")).toHaveText(["Echo: kept while AgentOS is away"]);
    expect((await opened).ok()).toBe(true);
    await expect(page.getByTestId("chat-notice")).toContainText(
      "shown as the server last saw it: newer messages could not be looked for",
    );
    // Still the conversation: its turn stays, the composer takes a message.
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", sid!);
    await expect(page.getByTestId("chat-unavailable")).toHaveCount(0);
    await expect(page.getByTestId("composer-input")).toBeEditable();
  });
});

test.describe("a reload while AgentOS is down", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  // AgentOS keeps its sessions across its restart, as a deployed one does.
  const OS_PORT = 7799;
  const PORT = 3116;
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), "agno-chat-fallback-"));
  const startAgentOs = () => startDemo(OS_PORT, `--db-dir ${dbDir}`);
  let demo: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    demo = await startAgentOs();
    app = await startApp(PORT, OS_PORT, APP_ENV);
  });

  test.afterAll(async () => {
    await app?.stop();
    await demo?.stop();
    fs.rmSync(dbDir, { recursive: true, force: true });
  });

  test("a reload while AgentOS is down comes back to the same conversation and draft, without stale notices", async ({ page }) => {
    const base = `http://127.0.0.1:${PORT}`;
    await openHydrated(page, `${base}/?agent=echo-agent`);
    await ask(page, "written before the outage");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    expect(sid).toBeTruthy();
    const input = page.getByTestId("composer-input");
    await input.fill("a draft for that conversation");
    await page.waitForTimeout(500); // the draft is saved as it is typed

    await demo!.stop();
    const fallback = page.getByTestId("chat-unavailable");
    await expect(fallback).toBeVisible({ timeout: 15_000 });
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(fallback).toBeVisible({ timeout: 15_000 });

    demo = await startAgentOs();
    await expect(page.getByTestId("chat")).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", sid!, { timeout: 15_000 });
    await expect(page.getByTestId("user-message")).toHaveText([/written before the outage/], { timeout: 15_000 });
    await expect(page.getByTestId("composer-input")).toHaveValue("a draft for that conversation");
    await expect(page.locator(`[data-testid="session-item"][data-session-id="${sid}"]`)).toHaveCount(1, { timeout: 15_000 });
    await expect(page.getByTestId("chat-notice")).toHaveCount(0);
    await expect(page.getByTestId("session-list").getByRole("alert")).toHaveCount(0);
    // What was shown while AgentOS was away spoke of the service, not of sockets.
    expect(await page.content()).not.toMatch(/os error|Connection refused|AgentOS closed/);
  });
});
