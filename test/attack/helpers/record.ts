// One row of the attack table. `held` counts the cases whose assertions passed; the caller asserts them
// all right after recording, so a row with held < cases is a failed test too. Each row names its file and
// test, so that the table (helpers/table.reporter.ts) can mark the row of a test that failed.
import { appendFileSync } from "node:fs";
import path from "node:path";
import { expect, inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    attackRows: string;
  }
}

export interface AttackRow {
  attack: string;
  cases: number;
  held: number;
  note?: string;
  file?: string;
  test?: string;
}

export function record(row: AttackRow): void {
  const state = expect.getState();
  const file = state.testPath ? path.basename(state.testPath) : undefined;
  appendFileSync(inject("attackRows"), `${JSON.stringify({ ...row, file, test: state.currentTestName })}\n`);
}

/** Runs each case; a case holds when its check returns without throwing. Returns the failures. */
export async function runCases<C>(
  attack: string,
  cases: C[],
  check: (c: C, i: number) => Promise<void> | void,
  note?: () => string,
): Promise<string[]> {
  const failures: string[] = [];
  for (const [i, c] of cases.entries()) {
    try {
      await check(c, i);
    } catch (error) {
      failures.push(`case ${i}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  record({ attack, cases: cases.length, held: cases.length - failures.length, note: note?.() });
  return failures;
}
