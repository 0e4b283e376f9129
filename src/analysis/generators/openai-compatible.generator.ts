// A TextGenerator for any OpenAI-compatible chat completions endpoint (OpenAI, Ollama, vLLM, llama.cpp
// server, LM Studio): POST <baseUrl>/chat/completions with fetch. With `onToken` it streams (`stream: true`,
// server-sent events, `data: {choices:[{delta:{content}}]}` until `data: [DONE]`). HTTP errors become
// GeneratorErrors with codes; a time limit covers the whole request (AbortSignal.timeout).
import type { ChatMessage, GenerateOptions, Provenance, TextGenerator } from "../../models/model-ports.js";
import { GeneratorError, type GeneratorErrorCode } from "./generator-error.js";

export interface OpenAiCompatibleOptions {
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama) */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** whole-request time limit, default 120 s */
  timeoutMs?: number;
  /** default 512 */
  maxTokens?: number;
  /** tests */
  fetch?: typeof fetch;
}

export const OPENAI_METHOD = "openai-compatible";

export class OpenAiCompatibleGenerator implements TextGenerator {
  readonly provenance: Provenance;
  private readonly url: string;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.provenance = { method: OPENAI_METHOD, model: options.model };
  }

  async generate(messages: ChatMessage[], options: GenerateOptions = {}): Promise<string> {
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const stream = Boolean(options.onToken);
    const body = {
      model: this.options.model,
      messages,
      max_tokens: options.maxTokens ?? this.options.maxTokens ?? 512,
      temperature: options.temperature ?? 0,
      stream,
    };
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: stream ? "text/event-stream" : "application/json",
    };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const doFetch = this.options.fetch ?? fetch;
    const fail = (error: unknown): never => {
      if (error instanceof GeneratorError) throw error;
      if (options.signal?.aborted) throw new GeneratorError("GENERATOR_CANCELLED", "generation cancelled");
      if (timeout.aborted)
        throw new GeneratorError(
          "GENERATOR_TIMEOUT",
          `the generator at ${this.url} did not answer within ${timeoutMs / 1000} s`,
        );
      const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
      throw new GeneratorError(
        "GENERATOR_UNAVAILABLE",
        `cannot reach the generator at ${this.url}: ${cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error)}`,
      );
    };
    let res: Response;
    try {
      res = await doFetch(this.url, { method: "POST", headers, body: JSON.stringify(body), signal });
    } catch (error) {
      return fail(error);
    }
    if (!res.ok) throw await httpError(res, this.url);
    try {
      if (!stream) {
        const json = (await res.json().catch(() => {
          throw new GeneratorError(
            "GENERATOR_BAD_RESPONSE",
            `the generator at ${this.url} answered with something that is not JSON`,
          );
        })) as { choices?: Array<{ message?: { content?: unknown } }> };
        const content = json.choices?.[0]?.message?.content;
        if (typeof content !== "string")
          throw new GeneratorError(
            "GENERATOR_BAD_RESPONSE",
            `the generator at ${this.url} answered without choices[0].message.content`,
          );
        return content;
      }
      return await this.readStream(res, options.onToken!);
    } catch (error) {
      return fail(error);
    }
  }

  private async readStream(res: Response, onToken: (t: string) => void): Promise<string> {
    if (!res.body)
      throw new GeneratorError("GENERATOR_BAD_RESPONSE", "the generator answered a stream request without a body");
    const contentType = res.headers.get("content-type") ?? "";
    if (contentType.includes("application/json")) {
      // a server that ignores `stream: true`: one JSON answer
      const json = (await res.json()) as { choices?: Array<{ message?: { content?: unknown } }> };
      const content = json.choices?.[0]?.message?.content;
      if (typeof content !== "string")
        throw new GeneratorError("GENERATOR_BAD_RESPONSE", "the generator answered without choices[0].message.content");
      if (content) onToken(content);
      return content;
    }
    const decoder = new TextDecoder();
    let buffer = "";
    let text = "";
    let done = false;
    const handleEvent = (data: string) => {
      if (data === "[DONE]") {
        done = true;
        return;
      }
      let event: {
        choices?: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }>;
        error?: { message?: string };
      };
      try {
        event = JSON.parse(data) as typeof event;
      } catch {
        throw new GeneratorError(
          "GENERATOR_BAD_RESPONSE",
          `the generator sent an event that is not JSON: ${data.slice(0, 80)}`,
        );
      }
      if (event.error)
        throw new GeneratorError(
          "GENERATOR_UNAVAILABLE",
          `the generator failed mid-stream: ${event.error.message ?? "unknown error"}`,
        );
      const piece = event.choices?.[0]?.delta?.content;
      if (typeof piece === "string" && piece.length > 0) {
        text += piece;
        onToken(piece);
      }
    };
    const reader = res.body.getReader();
    try {
      while (!done) {
        const { value, done: ended } = await reader.read();
        if (value) buffer += decoder.decode(value, { stream: true });
        // events are separated by a blank line; each has one or more `data:` lines
        let sep: RegExpExecArray | null;
        while ((sep = /\r?\n\r?\n/.exec(buffer))) {
          const raw = buffer.slice(0, sep.index);
          buffer = buffer.slice(sep.index + sep[0].length);
          const data = raw
            .split(/\r?\n/)
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).replace(/^ /, ""))
            .join("\n");
          if (data) handleEvent(data);
          if (done) break;
        }
        if (ended) {
          const rest = buffer.trim();
          if (rest.startsWith("data:")) handleEvent(rest.slice(5).trim());
          break;
        }
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    return text;
  }
}

async function httpError(res: Response, url: string): Promise<GeneratorError> {
  let detail = "";
  try {
    const text = await res.text();
    try {
      const json = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
      detail = (typeof json.error === "string" ? json.error : json.error?.message) ?? json.message ?? text;
    } catch {
      detail = text;
    }
  } catch {
    /* no body */
  }
  detail = detail.replace(/\s+/g, " ").trim().slice(0, 300);
  const s = res.status;
  const code: GeneratorErrorCode =
    s === 401 || s === 403
      ? "GENERATOR_UNAUTHORIZED"
      : s === 404
        ? "GENERATOR_NOT_FOUND"
        : s === 429
          ? "GENERATOR_RATE_LIMITED"
          : s === 408 || s === 504
            ? "GENERATOR_TIMEOUT"
            : s >= 500
              ? "GENERATOR_UNAVAILABLE"
              : s >= 400
                ? "GENERATOR_BAD_REQUEST"
                : "GENERATOR_BAD_RESPONSE";
  return new GeneratorError(code, `the generator at ${url} answered HTTP ${s}${detail ? `: ${detail}` : ""}`, s);
}
