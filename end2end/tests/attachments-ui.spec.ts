import { test, expect, Page } from "@playwright/test";
import { ask, expectNoPanics, noSeriousViolations, openHydrated } from "./support/page";
import { ELF, PDF } from "./support/files";

// Attachments as a person uses them, in the browser against the real demo AgentOS: the
// attach button, paste and drag and drop, the checks before upload and the server's after
// it, Stop during an upload, and answers with images, audio and numbered sources. Each
// of these survives a reload, rebuilt from what AgentOS stored.

// A 2×1 PNG.
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000002000000010806000000f4227f8a0000000e49444154" +
    "789c63f8cfc00042ff010ff903fd851199760000000049454e44ae426082",
  "hex",
);

const chips = (page: Page) => page.getByTestId("attach-chip");

/** Puts files into the composer through its file input (what the attach button opens). */
async function attach(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  await page.getByTestId("attach-input").setInputFiles(files);
}

test.describe("attachments in the browser", () => {
  test("an image and a PDF are attached, sent with progress, answered, and shown again after a reload", async ({ page }) => {
    await openHydrated(page, "/?agent=media-agent");
    await attach(page, [
      { name: "pixel.png", mimeType: "image/png", buffer: PNG },
      { name: "report.pdf", mimeType: "application/pdf", buffer: PDF },
    ]);
    await expect(chips(page)).toHaveCount(2);
    await expect(chips(page).nth(0)).toContainText("pixel.png");
    await expect(chips(page).nth(0)).toContainText(`${PNG.length} B`);
    await expect(chips(page).nth(0).getByTestId("attach-thumb")).toHaveCount(1);
    await expect(chips(page).nth(1)).toContainText("report.pdf");
    await noSeriousViolations(page, "files in the composer");
    // One removed and added again: the remove button works.
    await chips(page).nth(1).getByTestId("attach-remove").click();
    await expect(chips(page)).toHaveCount(1);
    await attach(page, [{ name: "report.pdf", mimeType: "application/pdf", buffer: PDF }]);
    await expect(chips(page)).toHaveCount(2);

    await ask(page, "two files attached");
    await expect(chips(page)).toHaveCount(0);
    const answer = page.getByTestId("assistant-message").last();
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(answer.getByTestId("answer-text")).toContainText("Received 2 attachments:");
    await expect(answer.getByTestId("answer-text")).toContainText(`pixel.png (image/png, ${PNG.length} bytes, 2×1)`);
    await expect(answer.getByTestId("answer-text")).toContainText(`report.pdf (application/pdf, ${PDF.length} bytes)`);
    const sent = page.getByTestId("user-message").last().getByTestId("attachments");
    await expect(sent.locator("img")).toHaveCount(1);
    await expect(sent.getByTestId("media-file")).toContainText("report.pdf");

    // After a reload the message shows its thumbnail and chip from AgentOS's copy.
    await expect(page).toHaveURL(/\/c\//);
    await page.reload();
    const stored = page.getByTestId("user-message").last().getByTestId("attachments");
    const thumb = stored.locator("img");
    await expect(thumb).toHaveCount(1, { timeout: 30_000 });
    await expect(thumb).toHaveAttribute("src", /^\/api\/media\/agent\/media-agent\//);
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2);
    const pdf = stored.getByTestId("media-file");
    await expect(pdf).toContainText("report.pdf");
    const download = await page.request.get((await pdf.getAttribute("href"))!);
    expect(download.status()).toBe(200);
    expect(download.headers()["content-disposition"]).toBe("attachment");
    expect(Buffer.compare(await download.body(), PDF)).toBe(0);
    expectNoPanics(page);
  });

  test("an image is pasted and a file dropped onto the page", async ({ page }) => {
    await openHydrated(page, "/?agent=media-agent");
    const png = PNG.toString("base64");
    await page.getByTestId("composer-input").focus();
    await page.evaluate((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], "", { type: "image/png" }));
      const ev = new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true });
      document.getElementById("composer-input")!.dispatchEvent(ev);
    }, png);
    await expect(chips(page)).toHaveCount(1);
    await expect(chips(page).first()).toContainText(/pasted-\d+\.png/);
    // Pasting text still pastes text.
    await page.getByTestId("composer-input").fill("pasted and dropped");

    // The drag shows where to drop; the drop adds the file.
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(["Meeting notes\n- ship attachments\n"], "notes.txt", { type: "text/plain" }));
      (window as unknown as { dropped: DataTransfer }).dropped = data;
      const chat = document.querySelector("[data-testid=chat]")!;
      chat.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await expect(page.locator("body[data-dragging]")).toHaveAttribute("data-dragging", "Drop files to attach them");
    await page.evaluate(() => {
      const data = (window as unknown as { dropped: DataTransfer }).dropped;
      const chat = document.querySelector("[data-testid=chat]")!;
      chat.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await expect(page.locator("body[data-dragging]")).toHaveCount(0);
    await expect(chips(page)).toHaveCount(2);
    await expect(chips(page).nth(1)).toContainText("notes.txt");
    await page.getByTestId("composer-input").press("Enter");
    const answer = page.getByTestId("assistant-message").last();
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(answer.getByTestId("answer-text")).toContainText("Received 2 attachments:");
    await expect(answer.getByTestId("answer-text")).toContainText(/pasted-\d+\.png \(image\/png, \d+ bytes, 2×1\)/);
    await expect(answer.getByTestId("answer-text")).toContainText("notes.txt (text/plain, 33 bytes)");
    expectNoPanics(page);
  });

  test("too many, too large, a refused kind and a renamed program are each refused, and nothing typed is lost", async ({ page }) => {
    await openHydrated(page, "/?agent=media-agent");
    const input = page.getByTestId("composer-input");
    await input.fill("keep these words");
    const error = page.getByTestId("input-error");

    await attach(page, [{ name: "setup.exe", mimeType: "application/x-msdownload", buffer: ELF }]);
    await expect(error).toContainText("setup.exe: this kind of file cannot be sent.");
    await expect(chips(page)).toHaveCount(0);

    await attach(page, [{ name: "huge.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(21 * 1024 * 1024, 0x25) }]);
    await expect(error).toContainText("huge.pdf is larger than 20 MB");

    const notes = Array.from({ length: 11 }, (_, i) => ({ name: `n${i}.txt`, mimeType: "text/plain", buffer: Buffer.from(`note ${i}\n`) }));
    await attach(page, notes);
    await expect(error).toContainText("At most 10 files can be sent with one message.");
    await expect(chips(page)).toHaveCount(10);
    for (let i = 0; i < 9; i++) await chips(page).first().getByTestId("attach-remove").click();
    await expect(chips(page)).toHaveCount(1);

    // A program named like an image passes the browser's check; the server reads its bytes.
    await attach(page, [{ name: "cat.png", mimeType: "image/png", buffer: ELF }]);
    await expect(chips(page)).toHaveCount(2);
    await input.press("Enter");
    await expect(error).toContainText("cat.png", { timeout: 30_000 });
    await expect(input).toHaveValue("keep these words");
    await expect(chips(page)).toHaveCount(2);
    await expect(page.locator("[data-testid=attach-chip].refused")).toHaveAttribute("data-name", "cat.png");
    await expect(page.getByTestId("turn")).toHaveCount(0);
    // Without it, the message goes.
    await page.locator("[data-testid=attach-chip].refused").getByTestId("attach-remove").click();
    await input.press("Enter");
    const answer = page.getByTestId("assistant-message").last();
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    await expect(answer.getByTestId("answer-text")).toContainText("Received 1 attachment:");
    expectNoPanics(page);
  });

  test("Stop during an upload cancels it, and the message and files go back to the box", async ({ page, context }) => {
    await openHydrated(page, "/?agent=media-agent");
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    await attach(page, [{ name: "big.pdf", mimeType: "application/pdf", buffer: Buffer.concat([PDF, Buffer.alloc(4 * 1024 * 1024, 0x20)]) }]);
    await ask(page, "a slow upload");
    await expect(page.getByTestId("upload-progress")).toBeVisible();
    await page.getByTestId("stop").click();
    await expect(page.getByTestId("input-error")).toContainText("The upload was cancelled");
    await expect(page.getByTestId("composer-input")).toHaveValue("a slow upload");
    await expect(chips(page)).toHaveCount(1);
    await expect(page.getByTestId("turn")).toHaveCount(0);
    await expect(page.getByTestId("send")).toBeVisible();
    expectNoPanics(page);
  });

  test("an answer's image, audio and sources show, open, and survive a reload", async ({ page }) => {
    await openHydrated(page, "/?agent=studio-agent");
    await ask(page, "Draw a blue square and play a tone");
    let answer = page.getByTestId("assistant-message").last();
    await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
    const check = async () => {
      answer = page.getByTestId("assistant-message").last();
      const media = answer.getByTestId("answer-media");
      const image = media.getByTestId("media-image");
      await expect(image).toHaveCount(1, { timeout: 30_000 });
      const img = image.locator("img");
      await expect(img).toHaveAttribute("alt", "A 64×64 blue square");
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBe(64);
      const audio = media.getByTestId("media-audio").locator("audio");
      await expect(audio).toHaveCount(1);
      const src = (await audio.getAttribute("src"))!;
      const wav = await page.request.get(src);
      expect(wav.status()).toBe(200);
      expect(wav.headers()["content-type"]).toMatch(/^audio\/(x-)?wav/);
      // The viewer: opened from the keyboard, closed with Escape, focus back on the image.
      await image.focus();
      await page.keyboard.press("Enter");
      const viewer = answer.getByTestId("media-viewer");
      await expect(viewer).toBeVisible();
      await expect(viewer.getByTestId("media-viewer-image")).toHaveAttribute("alt", "A 64×64 blue square");
      await noSeriousViolations(page, "the image viewer");
      await page.keyboard.press("Escape");
      await expect(viewer).toBeHidden();
      await expect(image).toBeFocused();
    };
    await check();
    await page.reload();
    await check();

    await page.goto("/?agent=sources-agent");
    await expect(page.locator("body[data-hydrated=true]")).toHaveCount(1, { timeout: 30_000 });
    await ask(page, "What is AgentOS?");
    const checkSources = async () => {
      const a = page.getByTestId("assistant-message").last();
      await expect(a).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
      const sources = a.getByTestId("source");
      await expect(sources).toHaveCount(3, { timeout: 30_000 });
      await expect(sources.nth(0).locator("a")).toHaveAttribute("href", "https://docs.agno.com/introduction");
      await expect(sources.nth(0)).toContainText("What is Agno?");
      await expect(sources.nth(0).locator(".source-snippet")).toContainText("Agno is a Python framework");
      await expect(sources.nth(2)).toContainText("Demo handbook");
      const marker = a.getByTestId("cite").first();
      await expect(marker).toHaveText("[1]");
      const target = await marker.getAttribute("href");
      expect(target).toBe(`#${await sources.nth(0).getAttribute("id")}`);
    };
    await checkSources();
    await expect(page).toHaveURL(/\/c\//);
    await page.reload();
    await checkSources();
    expectNoPanics(page);
  });
});
