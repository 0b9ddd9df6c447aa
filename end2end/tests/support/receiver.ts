import * as http from "node:http";
import * as zlib from "node:zlib";

// One HTTP receiver for what agno-chat sends out: OTLP/HTTP traces (`/v1/traces`), Sentry
// envelopes and analytics webhook batches, kept in arrival order. The real SDKs and the
// app's own sink talk to it.

export type Attr = { key: string; value: Record<string, unknown> };

export type Span = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Attr[];
  events?: { name: string; attributes?: Attr[] }[];
  status?: { code?: number | string };
};

export class Receiver {
  readonly received: { path: string; body: string }[] = [];
  private server?: http.Server;

  static async start(port: number): Promise<Receiver> {
    const r = new Receiver();
    r.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        let body = Buffer.concat(chunks);
        const enc = req.headers["content-encoding"];
        if (enc === "gzip") body = zlib.gunzipSync(body);
        if (enc === "deflate") body = zlib.inflateSync(body);
        r.received.push({ path: req.url || "", body: body.toString("utf8") });
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => r.server!.listen(port, "127.0.0.1", () => resolve()));
    return r;
  }

  /** The bodies received at paths starting with `prefix`. */
  bodiesAt(prefix: string): string[] {
    return this.received.filter((r) => r.path.startsWith(prefix)).map((r) => r.body);
  }

  /** Every span received over OTLP. */
  spans(): Span[] {
    const out: Span[] = [];
    for (const b of this.bodiesAt("/v1/traces")) {
      for (const rs of JSON.parse(b).resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) out.push(...(ss.spans ?? []));
    }
    return out;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The value of attribute `key` of a span or span event. */
export function attr(s: { attributes?: Attr[] } | undefined, key: string): unknown {
  const v = s?.attributes?.find((a) => a.key === key)?.value;
  return v && (v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue);
}
