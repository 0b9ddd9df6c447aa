import { test, expect, Page } from "@playwright/test";
import { openHydrated } from "./support/page";
import { DEMO_PORT } from "./support/servers";
import { ELF, PDF } from "./support/files";

// Messages with files, through agno-chat's upload endpoint to the real demo AgentOS: the
// server decides each file's type from its bytes, counts its bytes as they stream, and
// passes the files on to AgentOS's multipart run request. (The composer's attach button
// comes with the browser side of attachments; these tests drive the endpoint itself.)

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

type Event = { type: string; text?: string; content?: string; message?: string; kind?: string; session_id?: string };

async function sendWithFiles(
  page: Page,
  message: string,
  files: { name: string; type: string; bytes: Buffer }[],
  agent = "echo-agent",
): Promise<{ status: number; events: Event[] }> {
  const form = new FormData();
  form.append("req", JSON.stringify({ kind: "agent", assistant_id: agent, session_id: null, message }));
  for (const f of files) form.append("files", new Blob([f.bytes], { type: f.type }), f.name);
  const r = await page.request.post("/api/chat/send-files", {
    headers: { Origin: origin(page) },
    multipart: form,
    timeout: 30_000,
  });
  const text = await r.text();
  const events = r.status() === 200 ? text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Event) : [];
  return { status: r.status(), events };
}

/** The app's origin, which its origin check expects of a browser's request. */
function origin(page: Page): string {
  return new URL(page.url()).origin;
}

test.describe("messages with files", () => {
  test("an image and a PDF reach AgentOS with the run, typed by their bytes, named", async ({ page }) => {
    await openHydrated(page, "/?agent=media-agent");
    const { status, events } = await sendWithFiles(
      page,
      "two files attached",
      [
        { name: "pixel.png", type: "application/octet-stream", bytes: PNG },
        // A PDF the browser calls text: the server goes by its bytes.
        { name: "notes.pdf", type: "text/plain", bytes: PDF },
      ],
      "media-agent",
    );
    expect(status).toBe(200);
    const kinds = events.map((e) => e.type);
    expect(kinds[0]).toBe("started");
    const done = events.find((e) => e.type === "completed")!;
    // The demo's media agent reads what agno handed its model and names each file.
    expect(done.content).toBe(
      `Received 2 attachments:\n- pixel.png (image/png, ${PNG.length} bytes, 1×1)\n- notes.pdf (application/pdf, ${PDF.length} bytes)`,
    );
  });

  test("refusals say which file and why, in the answer, and no run starts", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    // An executable renamed to look like an image.
    let sent = await sendWithFiles(page, "a picture", [
      { name: "ok.txt", type: "text/plain", bytes: Buffer.from("fine words\n") },
      { name: "cat.png", type: "image/png", bytes: ELF },
    ]);
    expect(sent.status).toBe(200);
    expect(sent.events.map((e) => e.type)).toEqual(["failed"]);
    expect(sent.events[0].kind).toBe("invalid");
    expect(sent.events[0].message).toContain("cat.png");

    // Too many files (the default limit is 10).
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `n${i}.txt`, type: "text/plain", bytes: Buffer.from(`note ${i}\n`) }));
    sent = await sendWithFiles(page, "many notes", many);
    expect(sent.events.map((e) => e.type)).toEqual(["failed"]);
    expect(sent.events[0].message).toBe("At most 10 files can be sent with one message.");

    // An empty file.
    sent = await sendWithFiles(page, "nothing", [{ name: "empty.txt", type: "text/plain", bytes: Buffer.alloc(0) }]);
    expect(sent.events[0].message).toBe("empty.txt is empty.");

    // The message's own checks come first, as for any message.
    sent = await sendWithFiles(page, "   ", [{ name: "a.txt", type: "text/plain", bytes: Buffer.from("a") }]);
    expect(sent.events.map((e) => e.type)).toEqual(["failed"]);
  });

  test("a form without the message first, or without multipart, is refused", async ({ page }) => {
    await openHydrated(page, "/?agent=echo-agent");
    const form = new FormData();
    form.append("files", new Blob([PNG]), "pixel.png");
    const r = await page.request.post("/api/chat/send-files", {
      headers: { Origin: origin(page) },
      multipart: form,
    });
    expect(r.status()).toBe(400);
    const plain = await page.request.post("/api/chat/send-files", {
      headers: { Origin: origin(page), "Content-Type": "text/plain" },
      data: "hello",
    });
    expect(plain.status()).toBe(400);
    // From another site: refused by the origin check, as every server function is.
    const cross = await page.request.post("/api/chat/send-files", {
      headers: { Origin: "https://evil.example" },
      multipart: form,
    });
    expect(cross.status()).toBe(403);
  });

  test("stored files come back only to their owner; only images, audio and video show inline", async ({ page, browser, request }) => {
    await openHydrated(page, "/?agent=media-agent");
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>window.__svg = 1</script></svg>');
    const { events } = await sendWithFiles(
      page,
      "keep these",
      [
        { name: "pixel.png", type: "image/png", bytes: PNG },
        { name: "drawing.svg", type: "image/svg+xml", bytes: svg },
      ],
      "media-agent",
    );
    const sid = events.find((e) => e.type === "started")!.session_id!;
    expect(events.find((e) => e.type === "completed")!.content).toContain("drawing.svg (text/plain");
    // The storage keys, as AgentOS keeps them with the run (the demo runs without auth).
    const runs = await (await request.get(`http://127.0.0.1:${DEMO_PORT}/sessions/${sid}/runs?type=agent`)).json();
    const media = runs[0].input_media;
    const pngKey = media.images[0].media_reference.storage_key;
    const svgKey = media.files[0].media_reference.storage_key;
    const url = (key: string) => `/api/media/agent/media-agent/${sid}/${encodeURIComponent(key)}`;

    const png = await page.request.get(url(pngKey));
    expect(png.status()).toBe(200);
    expect(png.headers()["content-type"]).toBe("image/png");
    expect(png.headers()["x-content-type-options"]).toBe("nosniff");
    expect(png.headers()["content-disposition"]).toBeUndefined();
    expect(png.headers()["content-security-policy"]).toContain("sandbox");
    expect(Buffer.compare(await png.body(), PNG)).toBe(0);

    // The SVG is never rendered: a download, typed as bytes, under a policy that runs nothing.
    const svgAnswer = await page.request.get(url(svgKey));
    expect(svgAnswer.status()).toBe(200);
    expect(svgAnswer.headers()["content-type"]).toBe("application/octet-stream");
    expect(svgAnswer.headers()["content-disposition"]).toBe("attachment");
    const download = page.waitForEvent("download");
    await page.evaluate((href) => {
      const a = document.createElement("a");
      a.href = href;
      a.rel = "external"; // past the app's router, as a link in an answer would be
      document.body.append(a);
      a.click();
    }, url(svgKey));
    expect((await download).suggestedFilename()).toBeTruthy();
    expect(await page.evaluate(() => (window as unknown as { __svg?: number }).__svg)).toBeUndefined();

    // Someone else gets nothing, by URL or by guessing keys.
    const other = await browser.newContext({ baseURL: new URL(page.url()).origin });
    const stranger = await other.newPage();
    await stranger.goto("/?agent=media-agent");
    expect((await stranger.request.get(url(pngKey))).status()).toBe(404);
    expect((await page.request.get(url("no-such-key.png"))).status()).toBe(404);
    expect((await page.request.get(`/api/media/agent/media-agent/${sid}/..%2F..%2Fdemo.db`)).status()).toBe(404);
    await other.close();
  });
});
