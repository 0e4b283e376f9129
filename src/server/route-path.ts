// Paths of the file routes, taken from the raw request URL (still URL-encoded), so that the routes decode
// and check each segment themselves: a `%2F` inside a segment never becomes a separator before the check.
import path from "node:path";

/** the query of a signed keyframe or reel URL (src/services/keyframe-url.ts) */
export interface SignedUrlQuery {
  exp?: unknown;
  sig?: unknown;
}

/** The path of `rawUrl` below `prefix` (e.g. `/keyframes`), without the query: "/<clip>/<n>.jpg". */
export function rawPathBelow(rawUrl: string, prefix: string): string {
  const q = rawUrl.indexOf("?");
  const pathname = q === -1 ? rawUrl : rawUrl.slice(0, q);
  return pathname.startsWith(prefix) ? pathname.slice(prefix.length) : pathname;
}

/** `real` (inside `root`) as a URL-encoded path relative to `root`, for @fastify/send */
export function encodedRelative(root: string, real: string): string {
  return path.relative(root, real).split(path.sep).map(encodeURIComponent).join("/");
}
