import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { migrateDatabase, migrationStatus } from "../../../src/store/migrate.js";
import { defaultMigrationsDir, migrationChecksum, SchemaEngineError } from "../../../src/store/schema-engine.js";
import { migrateInChild } from "./helpers/spawn.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "cinerag-migrate-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MIGRATIONS = defaultMigrationsDir();
const migrationNames = readdirSync(MIGRATIONS, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
// Every model in the schema is a table (no @@map in this schema): read them from schema.prisma.
const MODEL_TABLES = [...readFileSync(path.resolve("prisma/schema.prisma"), "utf8").matchAll(/^model (\w+) \{/gm)].map(
  (m) => m[1]!,
);

function tablesOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
        name: string;
      }[]
    )
      .map((r) => r.name)
      .sort();
  } finally {
    db.close();
  }
}

function migrationRows(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare(
        "SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
      )
      .all() as {
      migration_name: string;
      checksum: string;
      finished_at: string | null;
      rolled_back_at: string | null;
      applied_steps_count: number;
    }[];
  } finally {
    db.close();
  }
}

const capture = () => {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  return { lines, logger: { debug: at("debug"), info: at("info"), warn: at("warn") } };
};

describe("migrateDatabase", () => {
  it("has committed migrations to apply", () => {
    expect(migrationNames.length).toBeGreaterThan(0);
  });

  it("creates the data directory and database, applies every migration with Prisma's bookkeeping", async () => {
    const file = path.join(tmp, "fresh", "nested", "cinerag.db");
    const { lines, logger } = capture();
    const t0 = performance.now();
    const result = await migrateDatabase(file, { logger });
    const firstMs = performance.now() - t0;

    expect(result.applied).toEqual(migrationNames);
    expect(existsSync(file)).toBe(true);
    expect(tablesOf(file)).toEqual(["_prisma_migrations", ...MODEL_TABLES].sort());

    const rows = migrationRows(file);
    expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
    for (const row of rows) {
      const script = readFileSync(path.join(MIGRATIONS, row.migration_name, "migration.sql"), "utf8");
      expect(row.checksum).toBe(migrationChecksum(script));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    expect(lines.some((l) => l.level === "info" && l.msg === "database migrated")).toBe(true);

    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();

    // Second run: nothing to apply, answered without the engine.
    const t1 = performance.now();
    const again = await migrateDatabase(file, { logger });
    const secondMs = performance.now() - t1;
    expect(again.applied).toEqual([]);
    expect(migrationRows(file)).toEqual(rows);
    // "without the engine" is checked in a fresh process below (engineLoaded); the times are information only
    console.info(
      `migrateDatabase in-process: first run ${firstMs.toFixed(1)} ms, second run ${secondMs.toFixed(1)} ms`,
    );

    expect(migrationStatus(file)).toEqual({ applied: migrationNames, pending: [], edited: [], failed: [] });
  });

  it("reports everything pending for a database that does not exist yet", () => {
    expect(migrationStatus(path.join(tmp, "nowhere", "x.db"))).toEqual({
      applied: [],
      pending: migrationNames,
      edited: [],
      failed: [],
    });
  });

  it("resolves the migrations folder from the package, not the cwd", async () => {
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      const result = await migrateDatabase(path.join(tmp, "cwd", "cinerag.db"));
      expect(result.applied).toEqual(migrationNames);
    } finally {
      process.chdir(cwd);
    }
  });

  it("in a fresh process: first run migrates, second run skips the engine entirely", async () => {
    const file = path.join(tmp, "child", "cinerag.db");
    const first = await migrateInChild(file);
    const second = await migrateInChild(file);
    expect(first.applied).toEqual(migrationNames);
    expect(first.engineLoaded).toBe(true);
    expect(second.applied).toEqual([]);
    expect(second.engineLoaded).toBe(false);
    console.info(
      `migrateDatabase in a fresh process: first run ${first.migrateMs.toFixed(1)} ms, second run ${second.migrateMs.toFixed(1)} ms`,
    );
  });

  it("lets processes started at the same time all succeed, applying each migration once", async () => {
    for (let round = 0; round < 3; round++) {
      const file = path.join(tmp, `concurrent-${round}`, "cinerag.db");
      const results = await Promise.all([migrateInChild(file), migrateInChild(file), migrateInChild(file)]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual(migrationNames);
      expect(migrationRows(file).map((r) => r.migration_name)).toEqual(migrationNames);
      expect(tablesOf(file)).toEqual(["_prisma_migrations", ...MODEL_TABLES].sort());
    }
  });

  it("serialises concurrent calls in one process too", async () => {
    const file = path.join(tmp, "same-process", "cinerag.db");
    const results = await Promise.all([migrateDatabase(file), migrateDatabase(file), migrateDatabase(file)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(migrationNames);
    expect(migrationRows(file)).toHaveLength(migrationNames.length);
  });

  it("applies a later migration to an existing database, keeping its data", async () => {
    const dir = path.join(tmp, "later-migrations");
    cpSync(MIGRATIONS, dir, { recursive: true });
    const file = path.join(tmp, "later", "cinerag.db");
    await migrateDatabase(file, { migrationsDir: dir });
    const db = new Database(file);
    db.prepare("INSERT INTO Job (id, kind, updatedAt) VALUES ('j1', 'INGEST', CURRENT_TIMESTAMP)").run();
    db.close();

    const name = "29991231235959_add_job_priority";
    cpSync(MIGRATIONS, dir, { recursive: true });
    const later = path.join(dir, name);
    cpSync(path.join(dir, migrationNames[0]!), later, { recursive: true });
    writeFileSync(
      path.join(later, "migration.sql"),
      'ALTER TABLE "Job" ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 0;\n',
    );

    expect(migrationStatus(file, dir).pending).toEqual([name]);
    expect((await migrateDatabase(file, { migrationsDir: dir })).applied).toEqual([name]);
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT id, priority FROM Job").all()).toEqual([{ id: "j1", priority: 0 }]);
    check.close();
    expect((await migrateDatabase(file, { migrationsDir: dir })).applied).toEqual([]);
  });

  it("tolerates an applied migration edited afterwards (as migrate deploy does) and warns", async () => {
    const dir = path.join(tmp, "edited-migrations");
    cpSync(MIGRATIONS, dir, { recursive: true });
    const file = path.join(tmp, "edited", "cinerag.db");
    await migrateDatabase(file, { migrationsDir: dir });
    appendFileSync(path.join(dir, migrationNames[0]!, "migration.sql"), "\n-- edited\n");

    expect(migrationStatus(file, dir).edited).toEqual([migrationNames[0]]);
    const { lines, logger } = capture();
    expect((await migrateDatabase(file, { migrationsDir: dir, logger })).applied).toEqual([]);
    expect(lines.some((l) => l.level === "warn")).toBe(true);
  });

  it("fails with the SQLite error when a migration does not apply, and records it as failed", async () => {
    const dir = path.join(tmp, "broken-migrations");
    cpSync(MIGRATIONS, dir, { recursive: true });
    const broken = path.join(dir, "29991231235959_broken");
    cpSync(path.join(dir, migrationNames[0]!), broken, { recursive: true });
    writeFileSync(path.join(broken, "migration.sql"), 'CREATE TABLE "A" ("x" INTEGER);\nTHIS IS NOT SQL;\n');
    const file = path.join(tmp, "broken", "cinerag.db");

    const error = await migrateDatabase(file, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaEngineError);
    expect((error as Error).message).toMatch(/near "THIS": syntax error/);
    expect((error as Error).message).toMatch(/29991231235959_broken/);
    expect((error as Error).message).not.toMatch(/External error id#/);
    expect(migrationStatus(file, dir).failed).toEqual(["29991231235959_broken"]);

    // A failed migration blocks later deploys until resolved (P3009), as with `prisma migrate deploy`.
    const again = await migrateDatabase(file, { migrationsDir: dir }).catch((e: unknown) => e);
    expect((again as SchemaEngineError).code).toBe("P3009");
  });

  it("refuses to run without migrations", async () => {
    await expect(
      migrateDatabase(path.join(tmp, "none", "x.db"), { migrationsDir: path.join(tmp, "empty") }),
    ).rejects.toThrow(/no migrations found/);
  });
});
