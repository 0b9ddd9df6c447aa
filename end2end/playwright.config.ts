import { defineConfig } from "@playwright/test";
import { APP_PORT, DEMO_PORT, ROOT, appEnv, demoCommand } from "./tests/support/servers";

// Real Chromium (Debian's), the real app binary built by `cargo leptos build`, and the
// real demo AgentOS (agno from PyPI with a scripted offline model).
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: demoCommand(DEMO_PORT),
      cwd: ROOT,
      url: `http://127.0.0.1:${DEMO_PORT}/health`,
      reuseExistingServer: false,
      timeout: 90_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: `${ROOT}/target/debug/agno-chat`,
      cwd: ROOT,
      url: `http://127.0.0.1:${APP_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: appEnv(APP_PORT, DEMO_PORT),
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
