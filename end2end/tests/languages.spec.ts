import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";

// The interface's languages: chosen from the browser's Accept-Language, changeable in
// the page (remembered), with dates and numbers written the language's way.

async function answered(page: Page) {
  await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
}

test.describe("languages", () => {
  test.use({ locale: "de-DE" });
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("a browser asking for German gets German; switching to English is remembered, the draft kept", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByTestId("new-chat")).toHaveText("Neuer Chat");
    await expect(page.getByTestId("composer-input")).toHaveAttribute("placeholder", /Nachricht eingeben/);
    await expect(page.getByTestId("chat-intro")).toContainText("Chat mit");
    await expect(page.getByTestId("language-de")).toHaveAttribute("aria-current", "true");
    // Only German's words are in the page (the other language is not sent).
    const html = await page.content();
    expect(html).toContain("Neuer Chat");
    expect(html).not.toContain("New chat");

    // The parts loaded later (the conversation) speak German too.
    await ask(page, "hallo");
    await answered(page);
    await expect(page.getByTestId("conversation-search")).toHaveAttribute("placeholder", "Diese Unterhaltung durchsuchen");
    await expect(page.getByTestId("copy-answer")).toHaveAttribute("aria-label", "Antwort kopieren");
    // Dates: a turn's time, written on hover in German.
    await page.getByTestId("user-message").last().hover();
    await expect(page.getByTestId("turn-time").last()).toHaveText(/^Gesendet \d{1,2}\.\d{1,2}\.\d{4}, \d{2}:\d{2}$|^Gesendet \d{1,2}\. \S+ \d{4}, \d{2}:\d{2}$/);

    // Switch to English, with a draft in the box: the same conversation comes back in
    // English, and the draft is still there.
    const path = new URL(page.url()).pathname;
    await page.getByTestId("composer-input").fill("ein Entwurf");
    await page.waitForTimeout(400); // the draft is saved as it is typed
    await page.getByTestId("language-en").click();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe(path);
    await expect(page.getByTestId("new-chat")).toHaveText("New chat");
    await expect(page.getByTestId("composer-input")).toHaveValue("ein Entwurf");
    await expect(page.getByTestId("user-message")).toHaveText([/hallo/]);
    await expect(page.getByTestId("language-en")).toHaveAttribute("aria-current", "true");

    // Remembered: a reload (the browser still asks for German) stays English.
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByTestId("new-chat")).toHaveText("New chat");

    // And back.
    await page.getByTestId("language-de").click();
    await expect(page.getByTestId("new-chat")).toHaveText("Neuer Chat");
  });

  test("numbers are written the language's way", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    // Over the limit (10,000 characters): the count has German digits.
    await input.fill("x".repeat(12_345));
    await expect(page.getByTestId("input-error")).toHaveText("12.345 / 10.000 Zeichen: zu lang zum Senden.");
  });

  test("a language the app does not have falls back to English", async ({ browser }) => {
    const context = await browser.newContext({ locale: "fr-FR" });
    const page = await context.newPage();
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByTestId("new-chat")).toHaveText("New chat");
    expectNoPanics(page);
    await context.close();
  });
});
