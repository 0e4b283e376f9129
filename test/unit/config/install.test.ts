// The install is quiet and works offline without any environment variable: no runtime dependency declares
// an engine the project's own Node floor does not meet (EBADENGINE), no `.npmrc` key npm does not know
// (warned about on every npm/npx call), and onnxruntime-node's postinstall (a CUDA download that fails
// offline) is denied through npm's allowScripts policy rather than an environment variable.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  engines: { node: string };
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; dev?: boolean; optional?: boolean; engines?: { node?: string } }>;
};

/**
 * Known and left: the Prisma CLI (a devDependency, and an optional peer of @prisma/client, hence not marked
 * dev in the lock) pulls @prisma/dev → @prisma/streams-local, which declares Node >= 22 in every version.
 * It serves `prisma dev` only, which cinerag never runs; Prisma 7.10 itself supports Node ^20.19.
 */
const KNOWN: Record<string, string> = { "node_modules/@prisma/streams-local": "prisma dev only" };

describe("install", () => {
  it("has no runtime dependency whose engines exclude the project's Node floor", () => {
    const floor = semver.minVersion(pkg.engines.node)!.version;
    const bad = Object.entries(lock.packages)
      .filter(([name, p]) => name !== "" && !p.dev && p.engines?.node && !KNOWN[name])
      .filter(([, p]) => !semver.satisfies(floor, p.engines!.node!, { includePrerelease: true }))
      .map(([name, p]) => `${name}@${p.version} (${p.engines!.node})`);
    expect(bad).toEqual([]);
  });

  it("declares the Node floor its own runtime dependencies need (Prisma 7: ^20.19)", () => {
    const floor = semver.minVersion(pkg.engines.node)!.version;
    expect(semver.satisfies(floor, lock.packages["node_modules/@prisma/client"]!.engines!.node!)).toBe(true);
  });

  it("denies onnxruntime-node's install script by policy, with no unknown .npmrc key", () => {
    expect(pkg.allowScripts?.["onnxruntime-node"]).toBe(false);
    // better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded: it must run
    expect(pkg.allowScripts?.["better-sqlite3"]).toBe(true);
    const npmrc = path.join(root, ".npmrc");
    const text = existsSync(npmrc) ? readFileSync(npmrc, "utf8") : "";
    expect(text).not.toMatch(/^\s*onnxruntime-node-install/m);
  });
});
