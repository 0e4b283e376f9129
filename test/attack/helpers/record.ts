// One row of the attack table. `held` counts the cases whose assertions passed; the caller asserts them
// all right after recording, so a row with held < cases is a failed test too.
import { appendFileSync } from "node:fs";
import { inject } from "vitest";

export interface AttackRow {
  attack: string;
  cases: number;
  held: number;
  note?: string;
}

export function record(row: AttackRow): void {
  appendFileSync(inject("attackRows"), `${JSON.stringify(row)}\n`);
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
