// GET / : the dashboard, plain files built by Vite from src/web into dist/web (npm run build). It talks to
// the same public GraphQL API as any client; its CSP allows nothing but this origin, so no page can load
// from a CDN or send data elsewhere.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express, { type NextFunction, type Request, type Response } from "express";

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

export function dashboardHandler(dir = dashboardDir()) {
  const built = dir !== undefined && existsSync(path.join(dir, "index.html"));
  const files = built ? express.static(dir, { index: "index.html", dotfiles: "deny", fallthrough: true }) : undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (req.path !== "/" && req.path !== "/index.html" && !req.path.startsWith("/assets/")) return next();
    res.setHeader("Content-Security-Policy", DASHBOARD_CSP);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    if (!files) {
      res
        .status(503)
        .type("text/plain")
        .send("the dashboard is not built: run `npm run build` in the cinerag folder\n");
      return;
    }
    // index.html changes with every build; the hashed assets never do
    res.setHeader(
      "Cache-Control",
      req.path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
    );
    files(req, res, next);
  };
}
