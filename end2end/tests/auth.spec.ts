import { test, expect } from "@playwright/test";
import { openHydrated } from "./support/page";
import { Proc, startApp, startDemo } from "./support/servers";

// A demo AgentOS in security-key mode: the server holds the key, the browser never sees it.
const AGENTOS_PORT = 7793;
const KEY = "e2e-security-key-5f1d";

test.describe("AgentOS security key", () => {
  let demo: Proc | undefined;
  let withKey: Proc | undefined;
  let withoutKey: Proc | undefined;

  test.beforeAll(async () => {
    demo = await startDemo(AGENTOS_PORT, `--auth key --security-key ${KEY}`);
    withKey = await startApp(3103, AGENTOS_PORT, { AGNO_CHAT_AGENTOS_KEY: KEY });
    withoutKey = await startApp(3104, AGENTOS_PORT);
  });

  test.afterAll(async () => {
    await withKey?.stop();
    await withoutKey?.stop();
    await demo?.stop();
  });

  test("with the key the picker lists agents, and the key never reaches the browser", async ({ page }) => {
    const bodies: string[] = [];
    page.on("response", async (r) => {
      try {
        bodies.push(await r.text());
      } catch {
        // redirects and aborted requests have no body
      }
    });
    await openHydrated(page, "http://127.0.0.1:3103/");
    await expect(page.getByTestId("assistant-picker").locator("option")).toContainText(["Echo Agent"]);
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Agent");
    expect(bodies.length).toBeGreaterThan(3);
    for (const b of bodies) expect(b).not.toContain(KEY);
  });

  test("without the key the page says AgentOS refused, with AgentOS's reason", async ({ page }) => {
    await openHydrated(page, "http://127.0.0.1:3104/");
    const error = page.locator(".picker-error");
    await expect(error).toContainText("not allowed to use the agent service");
    await expect(error).toContainText("Authorization header required");
  });
});
