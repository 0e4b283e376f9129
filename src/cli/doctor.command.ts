// `cinerag doctor`: checks what cinerag needs, without changing anything (it does not migrate the database
// or download models): ffmpeg and ffprobe (which ones, from where, which version), the database and its
// migrations, the job queue (in-process, or BullMQ: Redis reachable, jobs waiting, workers connected), the
// search index (reachable, built with the configured embedding model) and every task's
// model. Prints one line per check (`--json`: one object); exits 1 when something required is broken:
// ffmpeg, a failed or edited migration, an unreachable Redis or search index, a configured model folder that holds
// no model. Models that are merely absent are warnings: cinerag falls back (and says so).
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { databaseTarget, type Config } from "../config.js";
import { DRAIN_LEASE, searchTopology } from "../search/search-topology.js";
import { FfmpegMediaTools } from "../media/ffmpeg/ffmpeg.media-tools.js";
import type { MediaTools } from "../media/media.port.js";
import { ModelRegistry } from "../models/model-registry.js";
import type { SceneIndex } from "../search/scene-index.port.js";
import { migrationStatus, sqliteVersion, type MigrationStatus } from "../store/migrate.js";
import { describePostgres } from "../store/migrate.postgres.js";
import { redactUrl } from "../store/schema-engine.js";
import { printError } from "./cli-error.js";
import { formatBytes } from "./models.command.js";

export type CheckLevel = "ok" | "warn" | "fail";

export interface Check {
  name: string;
  level: CheckLevel;
  detail: string;
}

export interface DoctorDeps {
  loadConfig: () => Config;
  /** tests */
  media?: (config: Config) => MediaTools;
  sceneIndex?: (config: Config, registry: ModelRegistry) => SceneIndex;
}

export async function runChecks(config: Config, deps: Omit<DoctorDeps, "loadConfig"> = {}): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, level: CheckLevel, detail: string) => checks.push({ name, level, detail });

  // ffmpeg
  try {
    const media =
      deps.media?.(config) ??
      new FfmpegMediaTools({
        ffmpegPath: config.media.ffmpegPath,
        ffprobePath: config.media.ffprobePath,
        timeoutMs: 10_000,
      });
    const d = await media.describe();
    if (d.version === "unavailable") add("ffmpeg", "fail", `${d.ffmpeg} (${d.source}) does not run`);
    else add("ffmpeg", "ok", `${d.version} (${d.source}: ${d.ffmpeg})`);
    if (d.probeVersion === "unavailable") add("ffprobe", "fail", `${d.ffprobe} (${d.source}) does not run`);
    else if (d.probeVersion)
      add(
        "ffprobe",
        "ok",
        `${d.probeVersion} (${d.source}: ${d.ffprobe})${d.source === "npm" ? "; this build is known to crash on MPEG-TS (.ts) files: a system ffmpeg avoids it" : ""}`,
      );
  } catch (error) {
    add("ffmpeg", "fail", `not found: ${(error as Error).message.split("\n")[0]}`);
  }

  // database
  const migrations = (where: string, s: MigrationStatus) => {
    if (s.failed.length > 0)
      add("database", "fail", `failed migration(s) ${s.failed.join(", ")}: restore a backup or resolve them by hand`);
    else if (s.edited.length > 0)
      add("database", "fail", `migration(s) edited after they were applied: ${s.edited.join(", ")}`);
    else if (s.pending.length > 0)
      add(
        "database",
        "warn",
        `${where}: ${s.applied.length} migrations applied, ${s.pending.length} pending (${s.pending.join(", ")}): applied by the next command that opens the database`,
      );
    else {
      add("database", "ok", `${where}: ${s.applied.length} migrations applied, none pending`);
      databaseReady = true;
    }
  };
  let databaseReady = false;
  if (config.database.provider === "postgresql") {
    const shown = redactUrl(config.database.url);
    try {
      const d = await describePostgres(config.database.url);
      if (!d.exists)
        add(
          "database",
          "ok",
          `PostgreSQL ${d.version} at ${shown}: database not created yet (created and migrated by the first command that uses it)`,
        );
      else migrations(`PostgreSQL ${d.version} at ${shown}`, d.status);
    } catch (error) {
      add("database", "fail", (error as Error).message.split("\n")[0]!);
    }
  } else {
    try {
      if (!existsSync(config.databaseFile)) {
        add(
          "database",
          "ok",
          `${config.databaseFile} not created yet (created and migrated by the first command that uses it)`,
        );
      } else {
        migrations(`SQLite ${sqliteVersion()} at ${config.databaseFile}`, migrationStatus(config.databaseFile));
      }
    } catch (error) {
      add("database", "fail", `cannot read ${config.databaseFile}: ${(error as Error).message.split("\n")[0]}`);
    }
  }

  // the search outbox and who drains it (read only, on a database that is fully migrated)
  if (databaseReady) await outboxCheck(config, add);

  // pub/sub: Redis, when configured, is checked whatever runs the jobs
  if (config.redisUrl) {
    try {
      const { describeRedis } = await import("../events/redis.pubsub.js");
      const r = await describeRedis(config.redisUrl);
      add("pub/sub", "ok", `Redis ${r.version} at ${redactUrl(config.redisUrl)}: every process receives every event`);
    } catch (error) {
      add(
        "pub/sub",
        "fail",
        `Redis at ${redactUrl(config.redisUrl)} cannot be reached: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  } else add("pub/sub", "ok", "in-process: subscribers see the events of their own process only");

  // job queue (and the Redis behind it and the pub/sub)
  if (config.jobs.driver === "bullmq" && config.redisUrl) {
    try {
      // BullMQ loads only for a deployment that uses it
      const { describeBullMqQueue } = await import("../jobs/bullmq.job-queue.js");
      const q = await describeBullMqQueue(config.redisUrl);
      add(
        "job queue",
        q.workers > 0 ? "ok" : "warn",
        `BullMQ on Redis ${q.redisVersion} at ${redactUrl(config.redisUrl)}: ${q.counts.waiting} waiting, ` +
          `${q.counts.active} running, ${q.counts.failed} failed; ${q.workers} worker connection(s)` +
          (q.workers > 0 ? "" : ": start `cinerag worker`, or jobs are only queued"),
      );
    } catch (error) {
      add(
        "job queue",
        "fail",
        `Redis at ${redactUrl(config.redisUrl)} cannot be reached: ${(error as Error).message.split("\n")[0]}`,
      );
    }
  } else {
    add(
      "job queue",
      "ok",
      `in-process: \`cinerag serve\` runs the jobs${config.redisUrl ? ` (Redis ${redactUrl(config.redisUrl)} carries the subscriptions only)` : ""}`,
    );
  }

  // models (before the index: the index check needs the embedder the registry picks)
  const registry = new ModelRegistry(config.models);
  for (const s of registry.list()) {
    const name = `model ${s.task}`;
    const size = s.sizeBytes !== undefined ? `, ${formatBytes(s.sizeBytes)}` : "";
    if (s.state === "present")
      add(name, "ok", `${s.kind === "hashing" ? "hashing embedder (configured)" : s.id} on disk${size}`);
    else if (s.state === "skipped") add(name, "ok", `switched off (${s.configured})`);
    else if (s.state === "missing-local-folder")
      add(
        name,
        "fail",
        `${s.dir} holds no model (config.json + onnx/*.onnx): fix CINERAG_MODEL_${s.task.toUpperCase().replace(/-/g, "_")}`,
      );
    else if (s.missing?.length)
      add(
        name,
        "warn",
        `${s.id} is incomplete (${s.missing.slice(0, 3).join(", ")}${s.missing.length > 3 ? ", ..." : ""} missing or damaged): run \`cinerag models pull ${s.task}\`, which repairs it (until then: ${s.fallback ?? "none"})`,
      );
    else if (s.state === "downloadable")
      add(
        name,
        "warn",
        `${s.id} not downloaded: ${s.task === "embedding" ? "run `cinerag models pull embedding` (until then: " + (s.fallback ?? "none") + ")" : "fetched on first use, or `cinerag models pull " + s.task + "`"}`,
      );
    else
      add(
        name,
        "warn",
        `${s.id} not downloaded and offline: using ${s.fallback ?? "nothing"}; run \`cinerag models pull ${s.task}\` on a machine with the internet`,
      );
  }

  // search index: which engine serves the cluster, then the index itself
  const topology = searchTopology(config);
  add("search engine", topology.level, topology.detail);
  const embedder = registry.embedder();
  let index: SceneIndex | undefined;
  try {
    if (!deps.sceneIndex && config.search.kind === "embedded" && !existsSync(config.searchFile)) {
      add(
        "search index",
        "ok",
        `embedded: ${config.searchFile} not created yet (created by the first ingest or reindex)`,
      );
      return checks;
    }
    // the search engines' modules load only when there is an index to look at
    const { createSceneIndex } = await import("../search/search.module.js");
    index = deps.sceneIndex?.(config, registry) ?? (await createSceneIndex(config, embedder));
    if (!(await index.ping())) {
      add(
        "search index",
        "fail",
        `${config.search.kind} index does not answer${config.search.kind === "elasticsearch" ? ` at ${config.search.elasticsearchUrl}` : ""}`,
      );
    } else {
      const version = index.engineVersion ? ` (${await index.engineVersion().catch(() => "version unknown")})` : "";
      const meta = await index.meta();
      if (!meta) add("search index", "ok", `${config.search.kind}${version}: reachable, not built yet`);
      else if (meta.modelId !== embedder.modelId || meta.dimension !== embedder.dimension)
        add(
          "search index",
          "warn",
          `${config.search.kind}${version}: built with ${meta.modelId} (${meta.dimension}-d), configured ${embedder.modelId} (${embedder.dimension}-d): run \`cinerag reindex\``,
        );
      else
        add(
          "search index",
          "ok",
          `${config.search.kind}${version}: reachable, ${await index.count().catch(() => "?")} scenes, model ${meta.modelId}`,
        );
    }
  } catch (error) {
    add("search index", "fail", `${config.search.kind}: ${(error as Error).message.split("\n")[0]}`);
  } finally {
    await index?.close().catch(() => undefined);
  }
  return checks;
}

/** rows waiting in the search outbox, and the process holding its drain lease (src/cluster/lease.ts) */
async function outboxCheck(config: Config, add: (name: string, level: CheckLevel, detail: string) => void) {
  try {
    const { readOutboxStatus } = await import("../store/outbox-status.js");
    const { waiting, lease } = await readOutboxStatus(databaseTarget(config.database), DRAIN_LEASE);
    const live = lease && lease.expiresAt.getTime() > Date.now() ? lease : undefined;
    const [host, pid] = live?.holder.split("/") ?? [];
    if (live)
      add(
        "search outbox",
        "ok",
        `${waiting} scene updates waiting; drained by pid ${pid} on ${host} (its lease is live)`,
      );
    else if (waiting > 0)
      add(
        "search outbox",
        "warn",
        `${waiting} scene updates waiting and no process drains them: \`cinerag serve\` does (one per cluster at a time)`,
      );
    else add("search outbox", "ok", "empty; no process drains it now (`cinerag serve` does)");
  } catch (error) {
    add("search outbox", "warn", `cannot be read: ${(error as Error).message.split("\n")[0]}`);
  }
}

export function registerDoctor(program: Command, deps: DoctorDeps): void {
  program
    .command("doctor")
    .description("check ffmpeg, the database and its migrations, the job queue, the search index and the models")
    .option("--json", "print one JSON object on stdout")
    .action(async (options: { json?: boolean }) => {
      try {
        const checks = await runChecks(deps.loadConfig(), deps);
        const ok = !checks.some((c) => c.level === "fail");
        if (options.json) process.stdout.write(`${JSON.stringify({ ok, checks })}\n`);
        else {
          const width = Math.max(...checks.map((c) => c.name.length));
          process.stdout.write(
            checks.map((c) => `${c.level.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}`).join("\n") +
              `\n${ok ? "all required checks passed" : "something required is broken"}\n`,
          );
        }
        process.exitCode = ok ? 0 : 1;
      } catch (error) {
        process.exitCode = printError(error);
      }
    });
}
