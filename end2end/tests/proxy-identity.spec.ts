import { test, expect } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";
import { DEMO_PORT, Proc, startApp } from "./support/servers";

// agno-chat behind an authenticating reverse proxy that names the user in a header.
const APP_PORT = 3105;
const BASE = `http://127.0.0.1:${APP_PORT}`;

test.describe("identity from a trusted proxy header", () => {
  let app: Proc | undefined;

  test.beforeAll(async () => {
    app = await startApp(APP_PORT, DEMO_PORT, { AGNO_CHAT_AUTH_MODE: "trusted-header", AGNO_CHAT_TRUSTED_USER_HEADER: "X-Forwarded-User" });
  });

  test.afterAll(async () => {
    await app?.stop();
  });

  test("the header names the user; without it the chat refuses", async ({ browser, request }) => {
    const carol = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-User": "carol" } });
    const page = await carol.newPage();
    await openHydrated(page, `${BASE}/?agent=echo-agent`);
    await ask(page, "carol via the proxy");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    // AgentOS stored the session under the proxy-named user; no identity cookie was needed.
    const r = await request.get(`http://127.0.0.1:${DEMO_PORT}/sessions/${sid}?type=agent`);
    expect((await r.json()).user_id).toBe("proxy:carol");
    expect((await carol.cookies()).find((c) => c.name === "agno_chat_uid")).toBeUndefined();
    expectNoPanics(page);

    // Another proxy user does not see it.
    const dave = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-User": "dave" } });
    const d = await dave.newPage();
    await openHydrated(d, `${BASE}/?agent=echo-agent&session=${sid}`);
    await expect(d.getByTestId("chat-notice")).toContainText("no longer available");
    await expect(d.locator(`[data-testid="session-item"][data-session-id="${sid}"]`)).toHaveCount(0);

    // No header: refused, except the health endpoints.
    const anon = await request.get(`${BASE}/`);
    expect(anon.status()).toBe(401);
    expect(await anon.text()).toContain("Sign-in required");
    expect((await request.get(`${BASE}/healthz`)).status()).toBe(200);
    await carol.close();
    await dave.close();
  });
});
