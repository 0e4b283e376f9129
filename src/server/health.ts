// /healthz: the process is up. /readyz: the database answers (and the search index, when the app has one).
import type { FastifyReply, FastifyRequest } from "fastify";

export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

/** the database's readiness: a trivial query answers (src/store/health.repository.ts) */
export function databaseCheck(database: { ping(): Promise<boolean> }): ReadinessCheck {
  return { name: "database", check: () => database.ping() };
}

const withTimeout = <T>(p: Promise<T>, ms: number, fallback: T) =>
  Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

export function healthHandler(started: number) {
  return (_req: FastifyRequest, res: FastifyReply) =>
    res.send({ status: "ok", uptimeSeconds: Math.round((Date.now() - started) / 1000) });
}

export function readyHandler(checks: ReadinessCheck[], timeoutMs = 2_000) {
  return async (_req: FastifyRequest, res: FastifyReply) => {
    const results: Record<string, "ok" | "unavailable"> = {};
    await Promise.all(
      checks.map(async (c) => {
        const ok = await withTimeout(
          c.check().catch(() => false),
          timeoutMs,
          false,
        );
        results[c.name] = ok ? "ok" : "unavailable";
      }),
    );
    const ready = Object.values(results).every((r) => r === "ok");
    return res.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", checks: results });
  };
}
