// Starts and stops the real processes the tests drive: the demo AgentOS (Python, agno)
// and the agno-chat server binary built by `cargo leptos build`.
import { spawn, ChildProcess } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "../../..");
export const DEMO_PORT = Number(process.env.E2E_DEMO_PORT || 7791);
export const APP_PORT = Number(process.env.E2E_APP_PORT || 3100);

export function demoCommand(port: number, extra = ""): string {
  return `${ROOT}/.venv/bin/python ${ROOT}/demo/app.py --host 127.0.0.1 --port ${port} --token-delay-ms 15 ${extra}`.trim();
}

/** Environment for an agno-chat server on `appPort` talking to AgentOS on `agentosPort`. */
export function appEnv(appPort: number, agentosPort: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH || "",
    HOME: process.env.HOME || "",
    RUST_LOG: process.env.RUST_LOG || "info",
    LEPTOS_OUTPUT_NAME: "agno-chat",
    LEPTOS_SITE_ROOT: `${ROOT}/target/site`,
    LEPTOS_SITE_PKG_DIR: "pkg",
    LEPTOS_SITE_ADDR: `127.0.0.1:${appPort}`,
    AGNO_CHAT_AGENTOS_URL: `http://127.0.0.1:${agentosPort}`,
    AGNO_CHAT_FAQ_URL: "https://example.com/faq",
    // Every test's browsers come from 127.0.0.1: as many new visitors as they like (the
    // ownership spec checks the limit with an app of its own).
    AGNO_CHAT_NEW_IDENTITY_RATE_PER_MIN: "0",
    AGNO_CHAT_SUPPORT_URL: "https://example.com/support",
    ...extra,
  };
}

export class Proc {
  private exited = false;
  private output = "";
  constructor(public readonly name: string, private readonly child: ChildProcess) {
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("exit", () => {
      this.exited = true;
    });
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Kills the process at once (no graceful shutdown): open connections just drop. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGKILL");
    await done;
  }

  /** Sends SIGTERM and returns at once (the process drains, then exits). */
  terminate(): void {
    if (!this.exited) this.child.kill("SIGTERM");
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await done;
    clearTimeout(timer);
  }
}

export function spawnProc(name: string, command: string, env: Record<string, string> = {}): Proc {
  const child = spawn("bash", ["-c", `exec ${command}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Proc(name, child);
}

/** Polls `url` until it answers 2xx, or fails with the process's output. */
export async function waitForUrl(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.name} exited early:\n${proc.log}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms:\n${proc.log}`);
}

export async function startDemo(port: number, extra = ""): Promise<Proc> {
  const p = spawnProc(`demo AgentOS :${port}`, demoCommand(port, extra));
  await waitForUrl(`http://127.0.0.1:${port}/health`, p, 90_000);
  return p;
}

export async function startApp(appPort: number, agentosPort: number, extra: Record<string, string> = {}): Promise<Proc> {
  const p = spawnProc(`agno-chat :${appPort}`, `${ROOT}/target/debug/agno-chat`, appEnv(appPort, agentosPort, extra));
  await waitForUrl(`http://127.0.0.1:${appPort}/healthz`, p);
  return p;
}

/** Debian's redis-server on `port`, in memory only. */
export async function startRedis(port: number): Promise<Proc> {
  const p = spawnProc(`redis :${port}`, `redis-server --port ${port} --bind 127.0.0.1 --save '' --appendonly no`);
  const deadline = Date.now() + 10_000;
  while (!p.log.includes("Ready to accept connections")) {
    if (!p.running || Date.now() > deadline) throw new Error(`redis did not start:\n${p.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return p;
}

/** Debian's nginx on `port`, balancing round-robin over `upstreams` (no stickiness), with
 * the streaming settings of docs/deployment.md (`end2end/nginx.conf.template`). Its
 * files live in a folder of its own. */
export async function startBalancer(port: number, upstreams: number[]): Promise<Proc> {
  const fs = await import("node:fs");
  const os = await import("node:os");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agno-chat-nginx-"));
  const conf = fs
    .readFileSync(path.join(ROOT, "end2end/nginx.conf.template"), "utf8")
    .replaceAll("{{DIR}}", dir)
    .replaceAll("{{PORT}}", String(port))
    .replaceAll("{{UPSTREAMS}}", upstreams.map((p) => `server 127.0.0.1:${p} max_fails=0;`).join(" "));
  fs.writeFileSync(`${dir}/nginx.conf`, conf);
  const p = spawnProc(`nginx :${port}`, `/usr/sbin/nginx -p ${dir} -c ${dir}/nginx.conf`);
  await waitForUrl(`http://127.0.0.1:${port}/healthz`, p);
  return p;
}

/** A server's Prometheus text at `/metrics` (with the bearer `token` when one is set). */
export async function metricsText(base: string, token?: string): Promise<string> {
  const r = await fetch(`${base}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  if (r.status !== 200) throw new Error(`${base}/metrics answered ${r.status}`);
  return r.text();
}

/** The value of one Prometheus series in `text` (0 when absent). */
export function seriesValue(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
