// Stored analysis results (AnalysisResult table): every result is kept with the scope, parameters, model
// ids and code version that produced it, and reused when the same analysis is asked again with the same
// inputs. A freshly computed result is published on ANALYSIS_COMPLETED (the `analysisCompleted`
// subscription); a reused one is not (nothing new happened), its `cached` says so.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PubSub } from "../../events/pubsub.port.js";
import type { Logger } from "../../logging/logger.js";
import type { AnalysisResultRepository, AnalysisResultRow } from "../../store/analysis-result.repository.js";
import { ANALYSIS_KINDS, type AnalysisKind } from "../analysis.kinds.js";
import type { ResolvedScope } from "../scope.js";
import type { ModelUse } from "./run.types.js";

export const ANALYSIS_COMPLETED = "ANALYSIS_COMPLETED";

export type { AnalysisKind, ModelUse };

export interface AnalysisRun<T = unknown> {
  id: string;
  kind: AnalysisKind;
  scopeHash: string;
  clipIds: string[];
  parameters: Record<string, unknown>;
  models: ModelUse[];
  codeVersion: string;
  createdAt: string;
  /** true when this result was read back from the store instead of computed now */
  cached: boolean;
  result: T;
}

/** Published on ANALYSIS_COMPLETED: plain JSON, without the result (dashboards fetch what they show). */
export interface AnalysisCompletedPayload {
  id: string;
  kind: AnalysisKind;
  clipIds: string[];
  scopeHash: string;
  parameters: Record<string, unknown>;
  models: ModelUse[];
  codeVersion: string;
  createdAt: string;
}

let version: string | undefined;
/** the `version` of cinerag's package.json (from src/analysis/results or dist/src/analysis/results) */
export function codeVersion(): string {
  if (version) return version;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
        if (pkg.name === "cinerag" && pkg.version) return (version = pkg.version);
      } catch {
        /* keep looking */
      }
    }
    dir = path.dirname(dir);
  }
  return (version = "unknown");
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function inputKey(
  kind: AnalysisKind,
  scopeHash: string,
  parameters: Record<string, unknown>,
  models: ModelUse[],
  code: string,
): string {
  return createHash("sha256").update(stableJson({ kind, scopeHash, parameters, models, code })).digest("hex");
}

export interface RunOptions {
  /** compute again even when a stored result exists (it is replaced) */
  refresh?: boolean;
}

export class AnalysisStore {
  private readonly inflight = new Map<string, Promise<AnalysisRun>>();

  constructor(
    private readonly deps: {
      results: AnalysisResultRepository;
      pubsub?: PubSub;
      logger?: Logger;
      codeVersion?: string;
    },
  ) {}

  get codeVersion(): string {
    return this.deps.codeVersion ?? codeVersion();
  }

  /** The stored result for these inputs, or `compute()` stored and published. Concurrent equal requests share one computation. */
  async run<T>(
    kind: AnalysisKind,
    scope: Pick<ResolvedScope, "hash" | "clipIds">,
    parameters: Record<string, unknown>,
    models: ModelUse[],
    compute: () => Promise<T>,
    options: RunOptions = {},
  ): Promise<AnalysisRun<T>> {
    const code = this.codeVersion;
    const key = inputKey(kind, scope.hash, parameters, models, code);
    const running = this.inflight.get(key);
    if (running) return (await running) as AnalysisRun<T>;
    const p = (async (): Promise<AnalysisRun> => {
      if (!options.refresh) {
        const row = await this.deps.results.byInputKey(key);
        if (row) return { ...this.fromRow(row), cached: true };
      }
      const result = await compute();
      const data = {
        kind,
        scopeHash: scope.hash,
        inputKey: key,
        clipIds: JSON.stringify(scope.clipIds),
        parameters: JSON.stringify(parameters),
        models: JSON.stringify(models),
        codeVersion: code,
        result: JSON.stringify(result),
      };
      const row = await this.deps.results.save(data);
      const run: AnalysisRun = { ...this.fromRow(row), result, cached: false };
      this.publish(run);
      return run;
    })();
    this.inflight.set(key, p);
    try {
      return (await p) as AnalysisRun<T>;
    } finally {
      this.inflight.delete(key);
    }
  }

  async get(id: string): Promise<AnalysisRun | null> {
    const row = await this.deps.results.byId(id);
    return row ? { ...this.fromRow(row), cached: true } : null;
  }

  /** newest first */
  async list(filter: { kinds?: AnalysisKind[]; clipId?: string; first?: number } = {}): Promise<AnalysisRun[]> {
    const rows = await this.deps.results.list({
      kinds: filter.kinds,
      clipId: filter.clipId,
      take: Math.min(Math.max(filter.first ?? 20, 1), 100),
    });
    return rows.map((r) => ({ ...this.fromRow(r), cached: true }));
  }

  private publish(run: AnalysisRun): void {
    const payload: AnalysisCompletedPayload = {
      id: run.id,
      kind: run.kind,
      clipIds: run.clipIds,
      scopeHash: run.scopeHash,
      parameters: run.parameters,
      models: run.models,
      codeVersion: run.codeVersion,
      createdAt: run.createdAt,
    };
    try {
      this.deps.pubsub?.publish(ANALYSIS_COMPLETED, payload);
    } catch (error) {
      this.deps.logger?.warn({ err: error }, "could not publish analysisCompleted");
    }
  }

  private fromRow(row: AnalysisResultRow): AnalysisRun {
    return {
      id: row.id,
      kind: kindOf(row.kind),
      scopeHash: row.scopeHash,
      clipIds: JSON.parse(row.clipIds) as string[],
      parameters: JSON.parse(row.parameters) as Record<string, unknown>,
      models: JSON.parse(row.models) as ModelUse[],
      codeVersion: row.codeVersion,
      createdAt: row.createdAt.toISOString(),
      cached: true,
      result: JSON.parse(row.result) as unknown,
    };
  }
}

/** a stored kind; one no folder computes any more (a row from a newer or older version) is refused */
function kindOf(kind: string): AnalysisKind {
  const known = ANALYSIS_KINDS.find((k) => k === kind);
  if (!known) throw new Error(`stored analysis result of unknown kind ${kind}`);
  return known;
}
