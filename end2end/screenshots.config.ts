import { defineConfig } from "@playwright/test";
import tests from "./playwright.config";

// The screenshots in docs/ (desktop and phone, light and dark), taken against the same
// app and demo AgentOS as the tests: npx playwright test -c screenshots.config.ts
export default defineConfig({
  ...tests,
  testDir: "./screenshots",
  testMatch: "*.shots.ts",
});
