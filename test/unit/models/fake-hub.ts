// A stand-in for the Hugging Face hub (the one boundary that cannot be had here): a `fetch` that answers
// `https://huggingface.co/<org>/<name>/resolve/main/<file>` from folders on disk, 404 for anything else,
// and counts what was asked. transformers.js downloads through it into the real file cache.
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface FakeHub {
  fetch: typeof fetch;
  requests: string[];
}

export function fakeHub(repos: Record<string, string>): FakeHub {
  const requests: string[] = [];
  const handler = async (input: string | URL | Request): Promise<Response> => {
    const url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url);
    requests.push(url.pathname);
    const m = /^\/(.+?\/.+?)\/resolve\/[^/]+\/(.+)$/.exec(url.pathname);
    const dir = m ? repos[m[1]!] : undefined;
    if (!m || !dir) return new Response("not found", { status: 404 });
    try {
      const bytes = await readFile(path.join(dir, decodeURIComponent(m[2] ?? "")));
      return new Response(bytes, { status: 200, headers: { "content-length": String(bytes.length) } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  };
  return { fetch: handler, requests };
}
