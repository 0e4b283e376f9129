// The OpenAI-compatible generator against a local HTTP server in the test that speaks the chat
// completions API: plain answers, SSE streaming (stream: true), error statuses, timeouts, no server.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiCompatibleGenerator } from "../../../src/analysis/generators/openai-compatible.generator.js";
import { GeneratorError } from "../../../src/analysis/generators/generator-error.js";

let server: http.Server;
let base: string;
/** a chat completions request as the generator sends it (the tests' assertions check what is there) */
interface ChatRequest {
  model?: string;
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
  messages?: Array<{ role: string; content: string }>;
}
const requests: Array<{ path: string; auth?: string; body: ChatRequest }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body: ChatRequest = raw ? (JSON.parse(raw) as ChatRequest) : {};
      requests.push({ path: req.url ?? "", auth: req.headers.authorization, body });
      const model = body.model;
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(value));
      };
      if (req.url !== "/v1/chat/completions") return json(404, { error: { message: "no such route" } });
      if (req.headers.authorization !== "Bearer sk-test")
        return json(401, { error: { message: "Incorrect API key provided" } });
      if (model === "missing") return json(404, { error: { message: "model 'missing' not found" } });
      if (model === "busy") return json(429, { error: { message: "Rate limit reached" } });
      if (model === "broken") return json(500, { error: { message: "CUDA out of memory" } });
      // never answers: only the client's timeout or cancellation can end the request (no race with a timer here)
      if (model === "slow") return;
      if (model === "garbage") {
        res.writeHead(200, { "content-type": "text/plain" });
        return res.end("not json at all");
      }
      const last = body.messages!.at(-1)!.content;
      const answer = `You asked: ${last}`;
      if (!body.stream)
        return json(200, {
          id: "x",
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: "stop" }],
        });
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const pieces = answer.split(/(?<= )/);
      // first event with a role only, pieces split across writes, a comment line, CRLF separators on one event
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: "assistant" } }] })}\n\n`);
      res.write(": keep-alive\n\n");
      pieces.forEach((p, i) => {
        const event = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: p } }] })}${i === 0 ? "\r\n\r\n" : "\n\n"}`;
        res.write(event.slice(0, 7));
        res.write(event.slice(7));
      });
      if (model === "midstream-error") {
        res.write(`data: ${JSON.stringify({ error: { message: "upstream went away" } })}\n\n`);
        return res.end();
      }
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
      res.write("data: [DONE]\n\n");
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(
  () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections(); // the unanswered "slow" requests, if a client left one open
    }),
);

const gen = (model = "test-model", extra: Partial<ConstructorParameters<typeof OpenAiCompatibleGenerator>[0]> = {}) =>
  new OpenAiCompatibleGenerator({ baseUrl: `${base}/`, model, apiKey: "sk-test", ...extra });

async function failure(p: Promise<unknown>): Promise<GeneratorError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(GeneratorError);
    return error as GeneratorError;
  }
  throw new Error("expected a failure");
}

describe("OpenAI-compatible generator", () => {
  it("answers without streaming and sends model, messages, limits and the key", async () => {
    const text = await gen().generate(
      [
        { role: "system", content: "be brief" },
        { role: "user", content: "Who is Ann?" },
      ],
      { maxTokens: 50 },
    );
    expect(text).toBe("You asked: Who is Ann?");
    const req = requests.at(-1)!;
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.auth).toBe("Bearer sk-test");
    expect(req.body).toMatchObject({
      model: "test-model",
      max_tokens: 50,
      temperature: 0,
      stream: false,
      messages: [{ role: "system" }, { role: "user", content: "Who is Ann?" }],
    });
    expect(gen().provenance).toEqual({ method: "openai-compatible", model: "test-model" });
  });

  it("streams tokens over server-sent events", async () => {
    const tokens: string[] = [];
    const text = await gen().generate([{ role: "user", content: "Where is the ship?" }], {
      onToken: (t) => tokens.push(t),
    });
    expect(text).toBe("You asked: Where is the ship?");
    expect(tokens).toEqual(["You ", "asked: ", "Where ", "is ", "the ", "ship?"]);
    expect(requests.at(-1)!.body.stream).toBe(true);
  });

  it("maps error statuses to coded errors with the server's message", async () => {
    const msgs = [{ role: "user" as const, content: "hi" }];
    expect(await failure(gen("test-model", { apiKey: "wrong" }).generate(msgs))).toMatchObject({
      code: "GENERATOR_UNAUTHORIZED",
      status: 401,
      message: expect.stringContaining("Incorrect API key") as unknown,
    });
    expect(await failure(gen("missing").generate(msgs))).toMatchObject({
      code: "GENERATOR_NOT_FOUND",
      status: 404,
      message: expect.stringContaining("model 'missing' not found") as unknown,
    });
    expect(await failure(gen("busy").generate(msgs))).toMatchObject({ code: "GENERATOR_RATE_LIMITED", status: 429 });
    expect(await failure(gen("broken").generate(msgs, { onToken: () => undefined }))).toMatchObject({
      code: "GENERATOR_UNAVAILABLE",
      status: 500,
      message: expect.stringContaining("CUDA out of memory") as unknown,
    });
    expect(await failure(gen("garbage").generate(msgs))).toMatchObject({ code: "GENERATOR_BAD_RESPONSE" });
  });

  it("reports an error event in the middle of a stream", async () => {
    const tokens: string[] = [];
    const e = await failure(
      gen("midstream-error").generate([{ role: "user", content: "x" }], { onToken: (t) => tokens.push(t) }),
    );
    expect(e.code).toBe("GENERATOR_UNAVAILABLE");
    expect(e.message).toContain("upstream went away");
    expect(tokens.join("")).toBe("You asked: x");
  });

  it("times out, and honours cancellation", async () => {
    // the "slow" model never answers: without a working timeout or abort these would not settle at all
    expect(await failure(gen("slow", { timeoutMs: 200 }).generate([{ role: "user", content: "x" }]))).toMatchObject({
      code: "GENERATOR_TIMEOUT",
    });
    const controller = new AbortController();
    const seen = requests.length;
    const pending = gen("slow").generate([{ role: "user", content: "x" }], { signal: controller.signal });
    // cancel once the server has the request, so that it is cancelled in flight
    while (requests.length === seen) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    expect(await failure(pending)).toMatchObject({ code: "GENERATOR_CANCELLED" });
  });

  it("says when nothing listens at the URL", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await failure(
      new OpenAiCompatibleGenerator({ baseUrl: `http://127.0.0.1:${port}/v1`, model: "m" }).generate([
        { role: "user", content: "x" },
      ]),
    );
    expect(e.code).toBe("GENERATOR_UNAVAILABLE");
    expect(e.message).toMatch(/ECONNREFUSED/);
  });
});
