import { test, expect } from "@playwright/test";
import { Proc, startApp, startDemo } from "./support/servers";
import { answerText, lineReader, readEvents, runOf, started, Visitor } from "./support/visitor";

// Run ownership and limits, probed the way an attacker would: direct server-function calls
// with one's own cookie (or none), against the real app and a real demo AgentOS.

const AGENTOS = 7798;
const APP = 3113; // the usual limits, no limit on new identities
const LIMITED = 3114; // small per-user limits
const ISSUING = 3115; // few new identities per client address

test.describe("run ownership and limits without a cookie", () => {
  test.describe.configure({ mode: "serial", timeout: 90_000 });
  let demo: Proc | undefined;
  const apps: Proc[] = [];

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    demo = await startDemo(AGENTOS);
    apps.push(
      await startApp(APP, AGENTOS),
      await startApp(LIMITED, AGENTOS, {
        AGNO_CHAT_SEND_RATE_PER_MIN: "6",
        AGNO_CHAT_SEND_BURST: "2",
        AGNO_CHAT_CALL_RATE_PER_MIN: "60",
        AGNO_CHAT_CALL_BURST: "5",
        AGNO_CHAT_MAX_STREAMS_PER_USER: "1",
      }),
      await startApp(ISSUING, AGENTOS, {
        AGNO_CHAT_NEW_IDENTITY_RATE_PER_MIN: "6",
        AGNO_CHAT_NEW_IDENTITY_BURST: "3",
        AGNO_CHAT_CLIENT_IP_SOURCE: "RightmostXForwardedFor",
      }),
    );
  });

  test.afterAll(async () => {
    for (const a of apps) await a.stop();
    await demo?.stop();
  });

  test("another user's finished run can be neither replayed nor read through one's own session", async () => {
    const base = `http://127.0.0.1:${APP}`;
    const alice = await Visitor.arrive(base);
    const bob = await Visitor.arrive(base);
    const hers = started(await alice.ask("alice's private answer"));
    const his = started(await bob.ask("bob's own chat"));
    expect(hers.run_id).not.toBe(his.run_id);

    const resume = await bob.form("/api/chat/resume", runOf("echo-agent", his.session_id, hers.run_id));
    expect(resume.status).toBe(404);
    expect(resume.text).toContain("not found");
    expect(resume.text).not.toContain("private answer");

    // Her own resume of it still works.
    const own = await alice.form("/api/chat/resume", runOf("echo-agent", hers.session_id, hers.run_id));
    expect(own.status).toBe(200);
    expect(own.text).toContain("private answer");
  });

  test("another user's answer can be neither regenerated, edited nor exported; its owner can regenerate and edit", async () => {
    const base = `http://127.0.0.1:${APP}`;
    const alice = await Visitor.arrive(base);
    const bob = await Visitor.arrive(base);
    const hers = started(await alice.ask("alice's private answer"));
    const his = started(await bob.ask("bob's own chat"));
    for (const session of [his.session_id, hers.session_id]) {
      for (const edit of [null, "bob was here"]) {
        const r = await bob.json("/api/chat/branch", { req: { ...runOf("echo-agent", session, hers.run_id), edit } });
        expect(r.status).toBe(404);
        expect(await r.text()).not.toContain("private answer");
      }
    }
    // Nor exported: her conversation is not found for him.
    const exported = await bob.json("/api/chat/export", {
      req: {
        kind: "agent",
        assistant_id: "echo-agent",
        assistant_name: "Echo",
        session_id: hers.session_id,
        run_ids: [hers.run_id],
        format: "Json",
        you: "You",
      },
    });
    expect(exported.status).toBe(404);
    expect(await exported.text()).not.toContain("private answer");
    // Nothing of his reached her conversation: her own regenerate and edit work.
    const again = await alice.json("/api/chat/branch", { req: { ...runOf("echo-agent", hers.session_id, hers.run_id), edit: null } });
    expect(again.status).toBe(200);
    const regenerated = await readEvents(again);
    expect(answerText(regenerated)).toBe("Echo: alice's private answer");
    const edited = await alice.json("/api/chat/branch", {
      req: { ...runOf("echo-agent", hers.session_id, hers.run_id), edit: "alice, edited" },
    });
    expect(edited.status).toBe(200);
    expect(answerText(await readEvents(edited))).toBe("Echo: alice, edited");
  });

  test("another user's conversation can be neither shared, unshared, rated nor read for its notes", async () => {
    const base = `http://127.0.0.1:${APP}`;
    const alice = await Visitor.arrive(base);
    const bob = await Visitor.arrive(base);
    const hers = started(await alice.ask("alice's private answer"));
    const his = started(await bob.ask("bob's own chat"));
    const at = (session: string) => ({ kind: "agent", assistant_id: "echo-agent", session_id: session });

    // Her link, made by her, opens for anyone.
    const shared = await alice.json("/api/chat/share", { at: at(hers.session_id), run_ids: [hers.run_id] });
    expect(shared.status).toBe(200);
    const link = (await shared.json()) as { path: string };
    expect((await fetch(`${base}${link.path}`)).status).toBe(200);

    for (const session of [hers.session_id, his.session_id]) {
      const tries = [
        bob.json("/api/chat/share", { at: at(hers.session_id), run_ids: [hers.run_id] }),
        bob.json("/api/chat/unshare", { at: at(hers.session_id) }),
        bob.json("/api/chat/notes", { at: at(hers.session_id) }),
        bob.json("/api/chat/feedback", { at: at(session), run_id: hers.run_id, rating: "down", comment: "bob was here" }),
      ];
      for (const r of await Promise.all(tries)) {
        expect(r.status).toBe(404);
        expect(await r.text()).not.toContain("private answer");
      }
    }
    // Nothing of his reached her conversation: her link still opens, and no feedback is there.
    expect((await fetch(`${base}${link.path}`)).status).toBe(200);
    const notes = await alice.json("/api/chat/notes", { at: at(hers.session_id) });
    expect(notes.status).toBe(200);
    expect(await notes.json()).toMatchObject({ feedback: [], share: { path: link.path } });
    // A link to his conversation cannot be made from hers by changing it.
    const forged = link.path.slice(0, -4) + (link.path.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await fetch(`${base}${forged}`)).status).toBe(404);
  });

  test("another user's running answer cannot be taken over or stopped; its owner can stop it", async () => {
    const base = `http://127.0.0.1:${APP}`;
    const alice = await Visitor.arrive(base);
    const bob = await Visitor.arrive(base);
    const his = started(await bob.ask("bob's own chat"));

    const r = await alice.json("/api/chat/send", {
      req: { kind: "agent", assistant_id: "echo-agent", session_id: null, message: "slow long 40" },
    });
    const answer = lineReader(r);
    const first = await answer.until((e) => e.type === "content");
    const hers = started(first);

    const resume = await bob.form("/api/chat/resume", runOf("echo-agent", his.session_id, hers.run_id));
    expect(resume.status).toBe(404);
    const bobStops = await bob.form("/api/chat/cancel", { run_id: hers.run_id });
    expect(bobStops.status).toBeGreaterThanOrEqual(400);
    // Bob's attempts changed nothing: her Stop works.
    const aliceStops = await alice.form("/api/chat/cancel", { run_id: hers.run_id });
    expect(aliceStops.text).not.toContain("not running any more");
    expect(aliceStops.status).toBe(200);
    const rest = await answer.until((e) => e.type === "cancelled" || e.type === "completed" || e.type === "failed");
    expect(rest.some((e) => e.type === "cancelled")).toBe(true);
  });

  test("another user's paused run is not found through one's own session", async () => {
    const base = `http://127.0.0.1:${APP}`;
    const alice = await Visitor.arrive(base);
    const bob = await Visitor.arrive(base);
    const hers = started(await alice.ask("please delete /tmp/alice-report.txt", null, "confirm-agent"));
    const his = started(await bob.ask("please delete ./mine.txt", null, "confirm-agent"));
    const pending = await bob.form("/api/hitl/pending", runOf("confirm-agent", his.session_id, hers.run_id));
    expect(pending.status, pending.text).toBe(404);
    expect(pending.text).toContain("not found");
    expect(pending.text).not.toContain("alice-report");
    const cont = await bob.json("/api/hitl/continue", {
      req: { ...runOf("confirm-agent", his.session_id, hers.run_id), decisions: [] },
    });
    expect(cont.status).toBe(404);
    // Her own pending call still answers.
    const own = await alice.form("/api/hitl/pending", runOf("confirm-agent", hers.session_id, hers.run_id));
    expect(own.status).toBe(200);
    expect(own.text).toContain("alice-report");
  });

  test("a message into another user's conversation is refused by the chat before AgentOS sees it", async () => {
    const base = `http://127.0.0.1:${APP}`;
    const alice = await Visitor.arrive(base);
    const bob = await Visitor.arrive(base);
    const hers = started(await alice.ask("alice starts a chat"));
    const events = await bob.ask("bob writes into it", hers.session_id);
    const failed = events.find((e) => e.type === "failed");
    expect(failed, JSON.stringify(events)).toBeTruthy();
    expect(failed!.kind).toBe("invalid");
    expect(String(failed!.message)).toContain("conversation was not found");
    expect(events.some((e) => e.type === "started")).toBe(false);
    const history = await alice.form("/api/sessions/history", {
      kind: "agent",
      assistant_id: "echo-agent",
      session_id: hers.session_id,
    });
    expect(history.status).toBe(200);
    expect(history.text).not.toContain("bob writes");
    // Her own next message goes in as before.
    expect(answerText(await alice.ask("alice again", hers.session_id))).toContain("alice again");
  });

  test("leaving the cookie out does not buy fresh limits: sends, streams and calls count per address", async () => {
    const base = `http://127.0.0.1:${LIMITED}`;
    // One stream at a time per user: a cookie-less client is one user.
    const slow = await Visitor.anonymous(base).send("slow long 30", null);
    expect(slow.status).toBe(200);
    const second = await Visitor.anonymous(base).send("hello", null);
    const refused = second.status === 200 ? await second.events : [];
    expect(second.status === 429 || refused.some((e) => e.type === "failed" && e.kind === "rate_limited")).toBe(true);

    // Two sends at once, then the send rate says wait.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await Visitor.anonymous(base).send(`n${i}`, null)).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);

    // Other calls: a burst of 5, then 429 with Retry-After.
    const calls: Response[] = [];
    for (let i = 0; i < 8; i++) {
      calls.push(
        await fetch(`${base}/api/sessions/list`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "kind=agent&assistant_id=echo-agent&page=1",
        }),
      );
    }
    const limited = calls.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(Number(limited[0].headers.get("retry-after"))).toBeGreaterThan(0);

    // A visitor with a cookie has limits of their own.
    const known = await Visitor.arrive(base);
    const list = await known.form("/api/sessions/list", { kind: "agent", assistant_id: "echo-agent", page: "1" });
    expect(list.status).toBe(200);
    await slow.events;
  });

  test("new identities are given out at a bounded pace per client address, read from a trusted proxy's header", async () => {
    const base = `http://127.0.0.1:${ISSUING}`;
    const from = (ip: string) => fetch(`${base}/?agent=echo-agent`, { headers: { "x-forwarded-for": `203.0.113.9, ${ip}` } });
    const first: number[] = [];
    for (let i = 0; i < 6; i++) first.push((await from("198.51.100.7")).status);
    expect(first.slice(0, 3)).toEqual([200, 200, 200]);
    expect(first.slice(3)).toContain(429);
    const refused = await from("198.51.100.7");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many new visitors");
    // Another address (the proxy's rightmost entry) has its own pace; the leftmost entry,
    // which the client writes, changes nothing.
    expect((await from("198.51.100.8")).status).toBe(200);
    // Visitors who have their identity are not held up, and static files need none.
    const known = await fetch(`${base}/?agent=echo-agent`, { headers: { "x-forwarded-for": "192.0.2.1" } });
    const cookie = known.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    for (let i = 0; i < 5; i++) {
      const again = await fetch(`${base}/?agent=echo-agent`, { headers: { cookie, "x-forwarded-for": "192.0.2.1" } });
      expect(again.status).toBe(200);
      expect(again.headers.getSetCookie()).toEqual([]);
    }
    const healthy = await fetch(`${base}/healthz`, { headers: { "x-forwarded-for": "198.51.100.7" } });
    expect(healthy.status).toBe(200);
  });
});
