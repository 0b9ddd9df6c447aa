import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";

// Generative UI from tool results of the demo's genui-agent and from a frontend tool.

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

async function answered(page: Page) {
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
}

test.describe("generative UI", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("a chart, a table and a card grid render from tool results and again after a reload", async ({ page }) => {
    // The generative-UI renderer and the conversation's code (the list, the answer
    // renderer, the streaming client, the history loader) are wasm chunks of their own.
    const chunks: string[] = [];
    const answerChunks: string[] = [];
    const lazyChunks: string[] = [];
    page.on("request", (r) => {
      if (/\/pkg\/(split_|chunk_).*\.wasm$/.test(r.url())) lazyChunks.push(r.url());
      if (/\/pkg\/split_render_.*\.wasm$/.test(r.url())) chunks.push(r.url());
      if (/\/pkg\/split_conversation_.*\.wasm$/.test(r.url())) answerChunks.push(r.url());
    });
    await openHydrated(page, "/?agent=genui-agent");
    // No lazily loaded chunk is part of an empty chat's first load.
    await page.waitForTimeout(300);
    expect(lazyChunks).toEqual([]);
    await page.getByTestId("new-chat").click();
    // The conversation's code is fetched once the user shows the intent to chat (points
    // at the chat list, focuses or types in the composer), before a message is sent: one
    // chunk, and the few it shares with the other lazily loaded parts (the generative-UI
    // renderer, the human-in-the-loop prompt, the on-demand views with the attachments),
    // but none of those parts.
    await page.getByTestId("composer-input").pressSequentially("sh");
    await expect.poll(() => answerChunks.length).toBe(1);
    await page.waitForTimeout(300);
    expect(lazyChunks.filter((u) => /\/pkg\/split_/.test(u)).length).toBe(1);
    expect(lazyChunks.length).toBeLessThanOrEqual(8);
    await page.getByTestId("composer-input").fill("");
    await ask(page, "show me a bar chart");
    await answered(page);
    const chart = lastAnswer(page).getByTestId("genui-chart");
    await expect(chart.locator("svg title").first()).toHaveText("Quarterly revenue");
    await expect(chart.getByTestId("genui-mark")).toHaveCount(8); // 4 quarters x 2 series
    await expect(chart.getByTestId("genui-mark").first()).toHaveAttribute("aria-label", "Q1, Revenue: 120");
    await expect(chart.getByTestId("genui-legend")).toContainText("Costs");
    // Values are reachable by keyboard.
    await chart.getByTestId("genui-mark").first().focus();
    await expect(chart.getByTestId("genui-mark").first()).toBeFocused();
    expect(chunks.length).toBe(1); // fetched once, when the first spec appeared
    expect(answerChunks.length).toBe(1);

    await ask(page, "a table of cities please");
    await answered(page);
    const table = lastAnswer(page).getByTestId("genui-table");
    await expect(table.getByTestId("genui-row")).toHaveCount(4);
    await expect(table.getByTestId("genui-row").first()).toContainText("Paris");
    await table.getByTestId("genui-sort-city").click();
    await expect(table.getByTestId("genui-row").first()).toContainText("Lisbon");
    await table.getByTestId("genui-sort-city").click();
    await expect(table.getByTestId("genui-row").first()).toContainText("Rome");
    await expect(table.locator("th").first()).toHaveAttribute("aria-sort", "descending");
    await expect(table.getByTestId("genui-row").filter({ hasText: "Lisbon" })).toContainText("1.2%");
    // Dates in the browser's locale (Chromium here: en-US), not as raw ISO text.
    await expect(table.getByTestId("genui-row").filter({ hasText: "Lisbon" })).toContainText("10/15/2026");

    await ask(page, "show the agents as cards");
    await answered(page);
    await expect(lastAnswer(page).getByTestId("genui-card")).toHaveCount(3);

    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    await openHydrated(page, `/?agent=genui-agent&session=${sid}`);
    await expect(page.getByTestId("turn").last()).toHaveAttribute("aria-setsize", "3", { timeout: 15_000 });
    await expect(page.getByTestId("genui-card")).toHaveCount(3);
    // The list is virtualized: the earlier, taller turns render as they scroll into view.
    await page.getByTestId("messages").evaluate((el) => (el.scrollTop = 0));
    await expect(page.getByTestId("genui-chart")).toHaveCount(1);
    await expect(page.getByTestId("genui-table").getByTestId("genui-row")).toHaveCount(4);
  });

  test("an invalid spec shows a small error box with the reason", async ({ page }) => {
    await openHydrated(page, "/?agent=genui-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "show something broken");
    await answered(page);
    await expect(lastAnswer(page).getByTestId("genui-error")).toContainText("props.data must be a list of rows");
    await expect(lastAnswer(page).getByTestId("answer-text")).not.toHaveText("");
  });

  test("a table whose locale the browser would refuse shows the error box, now and reopened", async ({ page }) => {
    await openHydrated(page, "/?agent=genui-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "a table please, locale zzzzzzzzz");
    await answered(page);
    await expect(lastAnswer(page).getByTestId("genui-error")).toContainText("not a language tag");
    await expect(lastAnswer(page).getByTestId("answer-text")).not.toHaveText("");
    // Reopened from the history: the same box, and the page still works.
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(lastAnswer(page).getByTestId("genui-error")).toContainText("not a language tag", { timeout: 15_000 });
    await ask(page, "a table please, locale de-CH");
    await answered(page);
    await expect(lastAnswer(page).locator("table")).toHaveCount(1);
    await expect(lastAnswer(page).getByTestId("genui-error")).toHaveCount(0);
  });

  test("URLs that try to run script in a spec execute nothing", async ({ page }) => {
    await openHydrated(page, "/?agent=genui-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "something unsafe");
    await answered(page);
    const answer = lastAnswer(page);
    await expect(answer.getByTestId("genui-card")).toHaveCount(2);
    await expect(answer.locator("img")).toHaveCount(0); // javascript: and data: images are dropped
    await expect(answer.getByTestId("genui-card").first()).toContainText("<img src=x onerror");
    await expect(answer.locator('a[href^="javascript"]')).toHaveCount(0);
    await answer.getByTestId("genui-table").getByText("click me").click();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __genuiXss?: number }).__genuiXss)).toBeUndefined();
  });

  test("an artifact opens in the side panel with nested specs", async ({ page }) => {
    await openHydrated(page, "/?agent=genui-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "the yearly report");
    await answered(page);
    const panel = page.getByTestId("genui-artifact-panel");
    await expect(panel).toBeVisible();
    await expect(panel).toContainText("Revenue grew 75%");
    await expect(panel.getByTestId("genui-chart")).toHaveCount(1);
    await expect(panel.getByTestId("genui-metric")).toContainText("650");
    await page.getByTestId("genui-close-artifact").click();
    await expect(panel).toHaveCount(0);
    await page.getByTestId("genui-open-artifact").click();
    await expect(page.getByTestId("genui-artifact-panel")).toBeVisible();
  });

  test("a frontend tool's chart is drawn from its result", async ({ page }) => {
    await openHydrated(page, "/?agent=external-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "draw a chart of visitors");
    await answered(page);
    await expect(lastAnswer(page).getByTestId("genui-chart").getByTestId("genui-mark")).toHaveCount(5);
    // The handler's spec is in the tool result AgentOS stored: a reload redraws it without
    // running the handler again.
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    await openHydrated(page, `/?agent=external-agent&session=${sid}`);
    await expect(page.getByTestId("genui-chart").getByTestId("genui-mark")).toHaveCount(5, { timeout: 15_000 });
    await expect(page.getByTestId("hitl-panel")).toHaveCount(0);
  });
});
