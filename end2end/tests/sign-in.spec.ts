import { test, expect, Browser, BrowserContext, Page } from "@playwright/test";
import { createHash, createHmac } from "node:crypto";
import { ask, expectNoPanics, noSeriousViolations, watchPanics } from "./support/page";
import { Proc, ROOT, spawnProc, startApp, startDemo, waitForUrl } from "./support/servers";

// Sign-in with a real OpenID provider (demo/oidc: npm oidc-provider) in front of a real
// AgentOS in JWT mode, with the demo's roles policy: bob (group research) may use the
// echo, reasoning and weather agents; alice (staff, admins) everything.
const OIDC_PORT = 7820;
const ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
const AGENTOS_PORT = 7823;
const APP_PORT = 3130; // the main app
const SHORT_PORT = 3131; // sessions that last 2 s and idle out after 6 s
const DOWN_PORT = 3132; // a provider that is not there (yet)
const DOWN_OIDC_PORT = 7821;
const STREAM_PORT = 3133; // sessions that end after 4 s with no refresh, status polled every second
const NO_REFRESH_OIDC_PORT = 7822;
const SECRET = "demo-client-secret-for-the-tests";
const JWT_SECRET = "f".repeat(64);
const BASE = `http://127.0.0.1:${APP_PORT}`;

function provider(port: number, apps: number[], extra: Record<string, string> = {}): Proc {
  const uris = (path: string) => apps.map((p) => `http://127.0.0.1:${p}${path}`).join(",");
  return spawnProc(`oidc :${port}`, `node ${ROOT}/demo/oidc/provider.mjs`, {
    ...extra,
    OIDC_PORT: String(port),
    OIDC_CLIENT_SECRET: SECRET,
    OIDC_REDIRECT_URIS: uris("/auth/callback"),
    OIDC_POST_LOGOUT_REDIRECT_URIS: uris("/auth/signed-out"),
  });
}

function oidcApp(port: number, issuer: string, extra: Record<string, string> = {}): Promise<Proc> {
  return startApp(port, AGENTOS_PORT, {
    AGNO_CHAT_AUTH_MODE: "oidc",
    AGNO_CHAT_OIDC_ISSUER: issuer,
    AGNO_CHAT_OIDC_CLIENT_ID: "agno-chat",
    AGNO_CHAT_OIDC_CLIENT_SECRET: SECRET,
    AGNO_CHAT_OIDC_SCOPES: "openid profile email groups",
    AGNO_CHAT_PUBLIC_URL: `http://127.0.0.1:${port}`,
    AGNO_CHAT_POLICY_FILE: `${ROOT}/demo/policy.toml`,
    AGNO_CHAT_JWT_SECRET: JWT_SECRET,
    AGNO_CHAT_COOKIE_KEY: "k".repeat(64),
    ...extra,
  });
}

/** The AgentOS user id agno-chat derives from the issuer and subject. */
function userId(subject: string): string {
  return "oidc-" + createHash("sha256").update(`${ISSUER}\n${subject}`).digest("hex").slice(0, 32);
}

/** An AgentOS token for reading what it stored (as the operator would). */
function adminToken(): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: "test-operator", iat: now, exp: now + 600, scopes: ["agent_os:admin"] })}`;
  return `${body}.${createHmac("sha256", JWT_SECRET).update(body).digest("base64url")}`;
}

/** On the provider's own login form: signs in, and waits to be back in the hydrated app. */
async function signIn(page: Page, user: string, password: string, base = BASE): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/interaction/`));
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.toString().startsWith(base));
  await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
}

/** Every byte agno-chat sent each page, to check that no secret is among them. */
const seen: string[] = [];

async function signedIn(browser: Browser, user: string, password: string, path = "/", base = BASE): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext();
  const page = await context.newPage();
  watchPanics(page);
  page.on("response", async (r) => {
    if (!r.url().startsWith(base)) return;
    seen.push(r.url(), JSON.stringify(await r.allHeaders()));
    seen.push(await r.text().catch(() => ""));
  });
  await page.goto(`${base}${path}`);
  await signIn(page, user, password, base);
  return [context, page];
}

async function answered(page: Page): Promise<string> {
  await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
  return (await page.getByTestId("chat").getAttribute("data-session-id")) ?? "";
}

test.describe("sign-in with an OpenID provider", () => {
  let idp: Proc | undefined;
  let agentos: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    idp = provider(OIDC_PORT, [APP_PORT, SHORT_PORT]);
    await waitForUrl(`${ISSUER}/.well-known/openid-configuration`, idp);
    agentos = await startDemo(AGENTOS_PORT, `--auth jwt --jwt-secret ${JWT_SECRET}`);
    app = await oidcApp(APP_PORT, ISSUER);
  });

  test.afterAll(async () => {
    await app?.stop();
    await agentos?.stop();
    await idp?.stop();
  });

  test("people sign in on the provider's form; conversations are theirs, roles decide the agents", async ({ browser, request }) => {
    const [bobCtx, bob] = await signedIn(browser, "bob", "bob-demo");
    await expect(bob.getByTestId("account-name")).toHaveText("Bob Demo");
    // The picker lists only what bob's roles include.
    const options = await bob.getByTestId("assistant-picker").locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options.sort()).toEqual(["agent:echo-agent", "agent:reasoning-agent", "agent:weather-agent"].sort());

    await bob.goto(`${BASE}/agents/echo-agent`);
    await expect(bob.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await ask(bob, "hello from bob");
    const sid = await answered(bob);
    expect(sid).not.toBe("");
    // AgentOS stored the conversation under the provider's subject, not an e-mail.
    const stored = await request.get(`http://127.0.0.1:${AGENTOS_PORT}/sessions/${sid}?type=agent`, {
      headers: { Authorization: `Bearer ${adminToken()}` },
    });
    expect(stored.status()).toBe(200);
    expect((await stored.json()).user_id).toBe(userId("demo-user-bob"));
    expectNoPanics(bob);

    // The same person in another browser sees the same conversation.
    const [bob2Ctx, bob2] = await signedIn(browser, "bob", "bob-demo", "/agents/echo-agent");
    await expect(bob2.locator(`[data-testid="session-item"][data-session-id="${sid}"]`)).toHaveCount(1);

    // Another person sees none of it.
    const [aliceCtx, alice] = await signedIn(browser, "alice", "alice-demo", "/agents/echo-agent");
    await expect(alice.getByTestId("account-name")).toHaveText("Alice Demo");
    await expect(alice.locator(`[data-testid="session-item"][data-session-id="${sid}"]`)).toHaveCount(0);
    const forced = await alice.goto(`${BASE}/agents/echo-agent/c/${sid}`);
    expect(forced?.status()).toBe(404);
    // alice's roles include every agent.
    expect(await alice.getByTestId("assistant-picker").locator("option").count()).toBeGreaterThan(3);

    // bob shares it: the link opens for anyone, without signing in; alice cannot share it.
    const at = { kind: "agent", assistant_id: "echo-agent", session_id: sid };
    const runId = await bob.getByTestId("assistant-message").first().getAttribute("data-run-id");
    const shareAs = (p: Page) =>
      p.request.post(`${BASE}/api/chat/share`, {
        headers: { Origin: BASE, "Content-Type": "application/json" },
        data: { at, run_ids: [runId] },
      });
    expect((await shareAs(alice)).status()).toBe(404);
    const shared = await shareAs(bob);
    expect(shared.status()).toBe(200);
    const link = await fetch(`${BASE}${(await shared.json()).path}`, { redirect: "manual" });
    expect(link.status).toBe(200);
    expect(await link.text()).toContain("hello from bob");

    // An agent outside bob's roles: a clear 403 page, and 403 from its server functions.
    const page403 = await bob.goto(`${BASE}/agents/confirm-agent`);
    expect(page403?.status()).toBe(403);
    await expect(bob.getByRole("heading")).toHaveText("Not available to you");
    await expect(bob.getByTestId("sign-in-action")).toHaveAttribute("href", "/");
    const call = await bob.request.post(`${BASE}/api/chat/send`, {
      headers: { Origin: BASE, "Content-Type": "application/json" },
      data: { req: { kind: "agent", assistant_id: "confirm-agent", session_id: null, message: "let me in" } },
    });
    expect(call.status()).toBe(403);
    expect((await bob.request.get(`${BASE}/?agent=confirm-agent`)).status()).toBe(403);

    // No client secret, AgentOS signing key or token in anything the browsers were sent.
    const sent = seen.join("\n");
    expect(sent.length).toBeGreaterThan(10_000);
    for (const secret of [SECRET, JWT_SECRET, "Bearer ", "refresh_token", "id_token"]) {
      expect(sent.includes(secret), secret).toBe(false);
    }

    await bob2Ctx.close();
    await aliceCtx.close();
    await bobCtx.close();
  });

  test("signing out ends both sessions; Back shows no conversation", async ({ browser }) => {
    const [ctx, page] = await signedIn(browser, "bob", "bob-demo", "/agents/echo-agent");
    await ask(page, "before signing out");
    const sid = await answered(page);
    await page.getByTestId("account-menu").locator("summary").click();
    await expect(page.getByTestId("sign-out")).toBeVisible();
    await noSeriousViolations(page, "account menu open");
    await page.getByTestId("sign-out").click();
    await page.waitForURL(`${BASE}/auth/signed-out`);
    await expect(page.getByRole("heading")).toHaveText("You are signed out");
    await noSeriousViolations(page, "signed out");
    expect((await ctx.cookies()).filter((c) => c.name.includes("agno_chat_session"))).toEqual([]);

    await page.goBack();
    await page.waitForLoadState();
    await expect(page.getByTestId("assistant-message")).toHaveCount(0);
    await expect(page.getByText("before signing out")).toHaveCount(0);

    // The provider's session ended too: signing in again asks for the password.
    await page.goto(`${BASE}/agents/echo-agent/c/${sid}`);
    await expect(page).toHaveURL(/\/interaction\//);
    await expect(page.getByLabel("Password")).toBeVisible();
    await ctx.close();
  });

  test("attacks fail safely", async ({ browser }) => {
    // Sign in, keeping the callback address the provider sent.
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const callbacks: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(`${BASE}/auth/callback`)) callbacks.push(r.url());
    });
    await page.goto(`${BASE}/`);
    await signIn(page, "bob", "bob-demo");
    expect(callbacks.length).toBe(1);

    // The same callback again: its sign-in is used up.
    let r = await page.goto(callbacks[0]);
    expect(r?.status()).toBe(400);
    await expect(page.getByText("This sign-in link has expired or was already used.")).toBeVisible();

    // A state this browser never started.
    r = await page.goto(`${BASE}/auth/callback?code=forged&state=AAAAAAAAAAAAAAAAAAAAAA`);
    expect(r?.status()).toBe(400);

    // The old code under a new sign-in's state: the provider refuses the replayed code.
    // (Walked by hand, with this browser's cookies, to stop before the callback.)
    let next = `${BASE}/auth/login?return_to=/`;
    for (let hop = 0; hop < 10 && !next.startsWith(`${BASE}/auth/callback`); hop++) {
      const res = await page.request.get(next, { maxRedirects: 0 });
      expect(res.status()).toBe(303);
      next = new URL(res.headers()["location"], next).toString();
    }
    const oldCode = new URL(callbacks[0]).searchParams.get("code")!;
    const newState = new URL(next).searchParams.get("state")!;
    r = await page.goto(`${BASE}/auth/callback?code=${encodeURIComponent(oldCode)}&state=${encodeURIComponent(newState)}`);
    expect(r?.status()).toBe(400);
    await expect(page.getByText("The identity provider's answer was not accepted.")).toBeVisible();

    // An open redirect through return_to leads home instead.
    for (const target of ["https://evil.example/", "//evil.example/x", "/\\evil.example"]) {
      await page.goto(`${BASE}/auth/login?return_to=${encodeURIComponent(target)}`);
      await page.waitForURL((u) => u.origin === BASE);
      expect(new URL(page.url()).pathname).toBe("/");
    }

    // A tampered session cookie is no session at all.
    const cookies = await ctx.cookies();
    const session = cookies.find((c) => c.name === "agno_chat_session")!;
    expect(session).toBeTruthy();
    const flipped = session.value.slice(0, 20) + (session.value[20] === "A" ? "B" : "A") + session.value.slice(21);
    await ctx.addCookies([{ ...session, value: flipped }]);
    const api = await page.request.post(`${BASE}/api/status`, { headers: { Origin: BASE } });
    expect(api.status()).toBe(401);
    const pageAnswer = await page.request.get(`${BASE}/agents/echo-agent`, { maxRedirects: 0 });
    expect(pageAnswer.status()).toBe(303);
    expect(pageAnswer.headers()["location"]).toBe("/auth/login?return_to=%2Fagents%2Fecho-agent");
    await ctx.close();
  });
});

test.describe("sign-in sessions that end", () => {
  let idp: Proc | undefined;
  let agentos: Proc | undefined;
  let app: Proc | undefined;

  test.beforeAll(async () => {
    idp = provider(OIDC_PORT, [SHORT_PORT]);
    await waitForUrl(`${ISSUER}/.well-known/openid-configuration`, idp);
    agentos = await startDemo(AGENTOS_PORT, `--auth jwt --jwt-secret ${JWT_SECRET}`);
    app = await oidcApp(SHORT_PORT, ISSUER, {
      AGNO_CHAT_SESSION_LIFETIME_S: "2",
      AGNO_CHAT_SESSION_IDLE_S: "6",
      // No status poll in between: the send itself finds the session ended.
      AGNO_CHAT_HEALTH_POLL_MS: "120000",
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await agentos?.stop();
    await idp?.stop();
  });

  test("a session past its lifetime is renewed with the refresh token, without a visit to the provider", async ({ browser }) => {
    const base = `http://127.0.0.1:${SHORT_PORT}`;
    const [ctx, page] = await signedIn(browser, "bob", "bob-demo", "/agents/echo-agent", base);
    const toProvider: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(ISSUER)) toProvider.push(r.url());
    });
    await page.waitForTimeout(3_000);
    await page.reload();
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId("account-name")).toHaveText("Bob Demo");
    expect(toProvider).toEqual([]);
    await ctx.close();
  });

  test("an ended session sends the person to sign in and back to the same conversation with their draft", async ({ browser }) => {
    const base = `http://127.0.0.1:${SHORT_PORT}`;
    const [ctx, page] = await signedIn(browser, "bob", "bob-demo", "/agents/echo-agent", base);
    await ask(page, "first question");
    const sid = await answered(page);
    await expect(page).toHaveURL(new RegExp(`/agents/echo-agent/c/${sid}$`));
    await page.waitForTimeout(10_000); // past the idle time
    const toProvider: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(`${ISSUER}/auth`)) toProvider.push(r.url());
    });
    const input = page.getByTestId("composer-input");
    await input.fill("words typed after the session ended");
    await input.press("Enter");
    // Off to the provider (still signed in there, so no form) and back.
    await expect.poll(() => toProvider.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await page.waitForURL(`${base}/agents/echo-agent/c/${sid}`, { timeout: 15_000 });
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId("composer-input")).toHaveValue("words typed after the session ended");
    await expect(page.getByTestId("user-message").first()).toContainText("first question");
    expectNoPanics(page);
    await ctx.close();
  });
});

test.describe("sign-in while the provider is down", () => {
  let app: Proc | undefined;
  let idp: Proc | undefined;

  test.afterAll(async () => {
    await app?.stop();
    await idp?.stop();
  });

  test("a clear page with a retry link that works once the provider is back", async ({ page }) => {
    const base = `http://127.0.0.1:${DOWN_PORT}`;
    app = await startApp(DOWN_PORT, AGENTOS_PORT, {
      AGNO_CHAT_AUTH_MODE: "oidc",
      AGNO_CHAT_OIDC_ISSUER: `http://127.0.0.1:${DOWN_OIDC_PORT}`,
      AGNO_CHAT_OIDC_CLIENT_ID: "agno-chat",
      AGNO_CHAT_OIDC_CLIENT_SECRET: SECRET,
      AGNO_CHAT_PUBLIC_URL: base,
    });
    const r = await page.goto(`${base}/agents/echo-agent`);
    expect(r?.status()).toBe(503);
    await expect(page.getByRole("heading")).toHaveText("Sign-in is unavailable right now");
    expect(app.running).toBe(true);

    idp = provider(DOWN_OIDC_PORT, [DOWN_PORT]);
    await waitForUrl(`http://127.0.0.1:${DOWN_OIDC_PORT}/.well-known/openid-configuration`, idp);
    await page.getByTestId("sign-in-action").click();
    await expect(page).toHaveURL(/\/interaction\//);
    await expect(page.getByLabel("Password")).toBeVisible();
  });
});

test.describe("an answer streaming when the session ends", () => {
  let idp: Proc | undefined;
  let agentos: Proc | undefined;
  let app: Proc | undefined;
  const base = `http://127.0.0.1:${STREAM_PORT}`;
  const issuer = `http://127.0.0.1:${NO_REFRESH_OIDC_PORT}`;

  test.beforeAll(async () => {
    idp = provider(NO_REFRESH_OIDC_PORT, [STREAM_PORT], { OIDC_REFRESH_TOKENS: "0" });
    await waitForUrl(`${issuer}/.well-known/openid-configuration`, idp);
    agentos = await startDemo(AGENTOS_PORT, `--auth jwt --jwt-secret ${JWT_SECRET}`);
    app = await oidcApp(STREAM_PORT, issuer, {
      AGNO_CHAT_SESSION_LIFETIME_S: "4",
      AGNO_CHAT_HEALTH_POLL_MS: "1000",
    });
  });

  test.afterAll(async () => {
    await app?.stop();
    await agentos?.stop();
    await idp?.stop();
  });

  test("is read to its end; only then does the person go to sign in, and come back to it", async ({ browser }) => {
    const [ctx, page] = await signedIn(browser, "bob", "bob-demo", "/agents/echo-agent", base);
    const toProvider: string[] = [];
    const refused: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(`${issuer}/auth`)) toProvider.push(r.url());
    });
    page.on("response", (r) => {
      if (r.status() === 401) refused.push(r.url());
    });
    await ask(page, "slow long 30");
    const answer = page.getByTestId("assistant-message").last();
    // The session ends (4 s, nothing to renew it) while the answer streams for 9 s: the
    // status poll is refused, but the page stays and the answer runs to its end.
    await expect.poll(() => refused.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(toProvider).toEqual([]);
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 20_000 });
    const sid = await page.getByTestId("chat").getAttribute("data-session-id");
    // Then to sign in (the provider remembers bob) and back to the same conversation.
    await expect.poll(() => toProvider.length, { timeout: 15_000 }).toBeGreaterThan(0);
    await page.waitForURL(`${base}/agents/echo-agent/c/${sid}`, { timeout: 15_000 });
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await expect(page.getByTestId("assistant-message").last()).toHaveAttribute("data-status", "completed");
    expectNoPanics(page);
    await ctx.close();
  });
});
