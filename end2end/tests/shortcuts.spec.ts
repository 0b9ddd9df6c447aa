import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";

// Keyboard shortcuts and their "?" dialog; the agent's avatar; a turn's time on hover.

async function answered(page: Page) {
  await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
}

test.describe("keyboard shortcuts", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("? lists the shortcuts in a modal dialog; Escape closes it and focus comes back", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.locator("body").press("Shift+?");
    const dialog = page.getByTestId("shortcuts-dialog");
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("heading")).toHaveText("Keyboard shortcuts");
    await expect(dialog.locator("tr")).toHaveCount(6);
    await expect(dialog).toContainText("New chat");
    await expect(dialog.locator("kbd").first()).toHaveText("Ctrl");
    // Modal: the rest of the page is out of reach.
    expect(await dialog.evaluate((d: HTMLDialogElement) => d.matches(":modal"))).toBe(true);
    await page.keyboard.press("Escape");
    await expect(dialog).toHaveCount(0);

    // The header's button opens it too, and its Close button closes it.
    const button = page.getByTestId("shortcuts-button");
    await expect(button).toHaveAttribute("aria-label", "Keyboard shortcuts");
    await button.click();
    await expect(dialog).toBeVisible();
    await page.getByTestId("shortcuts-close").click();
    await expect(dialog).toHaveCount(0);
    await expect(button).toBeFocused();

    // "?" typed in the message box is a character.
    const input = page.getByTestId("composer-input");
    await input.click();
    await input.press("Shift+?");
    await expect(input).toHaveValue("?");
    await expect(dialog).toHaveCount(0);
  });

  test("new chat, message box, search, sidebar and stop from the keyboard", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    await ask(page, `shortcut chat ${Date.now()}`);
    await answered(page);
    await expect(page).toHaveURL(/\/c\//);

    // Ctrl+Shift+O: a new chat, with focus in the message box.
    await page.locator("body").press("Control+Shift+O");
    await expect(page.getByTestId("turn")).toHaveCount(0);
    await expect(page).not.toHaveURL(/\/c\//);
    await expect(input).toBeFocused();

    // Ctrl+K: the chats' search; Shift+Escape: back to the message box.
    await page.keyboard.press("Control+K");
    await expect(page.getByTestId("session-search")).toBeFocused();
    await page.keyboard.press("Shift+Escape");
    await expect(input).toBeFocused();

    // Ctrl+Shift+S hides and shows the sidebar.
    const sidebar = page.getByTestId("sidebar");
    await page.keyboard.press("Control+Shift+S");
    await expect(sidebar).toBeHidden();
    // Ctrl+K shows it again to search.
    await page.keyboard.press("Control+K");
    await expect(sidebar).toBeVisible();
    await expect(page.getByTestId("session-search")).toBeFocused();
    await page.keyboard.press("Control+Shift+S");
    await expect(sidebar).toBeHidden();
    await page.keyboard.press("Control+Shift+S");
    await expect(sidebar).toBeVisible();

    // Escape in the message box stops a streaming answer.
    await ask(page, "slow one two three four five six seven eight nine ten eleven twelve");
    await expect(page.getByTestId("stop")).toBeVisible();
    await input.press("Escape");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "cancelled", { timeout: 15_000 });
  });

  test("on a phone, Ctrl+K opens the drawer at its search", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.getByTestId("shortcuts-button")).toBeHidden();
    await page.locator("body").press("Control+K");
    await expect(page.getByTestId("sidebar")).toBeVisible();
    await expect(page.getByTestId("session-search")).toBeFocused();
  });
});

test.describe("the agent's look and a turn's time", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("each agent has its initial and colour, in the empty chat and on each answer", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const intro = page.getByTestId("chat-intro").getByTestId("avatar");
    await expect(intro).toHaveText("E");
    const echoHue = await intro.getAttribute("class");
    expect(echoHue).toMatch(/\bhue-[0-7]\b/);
    await expect(intro).toHaveAttribute("aria-hidden", "true");
    await ask(page, "hello avatar");
    await answered(page);
    const onAnswer = page.getByTestId("assistant-message").last().getByTestId("avatar");
    await expect(onAnswer).toHaveText("E");
    expect((await onAnswer.getAttribute("class"))!.match(/hue-\d/)![0]).toBe(echoHue!.match(/hue-\d/)![0]);

    // Another agent: its own initial (and, by its id, its own colour).
    const picker = page.getByTestId("assistant-picker");
    const other = await picker.locator("option").evaluateAll((os) =>
      (os as HTMLOptionElement[]).map((o) => ({ value: o.value, name: o.textContent!.trim() })).find((o) => !o.value.endsWith(":echo-agent")),
    );
    await picker.selectOption(other!.value);
    const initial = other!.name.match(/[\p{L}\p{N}]/u)![0].toUpperCase();
    await expect(page.getByTestId("chat-intro").getByTestId("avatar")).toHaveText(initial);
  });

  test("a turn's time shows when the pointer or focus reaches it", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "what time is it");
    await answered(page);
    const time = page.getByTestId("turn-time").last();
    await expect(time).toHaveText("");
    await page.getByTestId("user-message").last().hover();
    await expect(time).toHaveText(/^Sent \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/);
    await expect(time).toHaveCSS("opacity", "0.8");
    // A reopened conversation has its turns' times from AgentOS.
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await page.getByTestId("turn").last().focus();
    await expect(page.getByTestId("turn-time").last()).toHaveText(/^Sent /);
  });
});
