// The SQLite and PostgreSQL schemas hold the same models: only the header (generator output and datasource
// provider) differs. A model changed in one and not the other fails here (see src/store/README.md).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (rel: string) => readFileSync(path.join(ROOT, rel), "utf8");
/** everything from the first model on */
const models = (schema: string) => schema.slice(schema.search(/^model /m));
const block = (schema: string, kind: string) =>
  /^(\w+) \w+ \{[^}]*\}/m.exec(schema.slice(schema.search(new RegExp(`^${kind} `, "m"))))?.[0];

describe("Prisma schemas of the two providers", () => {
  const sqlite = read("prisma/schema.prisma");
  const postgres = read("prisma/postgres/schema.prisma");

  it("declare the same models, field for field", () => {
    expect(models(postgres)).toBe(models(sqlite));
    expect(models(sqlite)).toMatch(/^model Clip \{/);
  });

  it("differ only in provider and generated client folder", () => {
    expect(block(sqlite, "datasource")).toMatch(/provider = "sqlite"/);
    expect(block(postgres, "datasource")).toMatch(/provider = "postgresql"/);
    expect(block(sqlite, "generator")).toMatch(/output\s+= "\.\.\/src\/generated\/prisma"/);
    expect(block(postgres, "generator")).toMatch(/output\s+= "\.\.\/\.\.\/src\/generated\/prisma-postgres"/);
  });

  it("each have a migrations folder locked to their provider", () => {
    expect(read("prisma/migrations/migration_lock.toml")).toMatch(/provider = "sqlite"/);
    expect(read("prisma/postgres/migrations/migration_lock.toml")).toMatch(/provider = "postgresql"/);
  });
});
