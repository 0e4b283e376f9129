// Flat tables for notebooks: every analysis result carries `tables`, each a name, column names and rows of
// plain values (numbers, strings, null), so that `pandas.DataFrame(t["rows"], columns=t["columns"])` works.
import type { AnalysisTable, Cell } from "./results/run.types.js";

export type { Cell };
export type { Evidence } from "./evidence.types.js";
export type Table = AnalysisTable;

export function table<T>(name: string, columns: Array<[string, (row: T) => Cell | undefined]>, items: T[]): Table {
  return { name, columns: columns.map(([c]) => c), rows: items.map((item) => columns.map(([, f]) => f(item) ?? null)) };
}
