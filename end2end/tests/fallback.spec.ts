import { test, expect } from "@playwright/test";
import { openHydrated } from "./support/page";
import { Proc, startApp, startDemo } from "./support/servers";

// This test owns its AgentOS so it can stop and restart it.
const AGENTOS_PORT = 7792;
const APP_PORT = 3102;

test.describe("fallback when AgentOS is down", () => {
  let demo: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    demo = await startDemo(AGENTOS_PORT);
    app = await startApp(APP_PORT, AGENTOS_PORT, {
      AGNO_CHAT_HEALTH_POLL_MS: "500",
      AGNO_CHAT_MAX_BACKOFF_MS: "2000",
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await demo?.stop();
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
    expect(await page.evaluate(() => (window as any).__noReload)).toBe("still here");
  });

  test("a page opened while AgentOS is down shows the fallback, then the chat", async ({ page }) => {
    await demo!.stop();
    await openHydrated(page, `http://127.0.0.1:${APP_PORT}/`);
    await expect(page.getByTestId("chat-unavailable")).toBeVisible({ timeout: 15_000 });
    demo = await startDemo(AGENTOS_PORT);
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Agent", { timeout: 20_000 });
  });
});
