// The table of the attack suite (attack, cases, held), printed by a reporter after vitest's own summary, so
// that CI output ends with it. Test files append rows (helpers/record.ts) to one JSON-lines file; the
// reporter knows each test's result as well, so a test that failed before it recorded its row (a setup
// error, a reset connection) still gets a line that says so: a missing attack never looks like a held one.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import type { AttackRow } from "./record.js";

export class AttackTableReporter implements Reporter {
  private started = performance.now();

  constructor(
    private readonly rowsFile: string,
    private readonly write: (text: string) => void = (text) => process.stdout.write(text),
  ) {}

  onTestRunStart(): void {
    this.started = performance.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const rows = readRows(this.rowsFile);
    rmSync(path.dirname(this.rowsFile), { recursive: true, force: true });
    const lines: AttackRow[] = [];
    let failedTests = 0;
    let tests = 0;
    for (const module of testModules) {
      const file = path.basename(module.moduleId);
      for (const error of module.errors())
        lines.push({ attack: `${file} (setup)`, cases: 0, held: 0, note: `FAILED: ${firstLine(error.message)}` });
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state === "skipped") continue;
        tests++;
        const own = rows.filter((r) => r.file === file && r.test === test.fullName);
        const failure = result.state === "failed" ? `FAILED: ${firstLine(result.errors[0]?.message)}` : undefined;
        if (failure) failedTests++;
        if (own.length === 0) lines.push({ attack: test.name, cases: 0, held: 0, note: failure ?? "recorded no row" });
        own.forEach((r, i) =>
          lines.push(
            i === own.length - 1 && failure ? { ...r, note: [failure, r.note].filter(Boolean).join(" | ") } : r,
          ),
        );
      }
    }
    // rows of tests this run did not report (none expected): shown rather than dropped
    for (const r of rows)
      if (!testModules.some((m) => path.basename(m.moduleId) === r.file)) lines.push({ ...r, note: r.note ?? "" });
    const w = Math.max(6, ...lines.map((r) => r.attack.length));
    const cases = lines.reduce((n, r) => n + r.cases, 0);
    const held = lines.reduce((n, r) => n + r.held, 0);
    const seconds = (performance.now() - this.started) / 1000;
    const table = [
      `${"attack".padEnd(w)}  cases   held  measured`,
      `${"-".repeat(w)}  -----  -----  --------`,
      ...lines.map(
        (r) => `${r.attack.padEnd(w)}  ${String(r.cases).padStart(5)}  ${String(r.held).padStart(5)}  ${r.note ?? ""}`,
      ),
      `${"-".repeat(w)}  -----  -----  --------`,
      `${"total".padEnd(w)}  ${String(cases).padStart(5)}  ${String(held).padStart(5)}  ${lines.length} attacks, ${tests - failedTests} of ${tests} tests passed, ${seconds.toFixed(0)} s`,
    ];
    this.write(`\ncinerag attack suite\n${table.join("\n")}\n\n`);
  }
}

function readRows(file: string): AttackRow[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AttackRow);
  } catch {
    return []; // no file recorded a row
  }
}

function firstLine(message: string | undefined): string {
  return (message ?? "unknown error").split("\n")[0]!.slice(0, 200);
}
