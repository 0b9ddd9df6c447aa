import { test, expect } from "@playwright/test";
import { openHydrated } from "./support/page";

test.describe("foundation", () => {
  test("the page hydrates without errors and shows the chat", async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await openHydrated(page);
    await expect(page).toHaveTitle("agno-chat");
    await expect(page.getByTestId("chat")).toBeVisible();
    await expect(page.getByTestId("composer-input")).toBeEditable();
    // The default is the first agent AgentOS lists.
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Agent");
    expect(errors).toEqual([]);
  });

  test("the picker lists the demo agents and teams and deep-links the choice", async ({ page }) => {
    await openHydrated(page);
    const picker = page.getByTestId("assistant-picker");
    const agents = picker.locator('optgroup[label="Agents"] option');
    const teams = picker.locator('optgroup[label="Teams"] option');
    await expect(agents).toContainText(["Echo Agent", "Weather Agent"], { timeout: 10_000 });
    const agentValues = await agents.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    for (const id of [
      "echo-agent",
      "weather-agent",
      "reasoning-agent",
      "confirm-agent",
      "external-agent",
      "input-agent",
      "genui-agent",
      "fail-agent",
    ]) {
      expect(agentValues).toContain(`agent:${id}`);
    }
    const teamValues = await teams.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(teamValues).toContain("team:echo-team");

    // Choosing a team changes the URL and the conversation header, without a reload.
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await picker.selectOption("team:echo-team");
    await expect(page).toHaveURL(/\/teams\/echo-team(\/c\/[\w-]+)?$/);
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Team");
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    // Back and Forward follow the choices, still without a reload.
    await page.goBack();
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Agent");
    await expect(picker).toHaveValue("agent:echo-agent");
    await page.goForward();
    await expect(page).toHaveURL(/\/teams\/echo-team(\/c\/[\w-]+)?$/);
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Team");
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

    // A deep link opens the named agent directly.
    await openHydrated(page, "/?agent=weather-agent");
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Weather Agent");
    await expect(picker).toHaveValue("agent:weather-agent");

    // An unknown id falls back to the default rather than failing.
    await openHydrated(page, "/?agent=no-such-agent");
    await expect(page.getByTestId("chat-intro")).toContainText("Chat with Echo Agent");
  });

  test("the page starts loading the app before its stylesheets, with every file it needs announced", async ({ page, request }) => {
    const res = await request.get("/", { headers: { "accept-encoding": "gzip, deflate, br" } });
    // Compressed as it streams (each chunk flushed), brotli when offered.
    expect(res.headers()["content-encoding"]).toBe("br");
    const html = await res.text();
    expect(html).toContain("</html>");
    const head = html.slice(0, html.indexOf("</head>"));
    const firstStylesheet = head.indexOf('rel="stylesheet"');
    // (It first makes Enter and Send safe until the app has started, see early-input.spec.)
    const startScript = head.search(
      /<script nonce="[^"]+" data-js="\/pkg\/agno-chat\.[^"]+\.js" data-wasm="\/pkg\/agno-chat\.[^"]+\.wasm">[^<]*data-queued[^<]*import\(files\.js\)/,
    );
    expect(startScript).toBeGreaterThan(-1);
    expect(startScript).toBeLessThan(firstStylesheet);
    // The app's JS, the chunk loader it imports, and the wasm are all announced up front.
    expect(head).toMatch(/<link rel="modulepreload" href="\/pkg\/agno-chat\.[^"]+\.js">/);
    expect(head).toMatch(/<link rel="modulepreload" href="\/pkg\/__wasm_split\.[^"]+\.js">/);
    expect(head).toMatch(/<link rel="preload" href="\/pkg\/agno-chat\.[^"]+\.wasm" as="fetch"/);
    // And the page starts from that script: one hydration, no errors.
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await openHydrated(page);
    await expect(page.getByTestId("composer-input")).toBeEditable();
    expect(await page.evaluate(() => performance.getEntriesByName("agno-chat:hydrate").length)).toBe(1);
    expect(errors).toEqual([]);
  });

  test("any other path is not found: 404, a message, and a page that still hydrates", async ({ page, request }) => {
    const res = await request.get("/no-such-page?agent=echo-agent");
    expect(res.status()).toBe(404);
    const html = await res.text();
    expect(html).toContain("Page not found.");
    expect(html).not.toContain('data-testid="chat"');
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await openHydrated(page, "/no-such-page");
    await expect(page.locator(".not-found")).toHaveText("Page not found.");
    await expect(page.getByTestId("composer-input")).toHaveCount(0);
    expect(errors).toEqual([]);
    // The chat itself is still at /.
    await openHydrated(page, "/");
    await expect(page.getByTestId("composer-input")).toBeEditable();
  });

  test("liveness and readiness endpoints", async ({ request }) => {
    const live = await request.get("/healthz");
    expect(live.status()).toBe(200);
    expect((await live.json()).status).toBe("ok");
    const ready = await request.get("/readyz");
    expect(ready.status()).toBe(200);
    const body = await ready.json();
    expect(body.status).toBe("ready");
    expect(body.agentos.reachable).toBe(true);
    expect(typeof body.agentos.latency_ms).toBe("number");
  });
});
