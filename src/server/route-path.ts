// Paths of the file routes, taken from the raw request URL (still URL-encoded), so that the routes decode
// and check each segment themselves: a `%2F` inside a segment never becomes a separator before the check.
import path from "node:path";
import type { FastifyRequest } from "fastify";
import type { KeyframeUrls } from "../services/keyframe-url.js";
import { ApiKeyAuth } from "./api-keys.js";

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

/**
 * Whether a file route may answer: always in local mode (no API keys configured); otherwise for a known
 * API key, or for a URL signed for `signedPath` that has not expired.
 */
export function keyOrSignature(
  req: FastifyRequest<{ Querystring: SignedUrlQuery }>,
  opts: { auth: ApiKeyAuth; urls: KeyframeUrls },
  signedPath: string,
): boolean {
  if (opts.auth.localMode) return true;
  const key = ApiKeyAuth.keyFrom(req.headers);
  if (key !== undefined && opts.auth.roleOf(key) !== undefined) return true;
  return opts.urls.verify(signedPath, req.query.exp, req.query.sig);
}

export const KEY_OR_SIGNATURE_REQUIRED = "an API key or a signed URL is required";
