import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";
import { DEMO_PORT } from "./support/servers";

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

test.describe("streaming chat", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("tokens appear progressively, before the run completes", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "slow one two three four five six");
    const answer = lastAnswer(page);
    const text = answer.getByTestId("answer-text");
    await expect(text).toContainText("Echo:", { timeout: 15_000 });
    // The first tokens are in the DOM while the answer is still streaming.
    await expect(answer).toHaveAttribute("data-status", "streaming");
    await expect(page.getByTestId("stop")).toBeVisible();
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
    await expect(text).toHaveText("Echo: slow one two three four five six");
    await expect(page.getByTestId("composer-input")).toHaveValue("");
    await expect(page.getByTestId("send")).toBeVisible();
  });

  test("Shift+Enter adds a line and Enter sends; the session carries on", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    await input.fill("first line");
    await input.press("Shift+Enter");
    await input.pressSequentially("second");
    await expect(input).toHaveValue("first line\nsecond");
    await input.press("Enter");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await expect(page.getByTestId("user-message").last()).toContainText("first line");
    const session = await page.getByTestId("chat").getAttribute("data-session-id");
    expect(session).toBeTruthy();
    await ask(page, "again");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await expect(page.getByTestId("turn")).toHaveCount(2);
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", session!);
  });

  test("Enter while an input method is composing does not send", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    await input.fill("にほん");
    await input.evaluate((el) =>
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", isComposing: true, bubbles: true, cancelable: true })),
    );
    await input.evaluate((el) =>
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", keyCode: 229, bubbles: true, cancelable: true })),
    );
    await page.waitForTimeout(300);
    await expect(page.getByTestId("turn")).toHaveCount(0);
    await expect(input).toHaveValue("にほん");
    await input.press("Enter");
    await expect(page.getByTestId("turn")).toHaveCount(1);
  });

  test("a backend tool call shows its arguments and result", async ({ page }) => {
    await openHydrated(page, "/?agent=weather-agent");
    await ask(page, "What is the weather in Paris?");
    const card = lastAnswer(page).locator('[data-testid="tool-card"][data-tool="get_weather"]');
    await expect(card).toHaveAttribute("data-state", "done", { timeout: 15_000 });
    await card.locator("summary").click();
    await expect(card.getByTestId("tool-args")).toContainText('"city": "Paris"');
    await expect(card.getByTestId("tool-result")).toContainText("sunny");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed");
    await expect(lastAnswer(page).getByTestId("answer-text")).toContainText("Tool said:");
  });

  test("reasoning is shown, collapsible", async ({ page }) => {
    await openHydrated(page, "/?agent=reasoning-agent");
    await ask(page, "Why is the sky blue?");
    const reasoning = lastAnswer(page).getByTestId("reasoning");
    await expect(reasoning).toBeVisible({ timeout: 15_000 });
    await reasoning.locator("summary").click();
    await expect(reasoning).toContainText("First, I restate the request");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
  });

  test("a model error shows a clear message and keeps the partial answer", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "boom now please");
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute("data-status", "error", { timeout: 15_000 });
    await expect(answer.getByTestId("answer-error")).toContainText("exploded");
    await expect(answer.getByTestId("answer-text")).not.toBeEmpty();
    await expect(answer.getByTestId("retry")).toBeVisible();
  });

  test("a tool error shows on its card and the answer goes on", async ({ page }) => {
    await openHydrated(page, "/?agent=weather-agent");
    await ask(page, "weather for fail city");
    const card = lastAnswer(page).getByTestId("tool-card").first();
    await expect(card).toHaveAttribute("data-state", "failed", { timeout: 15_000 });
    await card.locator("summary").click();
    await expect(card.getByTestId("tool-error")).toContainText("weather service unavailable");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
  });

  test("Stop cancels the run on the server and the message shows as stopped", async ({ page, request }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "slow one two three four five six seven eight nine ten eleven twelve");
    const answer = lastAnswer(page);
    await expect(answer.getByTestId("answer-text")).toContainText("Echo:", { timeout: 15_000 });
    await page.getByTestId("stop").click();
    await expect(answer).toHaveAttribute("data-status", "cancelled", { timeout: 10_000 });
    await expect(answer.getByTestId("answer-status")).toHaveText("Stopped");
    const partial = await answer.getByTestId("answer-text").innerText();
    expect(partial).not.toContain("twelve");
    const session = await page.getByTestId("chat").getAttribute("data-session-id");
    expect(session).toBeTruthy();
    // AgentOS itself stored the run as cancelled.
    await expect
      .poll(async () => {
        const r = await request.get(`http://127.0.0.1:${DEMO_PORT}/sessions/${session}/runs?type=agent`);
        const runs = await r.json();
        return runs.map((run: any) => run.status);
      })
      .toContain("CANCELLED");
    // The text stays still after stopping.
    await page.waitForTimeout(1000);
    expect(await answer.getByTestId("answer-text").innerText()).toBe(partial);
  });

  test("agent output with <script> and <img onerror> executes nothing", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "xss please");
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await expect(answer.getByTestId("answer-text")).toContainText("<script>");
    await expect(answer.getByTestId("answer-text")).toContainText("onerror");
    await expect(answer.locator("script, img")).toHaveCount(0);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  });

  test("an answer's Copy action puts its markdown on the clipboard", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "markdown sample please");
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const copy = answer.getByTestId("copy-answer");
    // Shown on hover (and on keyboard focus), with a name and a tooltip.
    await answer.hover();
    await expect(copy).toHaveCSS("opacity", "1");
    await expect(copy).toHaveAttribute("aria-label", "Copy answer");
    await copy.click();
    await expect(copy).toContainText("Copied");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain("# Markdown sample");
    expect(copied).toContain("```rust");
  });

  test("math in an answer is drawn as MathML, also after a reload", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "some math please");
    const check = async () => {
      const answer = lastAnswer(page);
      await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
      const inline = answer.locator('.math[data-math="inline"]').first();
      await expect(inline.locator("math")).toHaveCount(1);
      await expect(inline.locator("math msup")).toHaveCount(1); // mc^2
      const block = answer.locator('.math[data-math="block"]');
      await expect(block.locator('math[display="block"] mfrac')).toHaveCount(1);
      // Drawn by the browser: the formula has a size, and no TeX is left to read.
      expect((await block.boundingBox())!.height).toBeGreaterThan(20);
      await expect(answer.getByTestId("answer-text")).not.toContainText("\\frac");
      // A lone dollar sign stays text.
      await expect(answer.getByTestId("answer-text")).toContainText("A price of $5 stays text.");
    };
    await check();
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await check();
  });

  test("markdown renders with tables, code blocks and a copy button", async ({ page, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    const stylesheets: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/highlight.css")) stylesheets.push(r.url());
    });
    await openHydrated(page, "/?agent=echo-agent");
    // The highlighting stylesheet is not part of an empty chat's first load.
    await page.waitForTimeout(300);
    expect(stylesheets).toEqual([]);
    await ask(page, "markdown sample please");
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
    await expect(answer.locator("table")).toHaveCount(1);
    const block = answer.locator(".code-block").first();
    await expect(block.locator("code.language-rust")).toBeVisible();
    await block.getByRole("button", { name: "Copy code" }).click();
    await expect(block.getByRole("button", { name: "Copy code" })).toHaveText("Copied");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain("fn ");
    // Code is highlighted (by the server) once the answer is complete.
    await expect(block.locator("code")).toHaveAttribute("data-hl", "done");
    const spans = await block.locator("code span[class*='hl-']").count();
    expect(spans).toBeGreaterThan(3);
    // ... and styled: the stylesheet came with the answer renderer, once.
    expect(stylesheets.length).toBe(1);
    const colours = await block
      .locator("code span[class*='hl-']")
      .evaluateAll((els) => new Set(els.map((e) => getComputedStyle(e).color)).size);
    expect(colours).toBeGreaterThan(1);

    // Reopened (a reload), the conversation comes with its code highlighted: shown
    // highlighted at once, with no request per block.
    const highlightRequests: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("/api/highlight")) highlightRequests.push(r.url());
    });
    await page.reload();
    await page.waitForSelector("body[data-hydrated=true]", { state: "attached" });
    const reopened = lastAnswer(page).locator(".code-block").first();
    await expect(reopened.locator("code")).toHaveAttribute("data-hl", "done");
    expect(await reopened.locator("code span[class*='hl-']").count()).toBe(spans);
    await page.waitForTimeout(300);
    expect(highlightRequests).toEqual([]);
  });

  test("over-long input is refused with a clear message and the text is kept", async ({ page, request }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const long = "x".repeat(10_001);
    const input = page.getByTestId("composer-input");
    await input.fill(long);
    await expect(page.getByTestId("input-error")).toContainText("too long");
    await input.press("Enter");
    await expect(page.getByTestId("input-error")).toContainText("the limit is 10,000");
    await expect(input).toHaveValue(long);
    await expect(page.getByTestId("turn")).toHaveCount(0);
    // Whitespace only is refused too.
    await input.fill("   ");
    await input.press("Enter");
    await expect(page.getByTestId("input-error")).toHaveText("Type a message first.");

    // The server enforces the same rule when the browser is bypassed.
    const r = await request.post("/api/chat/send", {
      data: { req: { kind: "agent", assistant_id: "echo-agent", session_id: null, message: long } },
    });
    expect(r.status()).toBe(200);
    // Streams are marked so that reverse proxies neither buffer nor transform them.
    expect(r.headers()["x-accel-buffering"]).toBe("no");
    expect(r.headers()["cache-control"]).toContain("no-transform");
    expect(r.headers()["content-encoding"]).toBeUndefined();
    const body = await r.text();
    expect(body).toContain('"type":"failed"');
    expect(body).toContain('"kind":"invalid"');
    expect(body).toContain("the limit is 10000");
  });

  test("a long conversation scrolls inside its list, never the page", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await openHydrated(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    for (let i = 1; i <= 8; i++) {
      const text = `turn number ${i} of a long conversation`;
      await ask(page, text);
      // The send rate allows a burst of five: a refused send stays in the box; sent again.
      await expect(async () => {
        if ((await input.inputValue()) === text) await input.press("Enter");
        await expect(page.getByTestId("user-message").last()).toContainText(text, { timeout: 1_000 });
      }).toPass({ timeout: 30_000 });
      await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    }
    const page_ = () => page.evaluate(() => ({ height: document.scrollingElement!.scrollHeight, view: innerHeight, y: scrollY }));
    expect((await page_()).height).toBeLessThanOrEqual((await page_()).view);
    await page.getByTestId("sidebar").hover();
    await page.mouse.wheel(0, 800);
    await page.getByTestId("messages").focus();
    await page.keyboard.press("PageUp");
    await page.keyboard.press("End");
    await page.waitForTimeout(300);
    expect((await page_()).y).toBe(0);
    // The composer stays at the bottom of the window.
    const box = await page.getByTestId("composer-input").boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(720);
  });

  test("earlier messages are not re-rendered while a new answer streams", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "first question");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await page.getByTestId("answer-text").first().evaluate((el) => ((el as any).__marker = "kept"));
    await ask(page, "slow second question here");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
    expect(await page.getByTestId("answer-text").first().evaluate((el) => (el as any).__marker)).toBe("kept");
  });

  test("follows the stream, offers 'jump to latest' after scrolling up, and announces progress", async ({ page }) => {
    await page.setViewportSize({ width: 900, height: 600 });
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "long 400");
    const log = page.getByTestId("messages");
    const gap = () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    // While streaming, the view stays at the bottom.
    await expect.poll(() => log.evaluate((el) => el.scrollHeight > el.clientHeight * 1.5), { timeout: 20_000 }).toBe(true);
    expect(await gap()).toBeLessThan(60);
    // Scrolling up stops following and offers a way back.
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect(page.getByTestId("jump-latest")).toBeVisible();
    await page.waitForTimeout(500);
    expect(await log.evaluate((el) => el.scrollTop)).toBeLessThan(50);
    await page.getByTestId("jump-latest").click();
    await expect(page.getByTestId("jump-latest")).toHaveCount(0);
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    expect(await gap()).toBeLessThan(60);
    await expect(page.getByTestId("announcer")).toHaveText("Answer complete.");
  });

  test("usable by keyboard alone: type, send, stop", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    for (let i = 0; i < 12; i++) {
      if (await page.getByTestId("composer-input").evaluate((el) => el === document.activeElement)) break;
      await page.keyboard.press("Tab");
    }
    await expect(page.getByTestId("composer-input")).toBeFocused();
    await page.keyboard.type("slow keyboard only one two three four five six seven");
    await page.keyboard.press("Enter");
    await expect(lastAnswer(page).getByTestId("answer-text")).toContainText("Echo:", { timeout: 15_000 });
    // Tab from the box reaches the attach button, then Stop.
    await page.getByTestId("composer-input").focus();
    await page.keyboard.press("Tab");
    await expect(page.getByTestId("attach-input")).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(page.getByTestId("stop")).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "cancelled", { timeout: 10_000 });
  });

  test("a team answer shows its member's activity", async ({ page }) => {
    await openHydrated(page, "/?team=echo-team");
    await ask(page, "hello team");
    const answer = lastAnswer(page);
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
    const member = answer.getByTestId("member-activity");
    await expect(member).toHaveCount(1);
    await expect(member.getByTestId("member-text")).toContainText("Echo:");
    // Name and state are told apart, for the eye and for screen readers.
    await expect(member.locator("summary")).toHaveText(/Echo Member\s*·\s*done/);
    await expect(answer.getByTestId("answer-text")).toContainText("hello team");
  });
});
