import { test, expect, Page } from "@playwright/test";
import * as path from "node:path";
import { ask, expectNoPanics, openHydrated } from "../tests/support/page";

const OUT = path.resolve(__dirname, "../../docs/screenshots");

async function answered(page: Page) {
  await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
}

async function newChat(page: Page) {
  // On a phone, New chat is in the drawer.
  if (await page.getByTestId("menu-button").isVisible()) await page.getByTestId("menu-button").click();
  await page.getByTestId("new-chat").click();
}

/** A conversation with a formatted answer and a tool card, in `theme`. */
async function conversation(page: Page, theme: "light" | "dark") {
  await page.emulateMedia({ colorScheme: theme, reducedMotion: "reduce" });
  await openHydrated(page, "/?agent=echo-agent");
  await newChat(page);
  await ask(page, "markdown please");
  await answered(page);
  await openHydrated(page, "/?agent=weather-agent");
  await newChat(page);
  await ask(page, "what is the weather in Paris?");
  await answered(page);
}

for (const theme of ["light", "dark"] as const) {
  test(`desktop, ${theme}`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await conversation(page, theme);
    await page.getByTestId("tool-card").first().locator("summary").click();
    await page.screenshot({ path: `${OUT}/desktop-${theme}.png` });
    expectNoPanics(page);
  });

  test(`phone, ${theme}, with the drawer open`, async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await conversation(page, theme);
    await page.screenshot({ path: `${OUT}/phone-${theme}.png` });
    await page.getByTestId("menu-button").click();
    await expect.poll(async () => (await page.getByTestId("sidebar").boundingBox())?.x).toBe(0);
    await page.screenshot({ path: `${OUT}/phone-${theme}-drawer.png` });
    expectNoPanics(page);
  });
}
