import { test, expect, Page } from "@playwright/test";
import { expectNoPanics, openHydrated, watchPanics } from "./support/page";

// The message box is in the page as soon as it is parsed, before the app (its wasm) has
// started. What is typed then must be kept, and Enter or Send then must not lose it:
// the message goes out once the app is ready. The wasm is held back here so that the
// typing certainly happens before the app starts.

/** Opens `path` with every wasm request held until `release()` is called. */
async function openBeforeStart(page: Page, path: string): Promise<{ release: () => void }> {
  watchPanics(page);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/\.wasm(\?.*)?$/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(path, { waitUntil: "domcontentloaded" });
  await expect(page.getByTestId("composer-input")).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
  return { release };
}

const hydrated = (page: Page) =>
  expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });

/** The composer's "sending as soon as the app is ready" line (a style on the form). */
const queuedHint = (page: Page) =>
  page.getByTestId("input-error").evaluate((el) => getComputedStyle(el, "::before").content);

test.describe("typing before the app has started", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("Enter pressed before the app starts sends the message once it is ready", async ({ page }) => {
    const { release } = await openBeforeStart(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    await input.click();
    await page.keyboard.type("early bird");
    await page.keyboard.press("Enter");
    // Not a new line, not a native submission (which would reload the page): queued.
    await expect(input).toHaveValue("early bird");
    await expect(page.locator("form.composer")).toHaveAttribute("data-queued", "");
    expect(await queuedHint(page)).toContain("Sending as soon as the app is ready");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(0);

    release();
    await hydrated(page);
    const answer = page.getByTestId("assistant-message").last();
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await expect(page.getByTestId("user-message")).toHaveText([/^You said:\s*early bird$/]);
    await expect(answer.getByTestId("answer-text")).toHaveText("Echo: early bird");
    await expect(input).toHaveValue("");
    await expect(page.locator("form.composer")).not.toHaveAttribute("data-queued");
    await expect(page.locator("form.composer")).not.toHaveClass(/queued/);
    expect(await queuedHint(page)).toBe("none");
    // Not a native form submission (which would put the message in the address); the
    // address names the new conversation.
    const address = new URL(page.url());
    expect(address.search).toBe("");
    expect(address.pathname).toMatch(/^\/agents\/echo-agent(\/c\/[\w-]+)?$/);
  });

  test("text typed before the app starts stays in the box and becomes the draft; typing after Enter takes the send back", async ({ page }) => {
    const { release } = await openBeforeStart(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    await input.click();
    await page.keyboard.type("keep me");
    // Shift+Enter is a new line, as it will be once the app runs.
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("two lines");
    // Enter queues the message; typing more takes it back (what would be sent changed).
    await page.keyboard.press("Enter");
    await expect(page.locator("form.composer")).toHaveAttribute("data-queued", "");
    await page.keyboard.type("!");
    await expect(page.locator("form.composer")).not.toHaveAttribute("data-queued");
    release();
    await hydrated(page);
    await expect(input).toHaveValue("keep me\ntwo lines!");
    await expect(page.getByTestId("turn")).toHaveCount(0);
    // It is the conversation's draft at once: a reload shows it.
    await openHydrated(page, "/?agent=echo-agent");
    await expect(input).toHaveValue("keep me\ntwo lines!");
    // And the app's: typing goes on where it was, and Enter sends all of it.
    await input.press("End");
    await page.keyboard.type(" please");
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", {
      timeout: 15_000,
    });
    await expect(page.getByTestId("user-message")).toHaveText([/^You said:\s*keep me\ntwo lines! please$/]);
    await expect(input).toHaveValue("");
  });

  test("a saved draft and text typed before the start are both kept, and nothing unseen is sent", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("composer-input").fill("saved words");
    // The draft is saved as it is typed; the page is then opened again, held before start.
    await expect
      .poll(() => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("agno-chat:draft:")).length))
      .toBe(1);
    await page.goto("about:blank");
    const { release } = await openBeforeStart(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    await input.click();
    await page.keyboard.type("new words");
    // Send, clicked before the app starts: no reload, queued.
    await page.getByTestId("send").click();
    await expect(page.locator("form.composer")).toHaveAttribute("data-queued", "");
    release();
    await hydrated(page);
    // The box holds both; since that is not what was on the screen when Send was
    // clicked, it is not sent: the user sees it and sends it.
    await expect(input).toHaveValue("saved words\nnew words");
    await expect(page.locator("form.composer")).not.toHaveClass(/queued/);
    await expect(page.locator("form.composer")).not.toHaveAttribute("data-queued");
    await page.waitForTimeout(500);
    await expect(page.getByTestId("turn")).toHaveCount(0);
    await input.press("Enter");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", {
      timeout: 15_000,
    });
    await expect(page.getByTestId("user-message")).toHaveText([/^You said:\s*saved words\nnew words$/]);
  });
});
