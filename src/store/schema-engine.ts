// Prisma's own WebAssembly schema engine (`@prisma/schema-engine-wasm`), driven over a better-sqlite3 driver
// adapter. This is what `prisma migrate deploy` / `migrate dev` / `migrate diff` do, without the native
// schema-engine binary that the Prisma CLI downloads on first use (impossible offline).
//
// Self-contained on purpose: no relative imports, so that scripts/migrate-dev.mjs can transpile and load this
// one file without a TypeScript loader.
//
// Snags this module works around (see also the notes in the functions below):
// - `@prisma/schema-engine-wasm`'s entry point does `import * as wasm from "./schema_engine_bg.wasm"`, which
//   Node 20 refuses (ERR_UNKNOWN_FILE_EXTENSION). We import the `./schema_engine_bg` glue and instantiate
//   the .wasm ourselves, once per process.
// - On the shadow database the engine replays each migration with `executeRaw` (one prepared statement);
//   better-sqlite3 throws "The supplied SQL string contains more than one statement". We route such SQL
//   to `executeScript` (db.exec).
// - Adapter errors reach the engine as "External error id#N"; the real error sits in the adapter's error
//   registry. We put it back into the message.
// - `applyMigrations` runs `PRAGMA main.locking_mode=EXCLUSIVE` on its connection, and `SchemaEngine.free()`
//   does not close the driver connections, so the file would stay locked: we track and dispose them.
//
// PostgreSQL (@prisma/adapter-pg), four more:
// - The engine's introspection reads catalog columns of PostgreSQL's internal "char" type (OID 18, e.g.
//   pg_class.relkind), which adapter-pg refuses ("Unsupported column type char"). Our pg client reports
//   them as text (OID 25): the value is a one-letter string either way.
// - adapter-pg's connectToShadowDb opens `{ ...config, database }`, but pg lets a connectionString win over
//   `database`, so the "shadow" is the main database. We open the shadow database by its own URL.
// - adapter-pg drops the shadow database before it closes the shadow pool ("database is being accessed by
//   other users"). We close first, then drop (WITH (FORCE)).
// - adapter-pg's executeScript splits on ";" (wrong inside quoted text); ours sends the script as one simple
//   query, which PostgreSQL runs statement by statement.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
// Only types statically: the adapter, its driver and the engine are loaded when an engine is opened, so that
// importing this module (migrate.ts does at every CLI start) costs nothing.
import type {
  ErrorCapturingSqlMigrationAwareDriverAdapterFactory,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
} from "@prisma/driver-adapter-utils";
import type {
  ApplyMigrationsOutput,
  CreateMigrationOutput,
  DevDiagnosticOutput,
  EvaluateDataLossOutput,
  MigrationList,
  SchemaEngine,
  SchemaFilter,
  SchemasContainer,
} from "@prisma/schema-engine-wasm";

export type { MigrationList, SchemaFilter, SchemasContainer } from "@prisma/schema-engine-wasm";

/** The subset of a pino logger this module uses. */
export interface EngineLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const MIGRATION_LOCK_FILE = "migration_lock.toml";
export const MIGRATION_SCRIPT_FILE = "migration.sql";
export const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };
/** busy timeout of the engine's connections, in ms */
export const ENGINE_BUSY_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------------------------------------------------
// Paths of the package (not the cwd): src/store/*.ts in development, dist/src/store/*.js when built.

let cachedRoot: string | undefined;

/** The directory of the cinerag package (the nearest package.json above this module). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (existsSync(candidate) && existsSync(path.join(dir, "prisma"))) return (cachedRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The databases cinerag runs on: SQLite (a file, the default) or PostgreSQL (a postgresql:// URL). */
export type DatabaseProvider = "sqlite" | "postgresql";

/** `postgres://` or `postgresql://` is PostgreSQL; anything else is a SQLite file path. */
export function providerOf(target: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//i.test(target) ? "postgresql" : "sqlite";
}

/** Each provider has its own schema and migrations folder (Prisma keeps one provider per folder). */
const PROVIDER_DIR: Record<DatabaseProvider, string[]> = { sqlite: ["prisma"], postgresql: ["prisma", "postgres"] };

export function defaultMigrationsDir(provider: DatabaseProvider = "sqlite"): string {
  return path.join(packageRoot(), ...PROVIDER_DIR[provider], "migrations");
}

export function defaultSchemaFile(provider: DatabaseProvider = "sqlite"): string {
  return path.join(packageRoot(), ...PROVIDER_DIR[provider], "schema.prisma");
}

/** The URL without its password, for log lines and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  }
}

/** node-postgres settings of a postgresql:// URL, and the Prisma schema it names (`?schema=`, default public). */
export function pgConnection(url: string): { connectionString: string; schema?: string; options?: string } {
  const u = new URL(url);
  const schema = u.searchParams.get("schema") ?? undefined;
  u.searchParams.delete("schema"); // Prisma's parameter, not libpq's
  return {
    connectionString: u.toString(),
    ...(schema ? { schema, options: `-c search_path="${schema.replace(/"/g, '""')}"` } : {}),
  };
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

// ---------------------------------------------------------------------------------------------------------
// Migrations folder, laid out and read exactly as the Prisma CLI does.

/** Prisma's checksum of a migration script, as stored in `_prisma_migrations.checksum`. */
export function migrationChecksum(script: string): string {
  return createHash("sha256").update(script, "utf8").digest("hex");
}

/** Reads the migrations folder like the CLI's `listMigrations`: directories sorted by name, their migration.sql. */
export async function readMigrationsList(migrationsDir: string, shadowDbInitScript = ""): Promise<MigrationList> {
  const lockfileContent = await readFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), "utf8").catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories: MigrationList["migrationDirectories"] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const content = await readFile(path.join(migrationsDir, entry.name, MIGRATION_SCRIPT_FILE), "utf8").then(
      (value) => ({ tag: "ok" as const, value }),
      (error: Error) => ({ tag: "error" as const, value: error.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path: MIGRATION_SCRIPT_FILE, content } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir: migrationsDir,
    lockfile: { path: MIGRATION_LOCK_FILE, content: lockfileContent },
    shadowDbInitScript,
    migrationDirectories,
  };
}

/** Writes `<dir>/<name>/migration.sql` and `migration_lock.toml` byte for byte as `prisma migrate dev` does. */
export async function writeMigration(
  migrationsDir: string,
  created: Pick<CreateMigrationOutput, "generatedMigrationName" | "extension" | "connectorType"> & {
    migrationScript: string;
  },
): Promise<string> {
  const directory = path.join(migrationsDir, created.generatedMigrationName);
  if (existsSync(directory)) throw new Error(`The migration directory already exists at ${directory}`);
  await mkdir(directory, { recursive: true, mode: 0o777 });
  await writeFile(path.join(directory, `migration.${created.extension}`), created.migrationScript, "utf8");
  const lockfile = `# Please do not edit this file manually
# It should be added in your version-control system (e.g., Git)
provider = "${created.connectorType}"
`;
  await writeFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), lockfile, "utf8");
  return directory;
}

/** The migration name as the CLI slugifies `--name` (decamelised, lower case, `_` separated, ≤ 200 chars). */
export function slugifyMigrationName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/&/g, " and ")
    .replace(/([A-Z]{2,})(\d+)/g, "$1 $2")
    .replace(/([a-z\d]+)([A-Z]{2,})/g, "$1 $2")
    .replace(/([a-z\d])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-rt-z\d]+)/g, "$1 $2")
    .toLowerCase()
    .replace(/([a-z\d]+)'([ts])(\s|$)/g, "$1$2$3")
    .replace(/[^a-z\d]+/g, "_")
    .replace(/_{2,}/g, "_")
    .replace(/^_|_$/g, "")
    .slice(0, 200);
}

export function schemasContainer(schemaFile: string = defaultSchemaFile()): SchemasContainer {
  return { files: [{ path: schemaFile, content: readFileSync(schemaFile, "utf8") }] };
}

// ---------------------------------------------------------------------------------------------------------
// Loading the WebAssembly module (once per process; shared through globalThis so that module re-evaluation,
// e.g. one vitest module graph per test file, does not re-instantiate it under live engines).

// The project's lib (ES2023, no DOM) does not declare the WebAssembly global: type the bit we use, and check it.
interface MinimalWasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: Record<string, object>): Promise<{ exports: Record<string, unknown> }>;
}

function isWasmApi(value: unknown): value is MinimalWasmApi {
  return (
    typeof value === "object" &&
    value !== null &&
    "compile" in value &&
    typeof value.compile === "function" &&
    "instantiate" in value &&
    typeof value.instantiate === "function"
  );
}

function wasmApi(): MinimalWasmApi {
  const api = "WebAssembly" in globalThis ? globalThis.WebAssembly : undefined;
  if (!isWasmApi(api)) throw new Error("this runtime has no WebAssembly global");
  return api;
}

type EngineGlue = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
const GLUE_KEY = Symbol.for("cinerag.schemaEngineWasm");
type GlobalWithGlue = typeof globalThis & { [GLUE_KEY]?: Promise<EngineGlue> };

export function loadSchemaEngineWasm(): Promise<EngineGlue> {
  const g = globalThis as GlobalWithGlue;
  g[GLUE_KEY] ??= (async () => {
    const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    // The package's "exports" do not expose the .wasm file: find it next to its entry point.
    const entry = createRequire(import.meta.url).resolve("@prisma/schema-engine-wasm");
    const bytes = readFileSync(path.join(path.dirname(entry), "schema_engine_bg.wasm"));
    const wasm = wasmApi();
    const instance = await wasm.instantiate(await wasm.compile(bytes), { "./schema_engine_bg.js": glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })().catch((error: unknown) => {
    delete g[GLUE_KEY]; // let a later call retry
    throw error;
  });
  return g[GLUE_KEY];
}

// ---------------------------------------------------------------------------------------------------------
// The driver adapter the engine talks through.

const MULTI_STATEMENT = /more than one statement|cannot insert multiple commands into a prepared statement/i;

/**
 * Wraps a connection so that multi-statement SQL sent to `executeRaw` (the engine does that when it replays
 * migrations on the shadow database) goes to `executeScript` instead, and records whether it was disposed.
 */
function multiStatementSafe(inner: SqlDriverAdapter): SqlDriverAdapter & { disposed: boolean } {
  const wrapped = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    disposed: false,
    queryRaw: (q: SqlQuery) => inner.queryRaw(q),
    executeRaw: async (q: SqlQuery) => {
      try {
        return await inner.executeRaw(q);
      } catch (error) {
        if (q.args.length === 0 && error instanceof Error && MULTI_STATEMENT.test(error.message)) {
          await inner.executeScript(q.sql);
          return 0;
        }
        throw error;
      }
    },
    executeScript: (script: string) => inner.executeScript(script),
    startTransaction: (...args: Parameters<SqlDriverAdapter["startTransaction"]>) => inner.startTransaction(...args),
    getConnectionInfo: inner.getConnectionInfo ? () => inner.getConnectionInfo!() : undefined,
    dispose: async () => {
      if (wrapped.disposed) return;
      wrapped.disposed = true;
      await inner.dispose();
    },
  };
  return wrapped;
}

interface TrackedFactory {
  factory: ErrorCapturingSqlMigrationAwareDriverAdapterFactory;
  disposeAll: () => Promise<void>;
}

async function sqliteFactory(databaseFile: string, busyTimeoutMs: number): Promise<TrackedFactory> {
  const [{ PrismaBetterSqlite3 }, { bindMigrationAwareSqlAdapterFactory }] = await Promise.all([
    import("@prisma/adapter-better-sqlite3"),
    import("@prisma/driver-adapter-utils"),
  ]);
  const base = new PrismaBetterSqlite3({ url: databaseFile, timeout: busyTimeoutMs });
  const open: Array<SqlDriverAdapter & { disposed: boolean }> = [];
  const track = (a: SqlDriverAdapter) => {
    const w = multiStatementSafe(a);
    open.push(w);
    return w;
  };
  const raw: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: async () => track(await base.connect()),
    connectToShadowDb: async () => track(await base.connectToShadowDb()), // ":memory:"
  };
  return {
    factory: bindMigrationAwareSqlAdapterFactory(raw),
    disposeAll: async () => {
      for (const a of open.splice(0)) await a.dispose().catch(() => undefined);
    },
  };
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type PgModule = (typeof import("pg"))["default"];
type PgPool = InstanceType<PgModule["Pool"]>;

/** A pg Pool whose clients report columns of the internal "char" type as text (see the header). */
function charAsTextPool(pg: PgModule, config: ReturnType<typeof pgConnection>): PgPool {
  type Fields = { fields?: Array<{ dataTypeID: number }> };
  const patch = <T>(result: T): T => {
    for (const r of Array.isArray(result) ? (result as Fields[]) : [result as Fields]) {
      for (const f of r?.fields ?? []) if (f.dataTypeID === PG_CHAR_OID) f.dataTypeID = PG_TEXT_OID;
    }
    return result;
  };
  class CharAsTextClient extends pg.Client {
    // pg's query has many overloads (callback or promise); wrap whichever form was used
    override query(...args: unknown[]): never {
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === "function") {
        args[last] = (error: unknown, result: unknown) =>
          (callback as (e: unknown, r: unknown) => void)(error, error ? result : patch(result));
        return (super.query as (...a: unknown[]) => never)(...args);
      }
      const out = (super.query as (...a: unknown[]) => unknown)(...args);
      return (out instanceof Promise ? out.then(patch) : out) as never;
    }
  }
  const { schema: _schema, ...poolConfig } = config;
  return new pg.Pool({ ...poolConfig, max: 2, Client: CharAsTextClient });
}

async function postgresFactory(url: string): Promise<TrackedFactory> {
  const [{ PrismaPg }, pgModule, { bindMigrationAwareSqlAdapterFactory }] = await Promise.all([
    import("@prisma/adapter-pg"),
    import("pg"),
    import("@prisma/driver-adapter-utils"),
  ]);
  const pg = pgModule.default;
  const open: Array<SqlDriverAdapter & { disposed: boolean }> = [];
  const openOn = async (dbUrl: string, onDispose?: () => Promise<void>) => {
    const config = pgConnection(dbUrl);
    const pool = charAsTextPool(pg, config);
    const inner = await new PrismaPg(pool, { schema: config.schema, disposeExternalPool: true }).connect();
    const adapter: SqlDriverAdapter = {
      ...bindAll(inner),
      executeScript: async (script: string) => {
        await pool.query(script); // one simple-protocol query: every statement, in order
      },
      dispose: async () => {
        await inner.dispose();
        await onDispose?.();
      },
    };
    const w = multiStatementSafe(adapter);
    open.push(w);
    return w;
  };
  const raw: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => openOn(url),
    connectToShadowDb: async () => {
      const name = `prisma_migrate_shadow_db_${randomUUID().replace(/-/g, "")}`;
      const admin = charAsTextPool(pg, pgConnection(url));
      try {
        await admin.query(`CREATE DATABASE "${name}"`);
      } catch (error) {
        await admin.end();
        throw error;
      }
      // closed before it is dropped; dropped with FORCE should anything still hold it
      return openOn(withDatabase(url, name), async () => {
        try {
          await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      });
    },
  };
  return {
    factory: bindMigrationAwareSqlAdapterFactory(raw),
    disposeAll: async () => {
      for (const a of open.splice(0).reverse()) await a.dispose().catch(() => undefined);
    },
  };
}

/** The adapter's methods bound to it (so that they can be spread into a wrapper). */
function bindAll(inner: SqlDriverAdapter): SqlDriverAdapter {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: (q) => inner.queryRaw(q),
    executeRaw: (q) => inner.executeRaw(q),
    executeScript: (s) => inner.executeScript(s),
    startTransaction: (...args) => inner.startTransaction(...args),
    getConnectionInfo: inner.getConnectionInfo ? () => inner.getConnectionInfo!() : undefined,
    dispose: () => inner.dispose(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Engine session.

export interface EngineSession {
  applyMigrations(migrationsList: MigrationList): Promise<ApplyMigrationsOutput>;
  devDiagnostic(migrationsList: MigrationList): Promise<DevDiagnosticOutput>;
  evaluateDataLoss(migrationsList: MigrationList, schema: SchemasContainer): Promise<EvaluateDataLossOutput>;
  createMigration(input: {
    migrationsList: MigrationList;
    schema: SchemasContainer;
    migrationName: string;
    draft: boolean;
  }): Promise<CreateMigrationOutput>;
  /** SQL that takes a database built from `migrationsList` to `schema`; empty when they agree. */
  diffMigrationsToSchema(migrationsList: MigrationList, schema: SchemasContainer): Promise<string>;
  close(): Promise<void>;
}

export interface OpenEngineOptions {
  /** Prisma schema files, needed by createMigration/evaluateDataLoss only. */
  schema?: SchemasContainer;
  logger?: EngineLogger;
  busyTimeoutMs?: number;
}

/** Error from the engine, with the adapter's original error put back in place of "External error id#N". */
export class SchemaEngineError extends Error {
  readonly code?: string;
  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SchemaEngineError";
    this.code = code;
  }
}

function enrich(error: unknown, registry: ErrorCapturingSqlMigrationAwareDriverAdapterFactory["errorRegistry"]) {
  if (!(error instanceof Error)) return error;
  let cause: unknown;
  const message = error.message.replace(/External error id#(\d+)/g, (all, id: string) => {
    const record = registry.consumeError(Number(id));
    if (!record) return all;
    cause ??= record.error;
    return record.error instanceof Error ? `${record.error.name}: ${record.error.message}` : String(record.error);
  });
  const code = (error as { code?: unknown }).code;
  return new SchemaEngineError(message, typeof code === "string" ? code : undefined, { cause: cause ?? error });
}

/**
 * Opens the wasm schema engine on a SQLite file (the shadow database is in memory) or a postgresql:// URL
 * (a shadow database is created on the same server when the engine needs one, and dropped). Close it when done.
 */
export async function openSchemaEngine(database: string, opts: OpenEngineOptions = {}): Promise<EngineSession> {
  const glue = await loadSchemaEngineWasm();
  const { factory, disposeAll } =
    providerOf(database) === "postgresql"
      ? await postgresFactory(database)
      : await sqliteFactory(database, opts.busyTimeoutMs ?? ENGINE_BUSY_TIMEOUT_MS);
  const logger = opts.logger;
  const onLog = (line: string) => {
    if (!logger) return;
    try {
      logger.debug({ engine: JSON.parse(line) as unknown }, "schema engine");
    } catch {
      logger.debug({ engine: line }, "schema engine");
    }
  };
  const datamodels = opts.schema?.files.map((f): [string, string] => [f.path, f.content]);
  let engine: SchemaEngine;
  try {
    engine = await glue.SchemaEngine.new({ datamodels }, onLog, factory);
  } catch (error) {
    await disposeAll();
    throw enrich(error, factory.errorRegistry);
  }
  // Methods must be called on the engine object itself (the wasm-bindgen pointer lives in `this`).
  const run = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw enrich(error, factory.errorRegistry);
    }
  };
  let closed = false;
  return {
    applyMigrations: (migrationsList) => run(() => engine.applyMigrations({ migrationsList, filters: NO_FILTER })),
    devDiagnostic: (migrationsList) => run(() => engine.devDiagnostic({ migrationsList, filters: NO_FILTER })),
    evaluateDataLoss: (migrationsList, schema) =>
      run(() => engine.evaluateDataLoss({ migrationsList, schema, filters: NO_FILTER })),
    createMigration: ({ migrationsList, schema, migrationName, draft }) =>
      run(() => engine.createMigration({ migrationsList, schema, migrationName, draft, filters: NO_FILTER })),
    diffMigrationsToSchema: async (migrationsList, schema) => {
      const result = await run(() =>
        engine.diff({
          from: { tag: "migrations", ...migrationsList },
          to: { tag: "schemaDatamodel", ...schema },
          script: true,
          exitCode: true,
          filters: NO_FILTER,
        }),
      );
      return result.exitCode === 0 ? "" : (result.stdout ?? "");
    },
    close: async () => {
      if (closed) return;
      closed = true;
      engine.free();
      await disposeAll();
    },
  };
}
