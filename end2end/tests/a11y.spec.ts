import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, noSeriousViolations, openHydrated } from "./support/page";
import { Proc, startApp } from "./support/servers";

// Accessibility checked by a tool: axe-core on the page's main states, with no serious or
// critical violation allowed.

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();


test.describe("accessibility", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("an empty chat, in the light and the dark theme", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "light" });
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await noSeriousViolations(page, "empty chat, light");
    await page.emulateMedia({ colorScheme: "dark" });
    await noSeriousViolations(page, "empty chat, dark");
  });

  test("a streaming answer, then its tool card opened", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "slow answer please");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "streaming", { timeout: 15_000 });
    await noSeriousViolations(page, "streaming");
    // The answer may have finished while axe ran: then there is no Stop to press.
    await page.getByTestId("stop").click({ timeout: 2_000 }).catch(() => {});

    await openHydrated(page, "/?agent=weather-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "Weather in Oslo please");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await lastAnswer(page).getByTestId("tool-card").locator("summary").click();
    await noSeriousViolations(page, "tool card");
  });

  test("the shortcuts dialog and a toast, in German, dark", async ({ browser }) => {
    const context = await browser.newContext({ locale: "de-DE", colorScheme: "dark" });
    const page = await context.newPage();
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "hallo");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await page.getByTestId("shortcuts-button").click();
    await expect(page.getByTestId("shortcuts-dialog")).toBeVisible();
    await noSeriousViolations(page, "shortcuts dialog, German, dark");
    await page.keyboard.press("Escape");
    // A toast, as a refused copy shows it.
    await page.evaluate(() => {
      Object.defineProperty(navigator, "clipboard", { value: { writeText: () => Promise.reject(new Error("no")) } });
    });
    await page.getByTestId("copy-answer").click();
    await expect(page.getByTestId("toast")).toHaveText("Der Browser hat das Kopieren nicht erlaubt.");
    await noSeriousViolations(page, "toast, German, dark");
    expectNoPanics(page);
    await context.close();
  });

  test("a human-in-the-loop prompt", async ({ page }) => {
    await openHydrated(page, "/?agent=confirm-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "please delete /srv/a11y.txt");
    await expect(lastAnswer(page).getByTestId("hitl-confirm")).toBeVisible({ timeout: 15_000 });
    await noSeriousViolations(page, "HITL prompt");
  });

  test("the drawer open on a phone, in the dark theme", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("menu-button").click();
    await expect.poll(async () => (await page.getByTestId("sidebar").boundingBox())?.x).toBe(0);
    await noSeriousViolations(page, "drawer");
  });

  test.describe("with AgentOS away", () => {
    // An app whose AgentOS address answers nothing: the "chat unavailable" view.
    const PORT = 3120;
    let app: Proc | undefined;
    test.beforeAll(async () => {
      app = await startApp(PORT, 7788);
    });
    test.afterAll(async () => {
      await app?.stop();
    });

    test("the fallback view", async ({ page }) => {
      await openHydrated(page, `http://127.0.0.1:${PORT}/`);
      await expect(page.getByTestId("chat-unavailable")).toBeVisible({ timeout: 15_000 });
      await noSeriousViolations(page, "fallback");
    });
  });
});
