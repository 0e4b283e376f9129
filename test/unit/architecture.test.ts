// The database has one port: src/store/. Only its files and the composition root (src/app.ts) may import
// Prisma (the generated client, the store's client module, any @prisma/* package) or send raw SQL, so that a
// second database provider is a change in one folder. The imports are read with TypeScript's own
// pre-processor (static imports, `export … from`, `import()` and `require`), not with a regular expression.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** product code: the sources and the benchmarks (tests may reach into the database to set up and check) */
const SCANNED = ["src", "bench"];
const SKIPPED_DIRS = new Set(["generated", "node_modules"]);

/** the files allowed to talk to Prisma */
const isStore = (file: string) => file.startsWith("src/store/") || file === "src/app.ts";

/**
 * Files of another branch in flight (arch-analysis moves the Prisma calls of src/analysis, src/schema and
 * src/resolvers into src/store/ repositories). An entry that no longer offends fails the test, so the list
 * only shrinks: delete it when that branch has landed, and the rule holds for every file.
 */
const AWAITING_ARCH_ANALYSIS = new Set<string>([]);

/** raw SQL through the client; SQLite-specific statements must stay in src/store (see its README) */
const RAW_SQL = /\$(queryRaw|executeRaw)(Unsafe)?\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : sourceFiles(rel);
    return /\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [rel] : [];
  });
}

/** every module specifier the file imports or re-exports, static or dynamic */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** the Prisma modules among a file's imports, each as written in the file */
function prismaImports(file: string, text: string): string[] {
  return importsOf(text).filter((specifier) => {
    if (specifier === "prisma" || specifier.startsWith("@prisma/")) return true;
    if (!specifier.startsWith(".")) return false;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
    return target.startsWith("src/generated/prisma") || /^src\/store\/prisma\.client(\.js|\.ts)?$/.test(target);
  });
}

interface Finding {
  file: string;
  what: string;
}

function findings(): Finding[] {
  const out: Finding[] = [];
  for (const file of SCANNED.flatMap(sourceFiles)) {
    if (isStore(file)) continue;
    const text = readFileSync(path.join(ROOT, file), "utf8");
    for (const specifier of prismaImports(file, text)) out.push({ file, what: `imports ${specifier}` });
    const raw = RAW_SQL.exec(text);
    if (raw) out.push({ file, what: `sends raw SQL (${raw[0]})` });
  }
  return out;
}

describe("architecture: the database behind src/store", () => {
  it("sees the imports it looks for (the store's own files import Prisma)", () => {
    const client = "src/store/prisma.client.ts";
    const repository = "src/store/clip.repository.ts";
    expect(prismaImports(client, readFileSync(path.join(ROOT, client), "utf8"))).toContain(
      "../generated/prisma/client.js",
    );
    expect(prismaImports(repository, readFileSync(path.join(ROOT, repository), "utf8"))).toEqual([
      "./prisma.client.js",
    ]);
    const dynamic = `const { PrismaClient } = await import("../generated/prisma/client.js");`;
    expect(prismaImports("src/cli/x.ts", dynamic)).toEqual(["../generated/prisma/client.js"]);
    expect(RAW_SQL.test("await db.$queryRawUnsafe('SELECT 1')")).toBe(true);
  });

  it("no file outside src/store/ and src/app.ts imports Prisma or sends raw SQL", () => {
    const offending = findings().filter((f) => !AWAITING_ARCH_ANALYSIS.has(f.file));
    expect(offending.map((f) => `${f.file} ${f.what}`)).toEqual([]);
  });

  it("lists only files still awaiting the arch-analysis branch, all in its folders", () => {
    const stillOffending = new Set(findings().map((f) => f.file));
    const done = [...AWAITING_ARCH_ANALYSIS].filter((file) => !stillOffending.has(file));
    expect(done.map((file) => `${file}: no longer imports Prisma: delete it from AWAITING_ARCH_ANALYSIS`)).toEqual([]);
    expect([...AWAITING_ARCH_ANALYSIS].filter((f) => !/^src\/(analysis|schema|resolvers)\//.test(f))).toEqual([]);
  });
});
