import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";
import { DEMO_PORT } from "./support/servers";

// Long conversations stay light: the list is virtualized (with search over every turn),
// and a long answer streams as frozen blocks plus a re-rendered tail.

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

/** Adds `count` runs to a stored session straight through AgentOS's API. */
async function seedRuns(sessionId: string, userId: string, count: number) {
  for (let i = 1; i <= count; i++) {
    const body = new URLSearchParams({
      message: i % 10 === 0 ? `markdown seed ${i}` : `seed ${i} of the long conversation`,
      stream: "false",
      session_id: sessionId,
      user_id: userId,
    });
    const r = await fetch(`http://127.0.0.1:${DEMO_PORT}/agents/echo-agent/runs`, { method: "POST", body });
    expect(r.ok, await r.text()).toBeTruthy();
  }
}

test.describe("long conversations", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("the conversation's code loads on the first sign of intent, asking the server for nothing", async ({ page }) => {
    // A new chat in a fresh page: nothing has shown intent to chat yet (no pointer over
    // the list, no focus in the box), so the conversation's code is not loaded.
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.getByTestId("turn")).toHaveCount(0);
    const loaded = () =>
      page.evaluate(() => performance.getEntriesByType("resource").filter((r) => /\/pkg\/split_conversation.*\.wasm$/.test(new URL(r.name).pathname)).length);
    expect(await loaded(), "not loaded before any intent").toBe(0);
    const requests: string[] = [];
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));

    // The pointer over the list (not over a chat): the conversation's code loads, and
    // nothing else is asked of the server for it.
    await page.getByTestId("new-chat").hover();
    await expect.poll(loaded, { message: "the conversation's code loaded" }).toBe(1);
    await page.waitForTimeout(300);
    await expect(page.getByTestId("turn")).toHaveCount(0);
    // (The page's own polling of AgentOS's status and its analytics may run meanwhile.)
    const asked = requests.filter((p) => p === "/api/highlight" || p.startsWith("/api/sessions/") || p.startsWith("/api/chat/") || p.startsWith("/api/hitl/"));
    expect(asked, "loading the code asked the server for nothing").toEqual([]);

    // The conversation then works, and the code is not loaded again.
    await ask(page, "after the code loaded");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed");
    await expect(page.locator('[data-testid="user-message"] .user-text')).toHaveText(["after the code loaded"]);
    expect(await loaded()).toBe(1);
  });

  test("only turns near the viewport are in the DOM; scrolling, search and Page Up/Down reach every turn", async ({ page }) => {
    test.setTimeout(120_000);
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "first question");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = (await page.getByTestId("chat").getAttribute("data-session-id"))!;
    const session = await (await fetch(`http://127.0.0.1:${DEMO_PORT}/sessions/${sid}?type=agent`)).json();
    await seedRuns(sid, session.user_id, 79);

    await openHydrated(page, `/?agent=echo-agent&session=${sid}`);
    const turns = page.getByTestId("turn");
    await expect(turns.last()).toHaveAttribute("aria-setsize", "80", { timeout: 20_000 });
    await expect(turns.last()).toHaveAttribute("aria-posinset", "80");
    await expect(turns.last().getByTestId("user-message")).toContainText("seed 79");
    await expect(turns.last()).toBeInViewport();
    const rendered = await turns.count();
    expect(rendered).toBeGreaterThan(2);
    expect(rendered).toBeLessThan(40);
    // At first only the turns in view are built; the ones above them, kept for scrolling,
    // come once the pointer is over the list (before a wheel or a drag could scroll it).
    const above = () =>
      page.getByTestId("messages").evaluate((el) => {
        const top = el.getBoundingClientRect().top;
        return Array.from(el.querySelectorAll('[data-testid="turn"]')).filter((t) => t.getBoundingClientRect().bottom <= top).length;
      });
    expect(await above(), "turns built above the viewport before any sign of scrolling").toBe(0);
    await page.getByTestId("messages").hover();
    await expect.poll(above, { message: "turns built above the viewport once the pointer is over the list" }).toBeGreaterThan(0);
    await expect(page.getByTestId("messages")).toHaveAttribute("role", "feed");

    // Scrolling to the top renders the first turns (and drops the last ones).
    await page.getByTestId("messages").evaluate((el) => (el.scrollTop = 0));
    await expect(turns.first()).toHaveAttribute("aria-posinset", "1");
    await expect(turns.first().getByTestId("user-message")).toContainText("first question");
    await expect(page.locator('[data-testid="turn"][aria-posinset="80"]')).toHaveCount(0);
    await expect(page.getByTestId("jump-latest")).toBeVisible();

    // Search finds a turn that is not rendered and brings it into view.
    const search = page.getByTestId("conversation-search");
    await search.fill("seed 55 of");
    await search.press("Enter");
    await expect(page.getByTestId("search-status")).toHaveText("1 of 1");
    const hit = page.locator(".turn.search-hit");
    await expect(hit.getByTestId("user-message")).toContainText("seed 55 of the long conversation");
    await expect(hit).toBeInViewport();
    await expect(hit).toBeFocused();
    // Page Down moves to the next turn, as in an ARIA feed.
    await page.keyboard.press("PageDown");
    await expect(page.locator(".turn.search-hit")).toHaveAttribute("aria-posinset", "57");
    await expect(page.locator(".turn.search-hit")).toBeFocused();
    // Several matches: counted, newest first.
    await search.fill("markdown seed");
    await search.press("Enter");
    await expect(page.getByTestId("search-status")).toHaveText("7 of 7");
    await expect(page.locator(".turn.search-hit").getByTestId("user-message")).toContainText("markdown seed 70");
    await search.press("Enter");
    await expect(page.getByTestId("search-status")).toHaveText("6 of 7");
    await search.fill("nothing like this");
    await search.press("Enter");
    await expect(page.getByTestId("search-status")).toHaveText("No matches");

    // Ctrl+F opens the conversation search (the browser's own cannot see unrendered turns).
    await page.getByTestId("messages").focus();
    await page.keyboard.press("Control+f");
    await expect(search).toBeFocused();

    await page.getByTestId("jump-latest").click();
    await expect(page.locator('[data-testid="turn"][aria-posinset="80"]')).toBeInViewport();
  });

  test("a long answer streams as frozen blocks plus a live tail, and ends as a reload renders it", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "long 700");
    const answer = lastAnswer(page);
    // While streaming, finished blocks are kept as separate parts.
    await expect
      .poll(async () => answer.locator(".md-part").count(), { timeout: 15_000 })
      .toBeGreaterThan(5);
    await expect(answer).toHaveAttribute("data-status", "streaming");
    // Mark the first part's element: when the answer ends, the parts stay (the whole
    // text renders the same), so the end of a long answer builds no new DOM.
    await answer.locator(".md-part").first().evaluate((el) => ((el as any).__seen = true));
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    expect(await answer.locator(".md-part").count()).toBeGreaterThan(5);
    expect(await answer.locator(".md-part").first().evaluate((el) => (el as any).__seen === true)).toBe(true);
    const live = await answer.getByTestId("answer-text").innerText();
    expect(live).toContain("Section 3");
    await expect(answer.locator("table").first()).toBeVisible();

    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    await openHydrated(page, `/?agent=echo-agent&session=${sid}`);
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    expect(await lastAnswer(page).getByTestId("answer-text").innerText()).toBe(live);
  });

  test("a link defined after its use becomes a link when the answer ends", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    const input = page.getByTestId("composer-input");
    await input.fill("slow see [the docs][d]\n\nmore words\n\n[d]: https://example.com/docs");
    await input.press("Enter");
    const answer = lastAnswer(page);
    // While it streams, the first paragraph is frozen before the definition arrives.
    await expect(answer.locator(".md-part").first()).toContainText("[the docs][d]", { timeout: 15_000 });
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    const link = answer.getByTestId("answer-text").locator('a[href="https://example.com/docs"]');
    await expect(link).toHaveText("the docs");
    await expect(answer.getByTestId("answer-text")).not.toContainText("[d]:");
  });
});

test("assets are named by content hash and cached for a year; the page and its JS modules are revalidated", async ({ page, request }) => {
  const assets: { url: string; cache: string; lastModified: string }[] = [];
  page.on("response", (r) => {
    if (r.url().includes("/pkg/"))
      assets.push({ url: r.url(), cache: r.headers()["cache-control"] ?? "", lastModified: r.headers()["last-modified"] ?? "" });
  });
  await openHydrated(page, "/");
  const names = assets.map((a) => a.url.split("/pkg/")[1]);
  // agno-chat.<hash>.js / .wasm / .css
  for (const ext of ["js", "wasm", "css"]) {
    expect(names.some((n) => new RegExp(`^agno-chat\\.[A-Za-z0-9_-]{22}\\.${ext}$`).test(n)), `${ext} in ${names}`).toBeTruthy();
  }
  // The app's JS and the chunk loader import each other by name, so their names cannot
  // both follow their content: a browser must ask whether they changed (304 if not).
  const modules = assets.filter((a) => /\.js$/.test(a.url));
  expect(modules.length, names.join(" ")).toBe(2);
  for (const a of modules) {
    expect(a.cache, a.url).toBe("no-cache");
    const again = await request.get(a.url, { headers: { "if-modified-since": a.lastModified } });
    expect(again.status(), a.url).toBe(304);
  }
  // The chunk loader is rewritten at build time so that each lazily loaded chunk compiles
  // as it downloads (scripts/rewrite-chunk-loader.mjs), not after the chunk it depends on.
  const loader = modules.find((a) => a.url.includes("/__wasm_split."));
  expect(loader, names.join(" ")).toBeTruthy();
  const loaderJs = await (await request.get(loader!.url)).text();
  expect(loaderJs).toContain("WebAssembly.compileStreaming(fetch(");
  expect(loaderJs).not.toContain("instantiateStreaming");
  // Compressed at build time, either way a browser accepts.
  for (const coding of ["br", "gzip"]) {
    const sent = await request.get(loader!.url, { headers: { "accept-encoding": coding } });
    expect(sent.headers()["content-encoding"], coding).toBe(coding);
    expect(sent.headers()["vary"], coding).toContain("accept-encoding");
    expect(await sent.text(), coding).toBe(loaderJs);
  }
  for (const a of assets.filter((a) => !/\.js$/.test(a.url))) expect(a.cache, a.url).toBe("public, max-age=31536000, immutable");
  const html = await request.get("/");
  expect(html.headers()["cache-control"] ?? "").not.toContain("immutable");
  // The highlighting stylesheet (made by the server) is sent compressed to browsers that
  // accept it, and whole to those that do not.
  const css = await request.get("/highlight.css", { headers: { "accept-encoding": "br, gzip" } });
  expect(css.headers()["content-encoding"]).toBe("br");
  expect(css.headers()["vary"]).toContain("accept-encoding");
  expect(await css.text()).toContain(".hl-");
  const plain = await request.get("/highlight.css", { headers: { "accept-encoding": "identity" } });
  expect(plain.headers()["content-encoding"]).toBeUndefined();
  expect((await plain.text()).length).toBeGreaterThan(10_000);
  expectNoPanics(page);
});

test("a conversation's history comes compressed; the answer's stream does not", async ({ page }) => {
  const encodings = new Map<string, string>();
  page.on("response", async (r) => {
    const path = new URL(r.url()).pathname;
    if (path === "/api/chat/send" || path === "/api/sessions/history") {
      encodings.set(path, (await r.allHeaders())["content-encoding"] ?? "none");
    }
  });
  await openHydrated(page, "/?agent=echo-agent");
  await ask(page, "long 40");
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  const sid = await page.getByTestId("chat").getAttribute("data-session-id");
  await openHydrated(page, `/?agent=echo-agent&session=${sid}`);
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
  await expect.poll(() => encodings.get("/api/sessions/history")).toMatch(/^(br|gzip|zstd)$/);
  expect(encodings.get("/api/chat/send")).toBe("none");
  expectNoPanics(page);
});
