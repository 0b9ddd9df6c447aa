import { Page, expect } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

const panics = new WeakMap<Page, string[]>();

/** Starts collecting wasm panics and uncaught page errors for `expectNoPanics`. */
export function watchPanics(page: Page): void {
  if (!panics.has(page)) {
    const seen: string[] = [];
    panics.set(page, seen);
    page.on("pageerror", (e) => seen.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && m.text().includes("panicked")) seen.push(m.text());
    });
  }
}

/** Opens `path` and waits until the page is hydrated (event handlers attached). Also
 * starts collecting wasm panics and uncaught page errors for `expectNoPanics`. */
export async function openHydrated(page: Page, path = "/"): Promise<void> {
  watchPanics(page);
  await page.goto(path);
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
}

/** Fails when the page's wasm panicked or a script error went uncaught. */
export function expectNoPanics(page: Page): void {
  expect(panics.get(page) ?? []).toEqual([]);
}

/** Types `text` into the composer and sends it with Enter. */
export async function ask(page: Page, text: string): Promise<void> {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
}

/** Accessibility checked by axe-core: no serious or critical violation in `state`. */
export async function noSeriousViolations(page: Page, state: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${state}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(serious).toEqual([]);
}
