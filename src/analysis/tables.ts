// Flat tables for notebooks: every analysis result carries `tables`, each a name, column names and rows of
// plain values (numbers, strings, null), so that `pandas.DataFrame(t["rows"], columns=t["columns"])` works.
export type Cell = string | number | boolean | null;

export interface Table {
  name: string;
  columns: string[];
  rows: Cell[][];
}

export function table<T>(name: string, columns: Array<[string, (row: T) => Cell | undefined]>, items: T[]): Table {
  return { name, columns: columns.map(([c]) => c), rows: items.map((item) => columns.map(([, f]) => f(item) ?? null)) };
}

/** Evidence: a scene an analysis rests on, with its times and the line that shows it. */
export interface Evidence {
  sceneId: string;
  clipId: string;
  startTime: number;
  endTime: number;
  score: number;
  /** the quoted line (a cue of the scene), where there is one */
  quote: string | null;
  quoteStart: number | null;
  quoteEnd: number | null;
  /** keyframe file relative to the data directory (the API turns it into a URL) */
  keyframePath: string | null;
}
