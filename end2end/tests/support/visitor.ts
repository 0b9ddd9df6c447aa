import { expect } from "@playwright/test";

// A visitor who calls agno-chat's server functions directly, the way an attacker (or a
// load test) would: their identity cookie, or none, and the streamed answers read line by
// line.

export type Event = { type: string; [k: string]: unknown };

/** A visitor of `base`: their cookie (none for `anonymous`), and calls made with it. */
export class Visitor {
  constructor(
    readonly base: string,
    readonly cookie = "",
  ) {}

  static anonymous(base: string): Visitor {
    return new Visitor(base);
  }

  /** Loads the page once, keeping the identity cookie it is given. */
  static async arrive(base: string): Promise<Visitor> {
    const r = await fetch(`${base}/?agent=echo-agent`);
    expect(r.status).toBe(200);
    const cookie = r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    expect(cookie).toContain("agno_chat_uid=");
    return new Visitor(base, cookie);
  }

  /** The same visitor (the same cookie) at another address: another replica. */
  on(base: string): Visitor {
    return new Visitor(base, this.cookie);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.cookie ? { cookie: this.cookie, ...extra } : extra;
  }

  async form(path: string, fields: Record<string, string>): Promise<{ status: number; text: string }> {
    const r = await fetch(`${this.base}${path}`, {
      method: "POST",
      headers: this.headers({ "content-type": "application/x-www-form-urlencoded" }),
      body: new URLSearchParams(fields).toString(),
    });
    return { status: r.status, text: await r.text() };
  }

  async json(path: string, body: unknown): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method: "POST",
      headers: this.headers({ "content-type": "application/json" }),
      body: JSON.stringify(body),
    });
  }

  /** Sends a message; resolves with the response once its first line has arrived, and
   * the events so far plus a promise of the rest. */
  async send(message: string, session: string | null, agent = "echo-agent") {
    const r = await this.json("/api/chat/send", { req: { kind: "agent", assistant_id: agent, session_id: session, message } });
    return { status: r.status, events: r.status === 200 ? readEvents(r) : Promise.resolve([] as Event[]) };
  }

  /** Sends and reads the whole answer. */
  async ask(message: string, session: string | null = null, agent = "echo-agent"): Promise<Event[]> {
    const { status, events } = await this.send(message, session, agent);
    expect(status).toBe(200);
    return events;
  }
}

export async function readEvents(r: Response): Promise<Event[]> {
  const text = await r.text();
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Event);
}

/** Reads a streamed answer line by line, as far as asked each time. */
export function lineReader(r: Response) {
  const reader = r.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    /** The events up to and including the first that matches `until` (or to the end). */
    async until(until: (e: Event) => boolean): Promise<Event[]> {
      const seen: Event[] = [];
      for (;;) {
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const e = JSON.parse(line) as Event;
          seen.push(e);
          if (until(e)) return seen;
        }
        const { value, done } = await reader.read();
        if (done) return seen;
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

/** The form fields that name one run of one conversation. */
export const runOf = (agent: string, session: string, run: string) => ({
  kind: "agent",
  assistant_id: agent,
  session_id: session,
  run_id: run,
});

export const started = (events: Event[]) => events.find((e) => e.type === "started") as { run_id: string; session_id: string };
export const answerText = (events: Event[]) =>
  events
    .filter((e) => e.type === "content")
    .map((e) => e.text)
    .join("");

