// Relay-style windows over ordered lists. Cursors are opaque (base64 of `offset:<n>`): every list has a
// fixed, total order (time, then index, then id), and the rows behind a clip are written once in one
// transaction, so an offset names the same row for as long as the clip exists.
import { AppError } from "../errors/app-error.js";

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page<T> {
  nodes: T[];
  /** offset of nodes[0] in the whole list */
  offset: number;
  totalCount: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`, "utf8").toString("base64");
}

export function decodeCursor(cursor: string, name: string): number {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  const match = /^offset:(\d{1,9})$/.exec(text);
  if (!match) throw new AppError("BAD_INPUT", `${name}: not a cursor of this list`);
  return Number(match[1]);
}

/** [start, end) of the window asked for, given the list's length. */
export function windowOf(args: PageArgs, total: number): { start: number; end: number } {
  for (const key of ["first", "last"] as const) {
    const n = args[key];
    if (n !== undefined && n !== null && (n < 0 || n > MAX_PAGE_SIZE || !Number.isInteger(n))) {
      throw new AppError("BAD_INPUT", `${key} must be an integer between 0 and ${MAX_PAGE_SIZE}`);
    }
  }
  let start = args.after ? decodeCursor(args.after, "after") + 1 : 0;
  let end = args.before ? Math.min(decodeCursor(args.before, "before"), total) : total;
  start = Math.min(start, total);
  end = Math.max(start, end);
  const first = args.first ?? (args.last === undefined || args.last === null ? DEFAULT_PAGE_SIZE : undefined);
  if (first !== undefined) end = Math.min(end, start + first);
  if (args.last !== undefined && args.last !== null) start = Math.max(start, end - args.last);
  return { start, end };
}

/** A page cut from a list already in memory (children of a batch of parents). */
export function pageOf<T>(all: T[], args: PageArgs): Page<T> {
  const { start, end } = windowOf(args, all.length);
  return {
    nodes: all.slice(start, end),
    offset: start,
    totalCount: all.length,
    hasNextPage: end < all.length,
    hasPreviousPage: start > 0,
  };
}

/** A page read with two queries: count, then the window. */
export async function queryPage<T>(
  args: PageArgs,
  count: () => Promise<number>,
  rows: (skip: number, take: number) => Promise<T[]>,
): Promise<Page<T>> {
  const total = await count();
  const { start, end } = windowOf(args, total);
  const nodes = end > start ? await rows(start, end - start) : [];
  return { nodes, offset: start, totalCount: total, hasNextPage: end < total, hasPreviousPage: start > 0 };
}
