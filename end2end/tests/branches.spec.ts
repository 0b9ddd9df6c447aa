import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, noSeriousViolations, openHydrated } from "./support/page";

// Versions of a conversation's turns against the real demo AgentOS: an answer regenerated,
// a question edited, the "‹ 2 / 3 ›" switcher, and the tree rebuilt from the runs AgentOS
// stored after a reload.

const turns = (page: Page) => page.getByTestId("turn");
const questions = (page: Page) => page.getByTestId("user-message").locator(".user-text");
const answers = (page: Page) => page.getByTestId("answer-text");

async function finished(page: Page, count: number) {
  await expect(page.locator('[data-testid="assistant-message"][data-status="completed"]')).toHaveCount(count);
}

async function runIdOf(page: Page, index: number): Promise<string> {
  const id = await page.getByTestId("assistant-message").nth(index).getAttribute("data-run-id");
  expect(id).toBeTruthy();
  return id!;
}

test.describe("versions and export", () => {
  // Tall enough for every turn to be drawn (the list draws only the turns near the view).
  test.use({ viewport: { width: 1280, height: 1600 } });

  test("regenerate gives a second version; an edited first question branches; both survive a reload", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    for (const [i, q] of ["one apple", "two banana", "three cherry"].entries()) {
      await ask(page, q);
      await finished(page, i + 1);
    }
    const third = await runIdOf(page, 2);

    // Regenerate the latest answer: a new run, version 2 of 2, the first a step away.
    await turns(page).nth(2).getByTestId("assistant-message").hover();
    await turns(page).nth(2).getByTestId("regenerate").click();
    await finished(page, 3);
    await expect(turns(page).nth(2).getByTestId("version-at")).toHaveText("2 / 2");
    const regenerated = await runIdOf(page, 2);
    expect(regenerated).not.toBe(third);
    await expect(answers(page).nth(2)).toHaveText("Echo: three cherry");
    await turns(page).nth(2).getByTestId("previous-version").click();
    await expect(turns(page).nth(2).getByTestId("version-at")).toHaveText("1 / 2");
    expect(await runIdOf(page, 2)).toBe(third);
    await turns(page).nth(2).getByTestId("next-version").click();
    expect(await runIdOf(page, 2)).toBe(regenerated);

    // Edit the first question: the conversation goes on from there, the old branch kept.
    await turns(page).nth(0).getByTestId("user-message").hover();
    await turns(page).nth(0).getByTestId("edit-question").click();
    const box = page.getByTestId("edit-input");
    await expect(box).toBeFocused();
    await expect(box).toHaveValue("one apple");
    await box.fill("one apricot");
    await noSeriousViolations(page, "editing a question");
    await page.getByTestId("edit-send").click();
    await finished(page, 1);
    await expect(turns(page)).toHaveCount(1);
    await expect(questions(page)).toHaveText(["one apricot"]);
    await expect(answers(page)).toHaveText(["Echo: one apricot"]);
    await expect(turns(page).nth(0).getByTestId("version-at")).toHaveText("2 / 2");
    await turns(page).nth(0).getByTestId("previous-version").click();
    await expect(questions(page)).toHaveText(["one apple", "two banana", "three cherry"]);
    await expect(turns(page).nth(2).getByTestId("version-at")).toHaveText("2 / 2");

    // Reloaded: the structure is rebuilt from AgentOS's runs; the branch with the newest
    // message (the edit) shows, and the old one is a step away with both its versions.
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(questions(page)).toHaveText(["one apricot"]);
    await expect(turns(page).nth(0).getByTestId("version-at")).toHaveText("2 / 2");
    await turns(page).nth(0).getByTestId("previous-version").click();
    await expect(questions(page)).toHaveText(["one apple", "two banana", "three cherry"]);
    await expect(turns(page).nth(2).getByTestId("version-at")).toHaveText("2 / 2");
    expect(await runIdOf(page, 2)).toBe(regenerated);
    await turns(page).nth(2).getByTestId("previous-version").click();
    expect(await runIdOf(page, 2)).toBe(third);

    // A message sent on the old branch follows it, and is where a reload comes back to.
    await ask(page, "four dates");
    await finished(page, 4);
    await expect(questions(page)).toHaveText(["one apple", "two banana", "three cherry", "four dates"]);
    expect(await runIdOf(page, 2)).toBe(third);
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1);
    await expect(questions(page)).toHaveText(["one apple", "two banana", "three cherry", "four dates"]);
    await expect(turns(page).nth(0).getByTestId("version-at")).toHaveText("1 / 2");
    await expect(turns(page).nth(2).getByTestId("version-at")).toHaveText("1 / 2");
    expectNoPanics(page);
  });

  test("export downloads the branch on screen as Markdown and as JSON, matching the screen", async ({ page }) => {
    await openHydrated(page, "/?agent=weather-agent");
    await ask(page, "What is the weather in Paris?");
    await finished(page, 1);
    await ask(page, "And in Rome?");
    await finished(page, 2);
    // An edited first question: the export holds the branch shown, not the other.
    await turns(page).nth(0).getByTestId("user-message").hover();
    await turns(page).nth(0).getByTestId("edit-question").click();
    await page.getByTestId("edit-input").fill("What is the weather in Oslo?");
    await page.getByTestId("edit-send").click();
    await finished(page, 1);
    const shownQuestions = await questions(page).allInnerTexts();
    const shownAnswer = (await answers(page).nth(0).innerText()).trim();
    expect(shownQuestions).toEqual(["What is the weather in Oslo?"]);

    await page.getByTestId("export").locator("summary").click();
    const [md] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-markdown").click()]);
    expect(md.suggestedFilename()).toMatch(/^chat-[0-9a-f-]+\.md$/);
    const markdown = await (await import("node:fs/promises")).readFile((await md.path())!, "utf8");
    expect(markdown).toContain("## You\n\nWhat is the weather in Oslo?");
    expect(markdown).not.toContain("Paris");
    expect(markdown).toContain("<details><summary>Tool: get_weather</summary>");
    expect(markdown).toContain(shownAnswer.split("\n")[0]);

    const [js] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
    expect(js.suggestedFilename()).toMatch(/^chat-[0-9a-f-]+\.json$/);
    const doc = JSON.parse(await (await import("node:fs/promises")).readFile((await js.path())!, "utf8"));
    expect(doc.format).toBe("agno-chat-conversation/1");
    expect(doc.assistant_id).toBe("weather-agent");
    expect(doc.turns.map((t: { question: string }) => t.question)).toEqual(shownQuestions);
    const tool = doc.turns[0].answer.tools[0];
    expect(tool.tool_name).toBe("get_weather");
    expect(tool.tool_args).toEqual({ city: "Oslo" });
    expect(tool.result).toBeTruthy();
    expect(doc.turns[0].answer.run_id).toBe(await runIdOf(page, 0));
    expect(doc.turns[0].answer.metrics).toBeTruthy();
  });

  test("an edit that is too long is refused in the editor, and what was typed stays", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    await ask(page, "short question");
    await finished(page, 1);
    await turns(page).nth(0).getByTestId("user-message").hover();
    await turns(page).nth(0).getByTestId("edit-question").click();
    const long = "x".repeat(40_000);
    await page.getByTestId("edit-input").fill(long);
    await page.getByTestId("edit-send").click();
    await expect(page.getByTestId("edit-error")).toBeVisible();
    await expect(page.getByTestId("edit-input")).toHaveValue(long);
    await expect(turns(page)).toHaveCount(1);
    // Escape leaves the question as it was.
    await page.getByTestId("edit-input").press("Escape");
    await expect(questions(page)).toHaveText(["short question"]);
    await expect(turns(page).nth(0).getByTestId("versions")).toHaveCount(0);
  });
});
