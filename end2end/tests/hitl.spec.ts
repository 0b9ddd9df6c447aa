import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, openHydrated } from "./support/page";
import { DEMO_PORT, Proc, startApp } from "./support/servers";

// Human in the loop against the demo AgentOS: confirmation, user input, frontend tools,
// a team's pause, and a pause that outlives a reload.

const lastAnswer = (page: Page) => page.getByTestId("assistant-message").last();

async function paused(page: Page) {
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "paused", { timeout: 15_000 });
  await expect(lastAnswer(page).getByTestId("hitl-panel")).toBeVisible();
}

async function completedWith(page: Page, text: string | RegExp) {
  await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
  await expect(lastAnswer(page).getByTestId("answer-text")).toContainText(text);
  await expect(lastAnswer(page).getByTestId("hitl-panel")).toHaveCount(0);
}

test.describe("human in the loop", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("approving a tool call runs it and the answer goes on in the same message", async ({ page }) => {
    // The prompt's code is a chunk of its own, fetched with the first pause, not with the
    // conversation's code.
    const promptChunks: string[] = [];
    page.on("request", (r) => {
      if (/\/pkg\/split_hitl_prompt_.*\.wasm$/.test(r.url())) promptChunks.push(r.url());
    });
    await openHydrated(page, "/?agent=confirm-agent");
    await page.getByTestId("new-chat").click();
    await page.getByTestId("composer-input").pressSequentially("hi");
    await page.waitForTimeout(300);
    expect(promptChunks).toEqual([]);
    await page.getByTestId("composer-input").fill("");
    await ask(page, "please delete /srv/approve-me.txt");
    await paused(page);
    expect(promptChunks.length).toBe(1);
    // The tool waits for the person; it is not "running".
    const card = lastAnswer(page).getByTestId("tool-card");
    await expect(card).toHaveAttribute("data-state", "waiting");
    await expect(card.locator(".tool-state")).toHaveText("waiting for you");
    const item = lastAnswer(page).getByTestId("hitl-confirm");
    await expect(item).toHaveAttribute("data-tool", "delete_file");
    await expect(item.getByTestId("hitl-args")).toContainText("/srv/approve-me.txt");
    await item.getByTestId("hitl-approve").click();
    await completedWith(page, "Tool said: deleted /srv/approve-me.txt");
    await expect(page.getByTestId("turn")).toHaveCount(1);
  });

  test("rejecting with a note tells the agent why", async ({ page }) => {
    await openHydrated(page, "/?agent=confirm-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "delete /srv/keep-me.txt");
    await paused(page);
    const item = lastAnswer(page).getByTestId("hitl-confirm");
    await item.getByTestId("hitl-note").fill("keep it, it is important");
    await item.getByTestId("hitl-reject").click();
    await completedWith(page, "Tool said: keep it, it is important");
  });

  test("a form asked for by the agent is validated, filled, and its values used", async ({ page }) => {
    await openHydrated(page, "/?agent=input-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "book a trip to Porto");
    await paused(page);
    const form = lastAnswer(page).getByTestId("hitl-form");
    await expect(form.getByTestId("hitl-known-destination")).toContainText("Porto");
    await form.getByTestId("hitl-field-date").fill("2026-12-24");
    await form.getByTestId("hitl-field-travellers").fill("");
    await form.getByTestId("hitl-submit").click();
    await expect(form.getByTestId("hitl-field-travellers")).toHaveAttribute("aria-invalid", "true");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "paused");
    await form.getByTestId("hitl-field-travellers").fill("3");
    await form.getByTestId("hitl-submit").click();
    await completedWith(page, "booked a trip to Porto on 2026-12-24 for 3 travellers");
  });

  test("a registered frontend tool runs in the browser and the agent uses its result", async ({ page }) => {
    await openHydrated(page, "/?agent=external-agent");
    await page.getByTestId("new-chat").click();
    const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    await ask(page, "what is my locale?");
    await completedWith(page, `"time_zone":"${tz}"`);
  });

  test("an unregistered frontend tool is not run: the agent gets an error result", async ({ page }) => {
    await openHydrated(page, "/?agent=external-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "rm -rf /tmp/something");
    await completedWith(page, "Tool said: Error: the tool \"run_shell\" cannot run in this browser");
  });

  test("a team's pause is answered", async ({ page }) => {
    await openHydrated(page, "/?team=hitl-team");
    await page.getByTestId("new-chat").click();
    await ask(page, "hitl /srv/team-file.txt");
    await paused(page);
    const item = lastAnswer(page).getByTestId("hitl-confirm");
    await expect(item).toContainText("HITL Member asks");
    await item.getByTestId("hitl-approve").click();
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await expect(lastAnswer(page)).toContainText("deleted");
  });

  test("a pause survives a reload and can still be answered", async ({ page }) => {
    await openHydrated(page, "/?agent=confirm-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "delete /srv/later.txt");
    await paused(page);
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    await openHydrated(page, `/?agent=confirm-agent&session=${sid}`);
    await paused(page);
    await lastAnswer(page).getByTestId("hitl-approve").click();
    await completedWith(page, "Tool said: deleted /srv/later.txt");
    // And the stored conversation shows the finished answer after another reload.
    await openHydrated(page, `/?agent=confirm-agent&session=${sid}`);
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await expect(lastAnswer(page).getByTestId("hitl-panel")).toHaveCount(0);
  });

  test("a decision that cannot be sent is shown with a way to try again", async ({ page, context }) => {
    await openHydrated(page, "/?agent=confirm-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "delete /srv/two-tabs.txt");
    await paused(page);
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    // The same paused answer open in a second tab, answered there first.
    const other = await context.newPage();
    await openHydrated(other, `/?agent=confirm-agent&session=${sid}`);
    await paused(other);
    await other.getByTestId("hitl-approve").click();
    await completedWith(other, "Tool said: deleted /srv/two-tabs.txt");
    await other.close();
    // This tab's decision now fails: the reason is shown, with Try again.
    await lastAnswer(page).getByTestId("hitl-reject").click();
    const error = lastAnswer(page).getByTestId("hitl-error");
    await expect(error).toContainText("not waiting for a decision any more");
    await expect(error.getByTestId("hitl-retry")).toBeVisible();
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "paused");
  });

  test("a decision for a run that is not paused is refused by the server", async ({ page, request }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "hello");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    const runId = await lastAnswer(page).getAttribute("data-run-id");
    const r = await page.request.post("/api/hitl/continue", {
      data: {
        req: {
          kind: "agent",
          assistant_id: "echo-agent",
          session_id: sid,
          run_id: runId,
          decisions: [{ decision: "confirm", tool_call_id: "x", confirmed: true }],
        },
      },
    });
    expect(r.status()).toBe(400);
    expect(await r.text()).toContain("not waiting for a decision");
    // Someone else's session is not found at all.
    const other = await request.post("/api/hitl/continue", {
      data: { req: { kind: "agent", assistant_id: "echo-agent", session_id: sid, run_id: runId, decisions: [] } },
    });
    expect(other.status()).toBe(404);
  });
});

test.describe("switched off by configuration", () => {
  const APP = 3112;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    app = await startApp(APP, DEMO_PORT, { AGNO_CHAT_HITL: "false", AGNO_CHAT_GENUI: "false" });
  });

  test.afterAll(async () => {
    await app?.stop();
  });

  test("no decision prompts (the server refuses decisions) and no drawn specs", async ({ page }) => {
    const base = `http://127.0.0.1:${APP}`;
    await openHydrated(page, `${base}/?agent=confirm-agent`);
    await ask(page, "delete /srv/off.txt");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "paused", { timeout: 15_000 });
    await expect(lastAnswer(page).getByTestId("paused-note")).toContainText("delete_file");
    await expect(lastAnswer(page).getByTestId("hitl-panel")).toHaveCount(0);
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    const runId = await lastAnswer(page).getAttribute("data-run-id");
    const r = await page.request.post(`${base}/api/hitl/continue`, {
      data: { req: { kind: "agent", assistant_id: "confirm-agent", session_id: sid, run_id: runId, decisions: [] } },
    });
    expect(r.status()).toBe(403);

    await openHydrated(page, `${base}/?agent=genui-agent`);
    await ask(page, "a bar chart");
    await expect(lastAnswer(page)).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    await expect(lastAnswer(page).getByTestId("tool-card")).toHaveCount(1);
    await expect(page.getByTestId("genui")).toHaveCount(0);
    expectNoPanics(page);
  });
});
