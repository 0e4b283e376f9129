// The SQLite and PostgreSQL schemas hold the same models: only the header (generator output and datasource
// provider) differs. A model changed in one and not the other fails here (see src/store/README.md).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/**
 * The one intended difference: Clip.sizeBytes is BigInt on PostgreSQL (its integer is 32-bit; SQLite's is
 * 64-bit), and the store reads it back as a number on both (ClipRepository).
 */
const PROVIDER_DIFFERENCES: Array<[sqlite: RegExp, postgres: RegExp]> = [
  [/^ {2}sizeBytes +Int$/m, /^ {2}sizeBytes +BigInt +\/\/.*$/m],
];
const normalised = (schema: string, which: 0 | 1) =>
  PROVIDER_DIFFERENCES.reduce((s, pair, i) => s.replace(pair[which], `<difference ${i}>`), schema);
const read = (rel: string) => readFileSync(path.join(ROOT, rel), "utf8");
/** everything from the first model on */
const models = (schema: string) => schema.slice(schema.search(/^model /m));
const block = (schema: string, kind: string) =>
  /^(\w+) \w+ \{[^}]*\}/m.exec(schema.slice(schema.search(new RegExp(`^${kind} `, "m"))))?.[0];

describe("Prisma schemas of the two providers", () => {
  const sqlite = read("prisma/schema.prisma");
  const postgres = read("prisma/postgres/schema.prisma");

  it("declare the same models, field for field", () => {
    for (const [i, [s, p]] of PROVIDER_DIFFERENCES.entries()) {
      expect(sqlite, `difference ${i}`).toMatch(s);
      expect(postgres, `difference ${i}`).toMatch(p);
    }
    expect(models(normalised(postgres, 1))).toBe(models(normalised(sqlite, 0)));
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
