import { defineConfig } from "@playwright/test";
import tests from "./playwright.config";

// Browser benchmarks: real Chromium against the real app and the real demo AgentOS. They
// print figures (medians over BENCH_RUNS runs) and never fail on a missed target.
// No webServer: the benchmark starts its own processes (a demo AgentOS without token
// delay, and the app binary from AGNO_CHAT_BIN), on ports of their own.
export default defineConfig({
  testDir: "./bench",
  testMatch: "*.bench.ts",
  timeout: 10 * 60_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    viewport: { width: 1280, height: 800 },
    // The same Chromium and flags as the tests.
    launchOptions: tests.use?.launchOptions,
  },
});
