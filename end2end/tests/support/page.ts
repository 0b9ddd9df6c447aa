import { Page, expect } from "@playwright/test";

/** Opens `path` and waits until the page is hydrated (event handlers attached). */
export async function openHydrated(page: Page, path = "/"): Promise<void> {
  await page.goto(path);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
}
