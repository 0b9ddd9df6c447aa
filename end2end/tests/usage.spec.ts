import { test, expect, Browser, BrowserContext, Page } from "@playwright/test";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ask, expectNoPanics, watchPanics } from "./support/page";
import { metricsText, Proc, ROOT, seriesValue, spawnProc, startApp, startDemo, startRedis, waitForUrl } from "./support/servers";

// Budgets and usage with a real OpenID provider (demo/oidc) and a real AgentOS: bob (group
// research) is a person, alice (staff, admins) an administrator. Everyone's budget is a
// few answers' worth of tokens per minute, so a test sees it warn, refuse, survive a
// restart of agno-chat, and start again.
const OIDC_PORT = 7830;
const ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
const AGENTOS_PORT = 7833;
const APP_PORT = 3170;
const BASE = `http://127.0.0.1:${APP_PORT}`;
const AGENTOS = `http://127.0.0.1:${AGENTOS_PORT}`;
const SECRET = "demo-client-secret-for-the-tests";
const WINDOW_S = 60;
const BUDGET_TOKENS = 100;

const POLICY = `
[roles.everyone]
claims = ["*"]
agents = ["echo-agent"]
budgets = [{ every = "${WINDOW_S}s", tokens = ${BUDGET_TOKENS} }]

[roles.staff]
claims = ["staff"]
agents = ["*"]
teams = ["*"]

[roles.admin]
claims = ["admins"]
admin = true

[prices]
currency = "USD"
models = { "scripted-1" = { input = 0.5, output = 1.5 } }
`;

function userId(subject: string): string {
  return "oidc-" + createHash("sha256").update(`${ISSUER}\n${subject}`).digest("hex").slice(0, 32);
}
const BOB = userId("demo-user-bob");
const ALICE = userId("demo-user-alice");

async function startChat(policyFile: string): Promise<Proc> {
  return startApp(APP_PORT, AGENTOS_PORT, {
    AGNO_CHAT_AUTH_MODE: "oidc",
    AGNO_CHAT_OIDC_ISSUER: ISSUER,
    AGNO_CHAT_OIDC_CLIENT_ID: "agno-chat",
    AGNO_CHAT_OIDC_CLIENT_SECRET: SECRET,
    AGNO_CHAT_OIDC_SCOPES: "openid profile email groups",
    AGNO_CHAT_PUBLIC_URL: BASE,
    AGNO_CHAT_POLICY_FILE: policyFile,
    // Sign-ins outlive a restart of agno-chat.
    AGNO_CHAT_COOKIE_KEY: "u".repeat(64),
  });
}

async function signedIn(browser: Browser, user: string, password: string, to = "/agents/echo-agent"): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext();
  const page = await context.newPage();
  watchPanics(page);
  await page.goto(`${BASE}${to}`);
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.toString().startsWith(BASE));
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
  return [context, page];
}

/** What AgentOS's own run metrics say `user` spent since `since` (Unix seconds), per run. */
async function agentosSpend(user: string, since: number): Promise<{ runs: number; input: number; output: number }> {
  const out = { runs: 0, input: 0, output: 0 };
  for (const type of ["agent", "team"]) {
    const list = await (await fetch(`${AGENTOS}/sessions?type=${type}&user_id=${user}&limit=100`)).json();
    for (const s of list.data) {
      const runs = await (await fetch(`${AGENTOS}/sessions/${s.session_id}/runs?type=${type}&user_id=${user}&created_after=${since}`)).json();
      for (const r of runs) {
        if (!r.metrics || (!r.metrics.input_tokens && !r.metrics.output_tokens)) continue;
        out.runs += 1;
        out.input += r.metrics.input_tokens ?? 0;
        out.output += r.metrics.output_tokens ?? 0;
      }
    }
  }
  return out;
}

function monthStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}

/** Waits for the start of a budget window, so a test has all of one to itself. */
async function freshWindow(): Promise<number> {
  const now = Date.now() / 1000;
  const into = now % WINDOW_S;
  if (into > 2) await new Promise((r) => setTimeout(r, (WINDOW_S - into + 0.5) * 1000));
  return Math.floor(Date.now() / 1000 / WINDOW_S) * WINDOW_S;
}

async function answered(page: Page): Promise<void> {
  await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
}

test.describe("budgets and usage", () => {
  test.describe.configure({ mode: "serial" });
  let idp: Proc | undefined;
  let agentos: Proc | undefined;
  let app: Proc | undefined;
  let policyFile = "";

  test.beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agno-chat-usage-"));
    policyFile = path.join(dir, "policy.toml");
    fs.writeFileSync(policyFile, POLICY);
    idp = spawnProc(`oidc :${OIDC_PORT}`, `node ${ROOT}/demo/oidc/provider.mjs`, {
      OIDC_PORT: String(OIDC_PORT),
      OIDC_CLIENT_SECRET: SECRET,
      OIDC_REDIRECT_URIS: `${BASE}/auth/callback`,
      OIDC_POST_LOGOUT_REDIRECT_URIS: `${BASE}/auth/signed-out`,
    });
    await waitForUrl(`${ISSUER}/.well-known/openid-configuration`, idp);
    agentos = await startDemo(AGENTOS_PORT);
    app = await startChat(policyFile);
  });

  test.afterAll(async () => {
    await app?.stop();
    await agentos?.stop();
    await idp?.stop();
  });

  test("a budget warns at 80%, refuses with its reset time keeping the text, survives a restart, and starts again", async ({ browser }) => {
    test.setTimeout(240_000);
    const [ctx, bob] = await signedIn(browser, "bob", "bob-demo");
    const windowStart = await freshWindow();
    const input = bob.getByTestId("composer-input");

    // Answers until the warning shows under the box; it comes before any refusal.
    const hint = bob.getByTestId("input-error");
    let sent = 0;
    while (!((await hint.textContent()) ?? "").includes("You have used")) {
      expect(sent, "the 80% warning never showed").toBeLessThan(10);
      await ask(bob, `message ${++sent}`);
      await answered(bob);
    }
    await expect(hint).toContainText(/You have used (8\d|9\d|100)% of your budget of 100 tokens per 1 min\. It starts again at/);
    let spent = await agentosSpend(BOB, windowStart);
    expect(spent.input + spent.output).toBeGreaterThanOrEqual(0.8 * BUDGET_TOKENS);

    // Answers until one is refused: nothing runs, the text stays, the reset time is said.
    let refused = false;
    for (let i = 0; i < 6 && !refused; i++) {
      const before = await bob.getByTestId("assistant-message").count();
      await ask(bob, `over budget ${i}`);
      await expect(async () => {
        const error = (await bob.getByTestId("input-error").textContent()) ?? "";
        const now = await bob.getByTestId("assistant-message").count();
        refused = error.includes("used up");
        expect(refused || (now > before && (await bob.getByTestId("assistant-message").last().getAttribute("data-status")) === "completed")).toBe(true);
      }).toPass({ timeout: 20_000 });
      if (refused) {
        await expect(input).toHaveValue(`over budget ${i}`);
        expect(await bob.getByTestId("assistant-message").count()).toBe(before);
      }
    }
    expect(refused).toBe(true);
    const refusal = (await bob.getByTestId("input-error").textContent()) ?? "";
    expect(refusal).toMatch(/Your budget of 100 tokens per 1 min is used up\. It starts again at \d{4}-\d\d-\d\d \d\d:\d\d UTC, in \d+ s\. Your message is kept\./);
    spent = await agentosSpend(BOB, windowStart);
    expect(spent.input + spent.output).toBeGreaterThanOrEqual(BUDGET_TOKENS);
    const metrics = await metricsText(BASE);
    expect(seriesValue(metrics, 'agno_chat_budget_refusals_total{period="60s",measure="tokens"}')).toBeGreaterThanOrEqual(1);
    expect(seriesValue(metrics, 'agno_chat_budget_warnings_total{period="60s",measure="tokens"}')).toBeGreaterThanOrEqual(1);
    expect(seriesValue(metrics, 'agno_chat_usage_tokens_total{assistant="agent:echo-agent",model="scripted-1",direction="input"}')).toBeGreaterThan(0);
    expect(seriesValue(metrics, 'agno_chat_usage_cost_microunits_total{assistant="agent:echo-agent",model="scripted-1"}')).toBeGreaterThan(0);

    // A restart of agno-chat forgets nothing: the count is read back from AgentOS.
    expect(Date.now() / 1000 - windowStart, "too little of the window left to check a restart").toBeLessThan(WINDOW_S - 15);
    await app!.stop();
    app = await startChat(policyFile);
    await bob.reload();
    await expect(bob.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    // The page itself says so, from the first render.
    await expect(hint).toContainText("You have used 100% of your budget");
    await ask(bob, "after the restart");
    await expect(bob.getByTestId("input-error")).toContainText("is used up");
    await expect(input).toHaveValue("after the restart");
    expect(app.log).toContain("usage rebuilt from AgentOS");

    // Once the window has passed, the kept text goes.
    const wait = windowStart + WINDOW_S + 1 - Date.now() / 1000;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait * 1000));
    await input.press("Enter");
    await answered(bob);
    await expect(bob.getByTestId("assistant-message").last()).toContainText("after the restart");
    expectNoPanics(bob);
    await ctx.close();
  });

  test("the usage pages: a person's own, and everyone's for administrators with CSV", async ({ browser }) => {
    const [bobCtx, bob] = await signedIn(browser, "bob", "bob-demo");
    const since = monthStart();

    // My usage: the tokens AgentOS recorded for bob's runs this month.
    await bob.getByTestId("account-menu").locator("summary").click();
    await bob.getByTestId("my-usage-link").click();
    await expect(bob).toHaveURL(`${BASE}/usage`);
    await expect(bob.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    const bobSpent = await agentosSpend(BOB, since);
    await expect(bob.getByTestId("usage-tokens")).toHaveText(String(bobSpent.input + bobSpent.output));
    await expect(bob.getByTestId("usage-answers")).toHaveText(String(bobSpent.runs));
    await expect(bob.getByTestId("usage-budget")).toHaveCount(1);
    await expect(bob.getByTestId("usage-budget")).toContainText("budget of 100 tokens per 1 min");
    await expect(bob.getByTestId("genui-chart")).toHaveCount(1);
    await expect(bob.getByTestId("genui-table")).toHaveCount(1);
    await expect(bob.getByTestId("admin-usage-link")).toHaveCount(0);
    // Loaded straight, the same.
    await bob.goto(`${BASE}/usage`);
    await expect(bob.getByTestId("usage-tokens")).toHaveText(String(bobSpent.input + bobSpent.output));

    // Not an administrator: no page of everyone's usage, no export.
    const refused = await bob.goto(`${BASE}/admin/usage`);
    expect(refused?.status()).toBe(403);
    const csvRefused = await bob.request.get(`${BASE}/api/usage/export.csv`);
    expect(csvRefused.status()).toBe(403);

    // An administrator: both people, with their names and AgentOS's totals, and a CSV that
    // says the same.
    const [aliceCtx, alice] = await signedIn(browser, "alice", "alice-demo");
    await ask(alice, "hello from alice");
    await answered(alice);
    await alice.getByTestId("account-menu").locator("summary").click();
    await alice.getByTestId("my-usage-link").click();
    await alice.getByTestId("admin-usage-link").click();
    await expect(alice).toHaveURL(`${BASE}/admin/usage`);
    await expect(alice.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(alice.getByTestId("usage-people")).toHaveText("2 people");
    const aliceSpent = await agentosSpend(ALICE, since);
    const rows = alice.getByTestId("genui-row");
    await expect(rows).toHaveCount(2);
    const bobRow = rows.filter({ hasText: "Bob Demo" });
    await expect(bobRow).toContainText(BOB);
    await expect(bobRow).toContainText(String(bobSpent.input + bobSpent.output));
    await expect(rows.filter({ hasText: "Alice Demo" })).toContainText(String(aliceSpent.input + aliceSpent.output));
    await expect(alice.getByTestId("usage-tokens")).toHaveText(String(bobSpent.input + bobSpent.output + aliceSpent.input + aliceSpent.output));

    const href = await alice.getByTestId("usage-csv").getAttribute("href");
    const csv = await alice.request.get(`${BASE}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toBe("person,user_id,assistant,model,answers,input_tokens,output_tokens,tokens,estimated_cost_usd");
    const byUser = new Map(lines.slice(1).map((l) => [l.split(",")[1], l.split(",")]));
    expect(byUser.get(BOB)?.slice(0, 8)).toEqual(["Bob Demo", BOB, "Echo Agent", "scripted-1", String(bobSpent.runs), String(bobSpent.input), String(bobSpent.output), String(bobSpent.input + bobSpent.output)]);
    expect(byUser.get(ALICE)?.[7]).toBe(String(aliceSpent.input + aliceSpent.output));
    // 0.5 and 1.5 per million tokens.
    expect(Number(byUser.get(BOB)?.[8])).toBeCloseTo((bobSpent.input * 0.5 + bobSpent.output * 1.5) / 1e6, 5);

    // A period before any of it has no rows.
    await alice.getByTestId("usage-from").fill("2020-01-01");
    await alice.getByTestId("usage-to").fill("2020-01-31");
    await alice.getByTestId("usage-show").click();
    await expect(alice).toHaveURL(`${BASE}/admin/usage?from=2020-01-01&to=2020-01-31`);
    await expect(alice.getByTestId("usage-people")).toHaveText("0 people");
    await expect(alice.getByTestId("usage-tokens")).toHaveText("0");
    // A period that ends before it starts is said so.
    await alice.goto(`${BASE}/admin/usage?from=2026-02-01&to=2026-01-01`);
    await expect(alice.getByTestId("usage-error")).toContainText("ends before it starts");
    expectNoPanics(bob);
    expectNoPanics(alice);
    await bobCtx.close();
    await aliceCtx.close();
  });
});

// Two replicas sharing Redis: one budget, wherever the messages go. Each replica reads a
// person's past runs from AgentOS once, at their first send; only Redis tells one replica
// what the other counted after that.
test.describe("budgets across replicas", () => {
  const REDIS_PORT = 6396;
  const SHARED_AGENTOS = 7834;
  const REPLICAS = [3171, 3172];
  let redis: Proc | undefined;
  let agentos: Proc | undefined;
  const apps: Proc[] = [];

  test.beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agno-chat-usage-"));
    const policyFile = path.join(dir, "policy.toml");
    fs.writeFileSync(policyFile, `[roles.everyone]\nclaims = ["*"]\nagents = ["*"]\nbudgets = [{ every = "${WINDOW_S}s", tokens = 30 }]\n`);
    redis = await startRedis(REDIS_PORT);
    agentos = await startDemo(SHARED_AGENTOS);
    for (const port of REPLICAS) {
      apps.push(
        await startApp(port, SHARED_AGENTOS, {
          AGNO_CHAT_POLICY_FILE: policyFile,
          AGNO_CHAT_REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
          // One anonymous person on both: the same cookie key.
          AGNO_CHAT_COOKIE_KEY: "r".repeat(64),
        }),
      );
    }
  });

  test.afterAll(async () => {
    for (const a of apps) await a.stop();
    await agentos?.stop();
    await redis?.stop();
  });

  test("what one replica counted refuses the next message on the other", async ({ browser }) => {
    const context = await browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    for (const [page, port] of [[a, REPLICAS[0]], [b, REPLICAS[1]]] as const) {
      watchPanics(page);
      await page.goto(`http://127.0.0.1:${port}/agents/echo-agent`);
      await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    }
    await freshWindow();
    // 19 tokens each (16 in, 3 out): the first two fit in 30, the third does not.
    await ask(a, "through the first");
    await answered(a);
    await ask(b, "through the second");
    await answered(b);
    await ask(a, "over the shared budget");
    await expect(a.getByTestId("input-error")).toContainText("budget of 30 tokens per 1 min is used up");
    await expect(a.getByTestId("composer-input")).toHaveValue("over the shared budget");
    await ask(b, "over it here too");
    await expect(b.getByTestId("input-error")).toContainText("is used up");
    expectNoPanics(a);
    expectNoPanics(b);
    await context.close();
  });
});
