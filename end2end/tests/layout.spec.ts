import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";

// The page's layout and look: the drawer on a phone, the collapsible sidebar, the theme,
// and icons drawn as SVG.

const PHONE = { width: 390, height: 844 };

async function answered(page: Page) {
  await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
}

/** A past chat (with `text` as its first message) and a new, empty one after it. */
async function pastChat(page: Page, text: string): Promise<string> {
  await page.getByTestId("new-chat").click();
  await ask(page, text);
  await answered(page);
  const id = await page.getByTestId("session-item").filter({ hasText: text }).first().getAttribute("data-session-id");
  await page.getByTestId("new-chat").click();
  await expect(page.getByTestId("turn")).toHaveCount(0);
  return id!;
}

test.describe("layout", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("on a phone, the chats are in a drawer: open, pick a past chat, it opens", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await openHydrated(page, "/?agent=echo-agent");
    const sidebar = page.getByTestId("sidebar");
    const toggle = page.getByTestId("menu-button");
    await expect(page.getByTestId("sidebar-toggle")).toBeHidden();
    await expect(sidebar).toBeHidden();
    await expect(toggle).toHaveAttribute("aria-expanded", "false");

    // A past chat, made from the drawer's own New chat button.
    await toggle.click();
    await expect(sidebar).toBeVisible();
    const text = `drawer ${Date.now()}`;
    await page.getByTestId("new-chat").click();
    await expect(sidebar).toBeHidden(); // choosing closes the drawer
    await ask(page, text);
    await answered(page);
    await toggle.click();
    await page.getByTestId("new-chat").click();
    await expect(page.getByTestId("turn")).toHaveCount(0);

    // Open the drawer: focus moves into it, and the page behind is out of reach.
    await toggle.click();
    await expect(sidebar).toBeVisible();
    await expect(page.getByTestId("new-chat")).toBeFocused();
    await expect(page.locator(".main-column")).toHaveAttribute("inert", "");
    // Tab never reaches the page behind: every stop is in the drawer (or leaves the page).
    const outside: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press(i < 4 ? "Tab" : "Shift+Tab");
      const where = await page.evaluate(() => {
        const el = document.activeElement;
        if (!el || el === document.body) return null;
        return el.closest("[data-testid=sidebar]") ? null : el.outerHTML.slice(0, 80);
      });
      if (where) outside.push(where);
    }
    expect(outside).toEqual([]);

    // Pick the past chat: it opens, and the drawer closes.
    await sidebar.getByTestId("session-item").filter({ hasText: text }).getByRole("link").click();
    await expect(sidebar).toBeHidden();
    await expect(page.getByTestId("user-message").first()).toContainText(text);
    await expect(page.locator(".main-column")).not.toHaveAttribute("inert", "");
    await expect(toggle).toBeFocused(); // focus returns to the button that opened it
  });

  test("on a phone, Escape, a tap outside and a swipe close the drawer", async ({ page }) => {
    await page.setViewportSize(PHONE);
    await openHydrated(page, "/?agent=echo-agent");
    const sidebar = page.getByTestId("sidebar");
    const toggle = page.getByTestId("menu-button");
    await expect(page.getByTestId("sidebar-toggle")).toBeHidden();

    await toggle.click();
    await expect(sidebar).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(sidebar).toBeHidden();

    await toggle.click();
    await expect(sidebar).toBeVisible();
    // The backdrop covers the page to the drawer's right.
    await page.mouse.click(PHONE.width - 20, PHONE.height / 2);
    await expect(sidebar).toBeHidden();

    await toggle.click();
    await expect(sidebar).toBeVisible();
    // A drag to the left across the open drawer, once it has slid in.
    await expect.poll(async () => (await sidebar.boundingBox())?.x).toBe(0);
    const y = PHONE.height - 100;
    await page.mouse.move(290, y);
    await page.mouse.down();
    await page.mouse.move(20, y, { steps: 5 });
    await page.mouse.up();
    await expect(sidebar).toBeHidden();

  });

  test("on a wide screen, the sidebar collapses and stays collapsed after a reload", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const sidebar = page.getByTestId("sidebar");
    const toggle = page.getByTestId("sidebar-toggle");
    await expect(sidebar).toBeVisible();
    await expect(page.getByTestId("menu-button")).toBeHidden();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    await toggle.click();
    await expect(sidebar).toBeHidden();
    await expect(toggle).toHaveAttribute("aria-expanded", "false");

    // The page is sent collapsed: the sidebar never shows while it loads.
    const html = await (await page.request.get("/?agent=echo-agent")).text();
    expect(html).toMatch(/class="app sidebar-collapsed/);
    await openHydrated(page, "/?agent=echo-agent");
    await expect(sidebar).toBeHidden();
    await toggle.click();
    await expect(sidebar).toBeVisible();
    await openHydrated(page, "/?agent=echo-agent");
    await expect(sidebar).toBeVisible();
  });

  test("the theme goes system, light, dark, and the chosen one is in the page as sent", async ({ page }) => {
    await page.emulateMedia({ colorScheme: "light" });
    await openHydrated(page, "/?agent=echo-agent");
    const theme = page.getByTestId("theme-toggle");
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const light = await background();
    await expect(theme).toHaveAttribute("data-theme-choice", "system");
    await expect(theme).toHaveAttribute("title", "Theme: system");

    await theme.click(); // light
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    await theme.click(); // dark
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
    const dark = await background();
    expect(dark).not.toBe(light);

    // After a reload the dark theme is in the HTML the server sends, so the first paint is
    // dark: the page is checked before any script runs.
    const html = await (await page.request.get("/?agent=echo-agent")).text();
    expect(html).toMatch(/<html lang="en" data-theme="dark"/);
    const scripts = /\/pkg\/.*\.(js|wasm)$/;
    await page.route(scripts, (route) => route.abort());
    await page.goto("/?agent=echo-agent");
    expect(await background()).toBe(dark);
    await page.unroute(scripts);
    await openHydrated(page, "/?agent=echo-agent");
    await expect(theme).toHaveAttribute("data-theme-choice", "dark");
    expect(await background()).toBe(dark);

    // Back to the system's: no attribute, the system's colours.
    await theme.click();
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", /./);
    expect(await background()).toBe(light);
    await page.emulateMedia({ colorScheme: "dark" });
    expect(await background()).toBe(dark);
  });

  test("icons are SVG with names and tooltips, never characters", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await pastChat(page, `icons ${Date.now()}`);
    const item = page.getByTestId("session-item").first();
    await item.hover();
    for (const id of ["rename", "delete"]) {
      const button = item.getByTestId(id);
      await expect(button.locator("svg.icon")).toHaveCount(1);
      await expect(button).toHaveText("");
      await expect(button).toHaveAttribute("aria-label", /chat/);
      await expect(button).toHaveAttribute("title", /./);
      // Drawn: the sprite's symbol is in the page and has a shape.
      const width = await button.locator("use").evaluate((u) => (u as SVGGraphicsElement).getBBox().width);
      expect(width).toBeGreaterThan(5);
    }
    for (const id of ["sidebar-toggle", "theme-toggle"]) {
      // Icon-only buttons have a name and a tooltip.
      await expect(page.getByTestId(id).locator("svg.icon").first()).toBeVisible();
      await expect(page.getByTestId(id)).toHaveAttribute("aria-label", /./);
    }
  });
});
