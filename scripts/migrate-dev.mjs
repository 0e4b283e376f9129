#!/usr/bin/env node
// `npm run db:migrate:dev -- --name <name> [--create-only]`
//
// Creates the next migration from prisma/schema.prisma the way `prisma migrate dev` does, but offline, with
// Prisma's WebAssembly schema engine instead of the native binary the CLI would download: against a fresh
// scratch SQLite database it runs applyMigrations (existing history), devDiagnostic, evaluateDataLoss,
// createMigration, writes prisma/migrations/<timestamp>_<name>/migration.sql and migration_lock.toml exactly
// as the CLI lays them out (so `prisma migrate deploy` keeps working for operators), then applyMigrations
// again to prove the new migration applies, and checks that migrations and schema now agree.
//
// Options: --name <name>, --create-only (draft: write the migration even if empty, do not apply),
//          --provider sqlite|postgresql (default sqlite),
//          --schema <file> (default prisma/schema.prisma, or prisma/postgres/schema.prisma),
//          --migrations <dir> (default prisma/migrations, or prisma/postgres/migrations),
//          --database-url postgresql://... (PostgreSQL only: a server where a scratch database may be created
//          and dropped; default $CINERAG_DEV_DATABASE_URL), --quiet.
//
// PostgreSQL: the scratch database and the engine's shadow database are created on that server and dropped
// at the end; nothing is downloaded. Change prisma/schema.prisma and prisma/postgres/schema.prisma alike
// (test/unit/store-schemas.test.ts compares them) and run this once per provider.
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const { values } = parseArgs({
  options: {
    name: { type: "string", short: "n" },
    "create-only": { type: "boolean", default: false },
    provider: { type: "string", default: "sqlite" },
    schema: { type: "string" },
    migrations: { type: "string" },
    "database-url": { type: "string", default: process.env.CINERAG_DEV_DATABASE_URL },
    quiet: { type: "boolean", default: false },
  },
  strict: true,
});
const say = (msg) => {
  if (!values.quiet) process.stdout.write(`${msg}\n`);
};

/**
 * src/store/schema-engine.ts is the one implementation (the app and the tests use it too). It has no relative
 * imports, so transpiling that single file with TypeScript is enough to run it here without a TS loader.
 */
async function loadSchemaEngineModule() {
  const ts = (await import("typescript")).default;
  const source = await readFile(path.join(root, "src", "store", "schema-engine.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: "schema-engine.ts",
  });
  // Inside the package's node_modules so that its bare imports resolve to the package's dependencies.
  const dir = path.join(root, "node_modules", ".cache", "cinerag-migrate-dev");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "package.json"), '{ "type": "module" }\n');
  const file = path.join(dir, `schema-engine.${process.pid}.js`);
  await writeFile(file, outputText);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(file, { force: true });
  }
}

async function main() {
  if (!values.name) {
    process.stderr.write("usage: npm run db:migrate:dev -- --name <migration_name> [--create-only]\n");
    return 2;
  }
  const se = await loadSchemaEngineModule();
  const migrationName = se.slugifyMigrationName(values.name);
  if (!migrationName) {
    process.stderr.write(`invalid migration name: ${JSON.stringify(values.name)}\n`);
    return 2;
  }
  const provider = values.provider;
  if (provider !== "sqlite" && provider !== "postgresql") {
    process.stderr.write(`--provider must be sqlite or postgresql, not ${JSON.stringify(provider)}\n`);
    return 2;
  }
  // from this script's checkout (the transpiled module lives under node_modules, which may be a link elsewhere)
  const providerDir = provider === "postgresql" ? path.join(root, "prisma", "postgres") : path.join(root, "prisma");
  const schemaFile = path.resolve(values.schema ?? path.join(providerDir, "schema.prisma"));
  const migrationsDir = path.resolve(values.migrations ?? path.join(providerDir, "migrations"));
  const schema = se.schemasContainer(schemaFile);

  let target;
  let cleanup;
  if (provider === "postgresql") {
    const url = values["database-url"];
    if (!url || se.providerOf(url) !== "postgresql") {
      process.stderr.write(
        "--provider postgresql needs --database-url postgresql://... (or CINERAG_DEV_DATABASE_URL)\n",
      );
      return 2;
    }
    const pg = (await import("pg")).default;
    const admin = new pg.Client(se.pgConnection(url));
    await admin.connect();
    const name = `cinerag_migrate_dev_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    target = se.withDatabase(url, name);
    cleanup = async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    };
    say(`Scratch database ${name} on ${se.redactUrl(url)}.`);
  } else {
    const scratch = await mkdtemp(path.join(os.tmpdir(), "cinerag-migrate-dev-"));
    target = path.join(scratch, "dev.db");
    cleanup = () => rm(scratch, { recursive: true, force: true });
  }
  const engine = await se.openSchemaEngine(target, { schema }).catch(async (error) => {
    await cleanup();
    throw error;
  });
  try {
    let list = await se.readMigrationsList(migrationsDir);
    const replayed = await engine.applyMigrations(list);
    say(`Replayed ${replayed.appliedMigrationNames.length} existing migration(s) on a scratch database.`);

    const diagnostic = await engine.devDiagnostic(list);
    if (diagnostic.action.tag === "reset") {
      process.stderr.write(`The migration history cannot be applied cleanly: ${diagnostic.action.reason}\n`);
      return 1;
    }

    const loss = await engine.evaluateDataLoss(list, schema);
    if (loss.migrationSteps === 0 && !values["create-only"]) {
      say("Already in sync, no schema change or pending migration was found.");
      return 0;
    }
    for (const w of loss.warnings) say(`warning: ${w.message}`);
    for (const u of loss.unexecutableSteps) say(`warning (unexecutable on a non-empty database): ${u.message}`);

    const created = await engine.createMigration({
      migrationsList: list,
      schema,
      migrationName,
      draft: values["create-only"],
    });
    if (created.migrationScript === null) {
      say("Already in sync, no schema change was found.");
      return 0;
    }
    const dir = await se.writeMigration(migrationsDir, { ...created, migrationScript: created.migrationScript });
    say(`Created ${path.relative(process.cwd(), path.join(dir, `migration.${created.extension}`))}`);
    if (values["create-only"]) return 0;

    list = await se.readMigrationsList(migrationsDir);
    const applied = await engine.applyMigrations(list);
    if (!applied.appliedMigrationNames.includes(created.generatedMigrationName)) {
      process.stderr.write(`the new migration ${created.generatedMigrationName} was not applied\n`);
      return 1;
    }
    const drift = await engine.diffMigrationsToSchema(list, schema);
    if (drift) {
      process.stderr.write(`migrations and schema still differ after the new migration:\n${drift}\n`);
      return 1;
    }
    say(`Applied ${created.generatedMigrationName} on the scratch database; migrations and schema agree.`);
    say("Commit the new migration folder. Databases pick it up at the next start (src/store/migrate.ts).");
    return 0;
  } finally {
    await engine.close();
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
