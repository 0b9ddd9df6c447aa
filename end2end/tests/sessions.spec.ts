import { test, expect, Page, BrowserContext } from "@playwright/test";
import { expectNoPanics, openHydrated } from "./support/page";
import { DEMO_PORT } from "./support/servers";

const AGENTOS = `http://127.0.0.1:${DEMO_PORT}`;

async function ask(page: Page, text: string) {
  const input = page.getByTestId("composer-input");
  await input.fill(text);
  await input.press("Enter");
  await expect(page.getByTestId("assistant-message").last()).not.toHaveAttribute("data-status", /pending|streaming/, {
    timeout: 20_000,
  });
}

/** The server-side user id, read from the signed identity cookie (its value is readable,
 * only its signature is secret). */
async function userId(context: BrowserContext): Promise<string> {
  const c = (await context.cookies()).find((c) => c.name === "agno_chat_uid");
  expect(c, "identity cookie").toBeTruthy();
  expect(c!.httpOnly).toBe(true);
  expect(c!.sameSite).toBe("Lax");
  return decodeURIComponent(c!.value).slice(-32);
}

const items = (page: Page) => page.getByTestId("session-item");

test.describe("sessions", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  test("the list holds only the chats with the agent shown", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    const text = `only echo ${Date.now()}`;
    await ask(page, text);
    await expect(items(page).filter({ hasText: text })).toHaveCount(1);
    await openHydrated(page, "/?agent=weather-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "Weather in Rome please");
    await expect(items(page).filter({ hasText: "Weather in Rome please" })).toHaveCount(1);
    await expect(items(page).filter({ hasText: text })).toHaveCount(0);
    await openHydrated(page, "/?agent=echo-agent");
    await expect(items(page).filter({ hasText: text })).toHaveCount(1);
    await expect(items(page).filter({ hasText: "Weather in Rome please" })).toHaveCount(0);
  });

  test("a new chat is listed at once, reopens after reload, and can be renamed", async ({ page }) => {
    await openHydrated(page, "/?agent=weather-agent");
    await ask(page, "Weather in Paris please");
    const item = items(page).first();
    await expect(item).toContainText("Weather in Paris please");
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    await expect(item).toHaveAttribute("data-session-id", sid!);
    await ask(page, "And in Oslo?");

    // Reload: the same conversation comes back, tool calls included.
    await openHydrated(page, "/?agent=weather-agent");
    await expect(page.getByTestId("turn")).toHaveCount(2, { timeout: 10_000 });
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", sid!);
    await expect(page.getByTestId("user-message").first()).toContainText("Weather in Paris please");
    await expect(page.locator('[data-testid="tool-card"][data-tool="get_weather"]')).toHaveCount(2);
    await expect(page.getByTestId("answer-text").first()).toContainText("Paris");
    await expect(page.getByTestId("assistant-message").first()).toHaveAttribute("data-status", "completed");

    // Rename: an empty name is refused with a reason; a real one sticks.
    const mine = page.locator(`[data-testid="session-item"][data-session-id="${sid}"]`);
    await mine.getByTestId("rename").click();
    await mine.getByTestId("rename-input").fill("   ");
    await mine.getByTestId("rename-save").click();
    await expect(mine.getByTestId("session-error")).toContainText("cannot be empty");
    await mine.getByTestId("rename-input").fill("Trip planning");
    await mine.getByTestId("rename-save").click();
    await expect(mine).toContainText("Trip planning");
    await openHydrated(page, "/?agent=weather-agent");
    await expect(page.locator(`[data-testid="session-item"][data-session-id="${sid}"]`)).toContainText("Trip planning");
  });

  test("New chat starts fresh; deleting asks first and forgets the chat", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "to be deleted");
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    const mine = page.locator(`[data-testid="session-item"][data-session-id="${sid}"]`);
    await expect(mine).toBeVisible();
    await mine.getByTestId("delete").click();
    await expect(mine.getByTestId("confirm-delete")).toBeVisible();
    await mine.getByTestId("confirm-delete-yes").click();
    await expect(mine).toHaveCount(0);
    await expect(page.getByTestId("turn")).toHaveCount(0);
    const r = await page.request.get(`${AGENTOS}/sessions/${sid}`);
    expect(r.status()).toBe(404);
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.getByTestId("turn")).toHaveCount(0);
  });

  test("a chat the pointer rests on, or focus is on, is read ahead and opens without asking again", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "read ahead first");
    const first = await page.getByTestId("chat").getAttribute("data-session-id");
    await page.getByTestId("new-chat").click();
    await ask(page, "read ahead second");
    const second = await page.getByTestId("chat").getAttribute("data-session-id");
    await page.getByTestId("new-chat").click();

    const asked: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith("/api/sessions/history")) asked.push(r.postData() ?? "");
    });
    const open = (sid: string | null) => page.locator(`[data-testid="session-item"][data-session-id="${sid}"] .session-open`);
    const questions = page.locator('[data-testid="user-message"] .user-text');

    // Histories decoded (a performance measure): one read ahead is decoded once it has
    // arrived, before the click, which then only shows it.
    const decodes = () => page.evaluate(() => performance.getEntriesByName("agno-chat:decode-history").length);
    const decodedBefore = await decodes();

    // The pointer rests on the first chat: it is asked for before any click.
    await open(first).hover();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain(first!);
    await expect.poll(decodes, { message: "decoded before the click" }).toBe(decodedBefore + 1);
    await open(first).click();
    await expect(questions).toHaveText(["read ahead first"]);
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", first!);
    await page.waitForTimeout(300);
    expect(asked.length, "the click used the answer read ahead").toBe(1);
    expect(await decodes(), "the click did not decode it again").toBe(decodedBefore + 1);

    // Focus on the second chat (as with Tab) reads it ahead too; Enter opens it.
    await open(second).focus();
    await expect.poll(() => asked.length).toBe(2);
    await page.keyboard.press("Enter");
    await expect(questions).toHaveText(["read ahead second"]);
    await page.waitForTimeout(300);
    expect(asked.length).toBe(2);

    // A chat read ahead and then changed here is asked for again: what was read is
    // forgotten once this tab sends into a conversation. (The pointer is still over the
    // first chat from the click: it leaves, then comes to rest there again.)
    await page.mouse.move(0, 0);
    await open(first).hover();
    await expect.poll(() => asked.length).toBe(3);
    await ask(page, "read ahead second, again");
    await open(first).click();
    await expect(questions).toHaveText(["read ahead first"]);
    await expect.poll(() => asked.length).toBe(4);
    // Opened with no pointer or focus on it first (a click from a script): asked once,
    // on the click.
    await page.getByTestId("new-chat").click();
    await open(first).evaluate((b: HTMLElement) => b.click());
    await expect(questions).toHaveText(["read ahead first"]);
    await expect.poll(() => asked.length).toBe(5);
    await page.waitForTimeout(300);
    expect(asked.length).toBe(5);
  });

  test("a remembered chat that no longer exists is forgotten with a notice", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "soon gone");
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    // Deleted behind the chat's back (another tab, an operator, an AgentOS reset).
    expect((await page.request.delete(`${AGENTOS}/sessions/${sid}?type=agent`)).status()).toBe(204);
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.getByTestId("chat-notice")).toContainText("no longer available");
    await expect(page.getByTestId("turn")).toHaveCount(0);
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.getByTestId("chat-notice")).toHaveCount(0);
  });

  test("the address names the open conversation: reload shows it, Back returns to the one before", async ({ page }) => {
    const path = (sid: string | null) => new RegExp(`/agents/echo-agent/c/${sid}$`);
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "the first conversation");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const first = await page.getByTestId("chat").getAttribute("data-session-id");
    // An older `?agent=` link is rewritten to the conversation's own path.
    await expect(page).toHaveURL(path(first));
    await page.getByTestId("new-chat").click();
    await expect(page).toHaveURL(/\/agents\/echo-agent$/);
    await ask(page, "the second conversation");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const second = await page.getByTestId("chat").getAttribute("data-session-id");
    expect(second).not.toBe(first);
    await expect(page).toHaveURL(path(second));

    // Opened by its address (the old form still works), then another one from the list:
    // the address follows, as a new entry in the history.
    await openHydrated(page, `/?agent=echo-agent&session=${first}`);
    await expect(page.getByTestId("user-message")).toHaveText([/the first conversation/], { timeout: 15_000 });
    await expect(page).toHaveURL(path(first));
    const sameDocument = () => page.evaluate(() => (window as any).__sameDocument === true);
    await page.evaluate(() => ((window as any).__sameDocument = true));
    await page.locator(`[data-testid="session-item"][data-session-id="${second}"] .session-open`).click();
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", second!);
    await expect(page.getByTestId("user-message")).toHaveText([/the second conversation/]);
    await expect(page).toHaveURL(path(second));
    await expect(page.locator(`[data-testid="session-item"][data-session-id="${second}"] .session-open`)).toHaveAttribute("aria-current", "page");
    // Back returns to the first, Forward to the second, without reloading the page.
    await page.goBack();
    await expect(page).toHaveURL(path(first));
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", first!);
    await expect(page.getByTestId("user-message")).toHaveText([/the first conversation/]);
    await page.goForward();
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", second!);
    await expect(page.getByTestId("user-message")).toHaveText([/the second conversation/]);
    expect(await sameDocument()).toBe(true);
    // A reload shows what was on screen.
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", second!);
    await expect(page.getByTestId("user-message")).toHaveText([/the second conversation/], { timeout: 15_000 });
    await expect(page).toHaveURL(path(second));

    // The entry is a real link: it names the conversation's path, for a new tab or a copy.
    await expect(page.locator(`[data-testid="session-item"][data-session-id="${first}"] a.session-open`)).toHaveAttribute(
      "href",
      `/agents/echo-agent/c/${first}`,
    );
  });

  test("a conversation's address that is not the caller's answers 404 and the page says so", async ({ browser, page }) => {
    await openHydrated(page, "/agents/echo-agent");
    await ask(page, "mine alone");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    // The owner gets the page (200); a deleted or unknown one, and another user, get 404.
    expect((await page.request.get(`/agents/echo-agent/c/${sid}`)).status()).toBe(200);
    expect((await page.request.get("/agents/echo-agent/c/no-such-session")).status()).toBe(404);
    const other = await browser.newContext();
    const theirs = await other.newPage();
    const res = await theirs.goto(`/agents/echo-agent/c/${sid}`);
    expect(res?.status()).toBe(404);
    await expect(theirs.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(theirs.getByTestId("chat-notice")).toContainText("no longer available");
    await expect(theirs.getByText("mine alone")).toHaveCount(0);
    // The address then names what is on screen: a new chat.
    await expect(theirs).toHaveURL(/\/agents\/echo-agent$/);
    await other.close();
  });

  test("the rename box has an accessible name", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "a chat to rename");
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 15_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    const mine = page.locator(`[data-testid="session-item"][data-session-id="${sid}"]`);
    await mine.getByTestId("rename").click();
    await expect(page.getByRole("textbox", { name: "Chat name" })).toBeVisible();
  });

  test("another user can neither list, open, rename nor delete my chat", async ({ browser }) => {
    const alice = await browser.newContext();
    const bob = await browser.newContext();
    const a = await alice.newPage();
    const b = await bob.newPage();
    await openHydrated(a, "/?agent=echo-agent");
    await ask(a, "alice's secret plans");
    const sid = await a.getByTestId("chat").getAttribute("data-session-id");
    // Opened by Alice, the server keeps a copy of it (brought up to date next time).
    await openHydrated(a, `/?agent=echo-agent&session=${sid}`);
    await expect(a.getByTestId("user-message").first()).toContainText("alice's secret plans");

    // A deep link to Alice's chat gives Bob "not found", not her history.
    await openHydrated(b, `/?agent=echo-agent&session=${sid}`);
    await expect(b.getByTestId("chat-notice")).toContainText("no longer available");
    await expect(b.getByTestId("turn")).toHaveCount(0);
    await expect(b.locator(`[data-testid="session-item"][data-session-id="${sid}"]`)).toHaveCount(0);
    await expect(b.getByText("alice's secret plans")).toHaveCount(0);

    // Direct server-function calls with Bob's cookie are refused the same way.
    const rename = await b.request.post("/api/sessions/rename", {
      form: { kind: "agent", assistant_id: "echo-agent", session_id: sid!, name: "pwned" },
    });
    expect(rename.ok()).toBe(false);
    expect(await rename.text()).toContain("not found");
    const del = await b.request.post("/api/sessions/delete", {
      form: { kind: "agent", assistant_id: "echo-agent", session_id: sid! },
    });
    expect(del.ok()).toBe(false);
    const hist = await b.request.post("/api/sessions/history", {
      form: { kind: "agent", assistant_id: "echo-agent", session_id: sid! },
    });
    expect(hist.ok()).toBe(false);
    expect(await hist.text()).not.toContain("secret plans");

    // Alice still has it, unchanged.
    await openHydrated(a, "/?agent=echo-agent");
    await expect(a.getByTestId("user-message").first()).toContainText("alice's secret plans");
    await expect(a.locator(`[data-testid="session-item"][data-session-id="${sid}"]`)).toContainText("alice's secret plans");
    await alice.close();
    await bob.close();
  });

  test("each conversation keeps its own unsent draft, across reloads", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await page.getByTestId("new-chat").click();
    await ask(page, "first chat");
    const first = await page.getByTestId("chat").getAttribute("data-session-id");
    const input = page.getByTestId("composer-input");
    await input.fill("unsent words for the first chat");
    await page.getByTestId("new-chat").click();
    await expect(input).toHaveValue("");
    await input.fill("a thought for a new chat");
    await page.locator(`[data-testid="session-item"][data-session-id="${first}"] .session-open`).click();
    await expect(page.getByTestId("turn")).toHaveCount(1);
    await expect(input).toHaveValue("unsent words for the first chat");
    await openHydrated(page, "/?agent=echo-agent");
    await expect(page.getByTestId("chat")).toHaveAttribute("data-session-id", first!);
    await expect(page.getByTestId("composer-input")).toHaveValue("unsent words for the first chat");
    await page.getByTestId("new-chat").click();
    await expect(page.getByTestId("composer-input")).toHaveValue("a thought for a new chat");
  });

  test("a chat run elsewhere without streaming opens with its answer's details", async ({ browser }) => {
    // Runs started without streaming (another client, a script) store no events: the
    // answer's token counts and duration come from the run itself.
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await openHydrated(page, "/?agent=echo-agent");
    const uid = await userId(ctx);
    const sid = `e2e-plain-${Date.now()}`;
    const r = await page.request.post(`${AGENTOS}/agents/echo-agent/runs`, {
      form: { message: "Run without streaming", stream: "false", session_id: sid, user_id: uid },
    });
    expect(r.status()).toBe(200);
    await openHydrated(page, `/?agent=echo-agent&session=${sid}`);
    await expect(page.getByTestId("answer-text")).toContainText("Echo: Run without streaming");
    const details = page.getByTestId("metrics");
    await details.locator("summary").click();
    await expect(details).toContainText(/Tokens in \/ out\s*\d+ \/ \d+/);
    await expect(details).toContainText(/Duration\s*\d+ ms/);
    await ctx.close();
  });

  test("a chat opened again asks AgentOS only for the runs since the server's copy", async ({ browser }) => {
    // The server keeps a copy of a conversation it has opened. Opened again, AgentOS is
    // asked only for the runs created since (Server-Timing says which way it was asked).
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await openHydrated(page, "/?agent=echo-agent");
    const uid = await userId(ctx);
    const sid = `e2e-copy-${Date.now()}`;
    const run = async (message: string) => {
      const r = await page.request.post(`${AGENTOS}/agents/echo-agent/runs`, {
        form: { message, stream: "false", session_id: sid, user_id: uid },
      });
      expect(r.status()).toBe(200);
    };
    // How AgentOS was asked by the last opening.
    const asked = () =>
      page.evaluate(() => {
        const e = performance
          .getEntriesByType("resource")
          .filter((r) => r.name.includes("/api/sessions/history"))
          .at(-1) as PerformanceResourceTiming | undefined;
        return e ? e.serverTiming.find((t) => t.name === "agentos")?.description ?? "none" : "no request";
      });
    const answers = page.getByTestId("answer-text");
    const open = async () => {
      const answered = page.waitForResponse((r) => r.url().includes("/api/sessions/history"));
      await openHydrated(page, `/?agent=echo-agent&session=${sid}`);
      await answered;
    };
    await run("first of two");
    await run("second of two");
    await open();
    await expect(answers).toHaveCount(2);
    expect(await asked()).toBe("AgentOS");

    // Continued elsewhere (another client, straight through AgentOS), then opened again:
    // the new run comes after the two kept.
    await run("third, from elsewhere");
    await open();
    await expect(answers).toHaveCount(3);
    await expect(answers.nth(0)).toContainText("Echo: first of two");
    await expect(answers.nth(1)).toContainText("Echo: second of two");
    await expect(answers.nth(2)).toContainText("Echo: third, from elsewhere");
    expect(await asked()).toBe("AgentOS, the runs since the copy");

    // A message sent here is there the next time too.
    await ask(page, "fourth, from here");
    await open();
    // Four turns overflow the list: the ones above the viewport are built once the
    // pointer is over it.
    await expect(page.locator('[data-testid="turn"][aria-posinset="4"]')).toBeVisible();
    await page.getByTestId("messages").hover();
    await expect(answers).toHaveCount(4);
    await expect(answers.nth(3)).toContainText("Echo: fourth, from here");
    expect(await asked()).toBe("AgentOS, the runs since the copy");

    // Another user gets no copy: AgentOS refuses them the session.
    const other = await browser.newContext();
    const theirs = await other.newPage();
    await openHydrated(theirs, `/?agent=echo-agent&session=${sid}`);
    await expect(theirs.getByTestId("chat-notice")).toContainText("no longer available");
    await expect(theirs.getByTestId("answer-text")).toHaveCount(0);
    await other.close();

    // Deleted elsewhere: the copy is not shown; the page says the chat is gone.
    const gone = await page.request.delete(`${AGENTOS}/sessions/${sid}?type=agent&user_id=${uid}`);
    expect(gone.ok()).toBe(true);
    await open();
    await expect(page.getByTestId("chat-notice")).toContainText("no longer available");
    await expect(answers).toHaveCount(0);
    await ctx.close();
  });

  test("the list pages in as it scrolls and can be searched", async ({ browser }) => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await openHydrated(page, "/?agent=reasoning-agent");
    const uid = await userId(ctx);
    for (let i = 0; i < 60; i++) {
      const r = await page.request.post(`${AGENTOS}/sessions?type=agent`, {
        data: { user_id: uid, agent_id: "reasoning-agent", session_name: `Bulk chat ${String(i).padStart(2, "0")}` },
      });
      expect(r.status()).toBe(201);
    }
    await openHydrated(page, "/?agent=reasoning-agent");
    await expect(items(page)).toHaveCount(30);
    await page.getByTestId("session-list").evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await expect(items(page)).toHaveCount(60);
    await expect(page.getByTestId("load-more")).toHaveCount(0);
    await page.getByTestId("session-search").fill("chat 07");
    await expect(items(page)).toHaveCount(1);
    await expect(items(page).first()).toContainText("Bulk chat 07");
    await page.getByTestId("session-search").fill("");
    await expect(items(page)).toHaveCount(30);
    await ctx.close();
  });
});

test.describe("resuming an answer", () => {
  test.afterEach(async ({ page }) => expectNoPanics(page));

  const QUESTION = "slow one two three four five six seven eight nine ten eleven twelve";
  const FULL = `Echo: ${QUESTION}`;

  test("reloading mid-answer picks the answer up again, with nothing lost or repeated", async ({ page }) => {
    const resumes: string[] = [];
    page.on("request", (r) => r.url().includes("/api/chat/resume") && resumes.push(r.postData() ?? ""));
    await openHydrated(page, "/?agent=echo-agent");
    const input = page.getByTestId("composer-input");
    await input.fill(QUESTION);
    await input.press("Enter");
    await expect(page.getByTestId("answer-text").last()).toContainText("Echo: slow one", { timeout: 15_000 });
    await openHydrated(page, "/?agent=echo-agent");
    const answer = page.getByTestId("assistant-message").last();
    await expect(answer).toHaveAttribute("data-status", "streaming", { timeout: 10_000 });
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
    await expect(answer.getByTestId("answer-text")).toHaveText(FULL);
    await expect(page.getByTestId("turn")).toHaveCount(1);
    // The text equals what AgentOS stored for the run.
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    const runs = await (await page.request.get(`${AGENTOS}/sessions/${sid}/runs?type=agent`)).json();
    expect(runs[runs.length - 1].content).toBe(await answer.getByTestId("answer-text").innerText());
    // It was resumed from the start of the run (the reload lost the text so far).
    expect(resumes.length).toBe(1);
    expect(resumes[0]).not.toContain("last_event_index");
  });
});
