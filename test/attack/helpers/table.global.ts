// Global setup of the attack suite: gives every file the path of a rows file, and prints the table at the end.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import type { AttackRow } from "./record.js";

declare module "vitest" {
  export interface ProvidedContext {
    attackRows: string;
  }
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), "cinerag-attack-"));
  const file = path.join(dir, "rows.jsonl");
  project.provide("attackRows", file);
  return () => {
    let rows: AttackRow[] = [];
    try {
      rows = readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AttackRow);
    } catch {
      /* no file recorded a row */
    }
    const w = Math.max(6, ...rows.map((r) => r.attack.length));
    const lines = [
      `${"attack".padEnd(w)}  cases  held   measured`,
      `${"-".repeat(w)}  -----  -----  --------`,
      ...rows.map(
        (r) => `${r.attack.padEnd(w)}  ${String(r.cases).padStart(5)}  ${String(r.held).padStart(5)}  ${r.note ?? ""}`,
      ),
    ];
    process.stdout.write(`\ncinerag attack suite\n${lines.join("\n")}\n\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
