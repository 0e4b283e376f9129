// GET / (and /index.html, /assets/*): the dashboard, plain files built by Vite from src/web into dist/web (npm run build). It talks to
// the same public GraphQL API as any client; its CSP allows nothing but this origin, so no page can load
// from a CDN or send data elsewhere.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyReply, FastifyRequest } from "fastify";
import { rawPathBelow } from "./route-path.js";
import { sendFile } from "./send-file.js";

export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Observable Plot writes a <style> element into each chart
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

/** dist/web of this package, whether running from dist/ (compiled) or src/ (tests). */
export function dashboardDir(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "cinerag")
      return path.join(dir, "dist", "web");
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** the paths the dashboard's route is registered for (GET and HEAD) */
export const DASHBOARD_ROUTES = ["/", "/index.html", "/assets/*"];

export function dashboardHandler(dir = dashboardDir()) {
  const built = dir !== undefined && existsSync(path.join(dir, "index.html"));
  return async (req: FastifyRequest, res: FastifyReply): Promise<FastifyReply> => {
    const urlPath = rawPathBelow(req.url, "");
    res.header("Content-Security-Policy", DASHBOARD_CSP);
    res.header("X-Content-Type-Options", "nosniff");
    res.header("Referrer-Policy", "no-referrer");
    if (!built)
      return res
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("the dashboard is not built: run `npm run build` in the cinerag folder\n");
    // index.html changes with every build; the hashed assets never do
    res.header("Cache-Control", urlPath.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    return sendFile(req, res, urlPath === "/" ? "/index.html" : urlPath, { root: dir });
  };
}
