// Translation of GraphQL filters (global IDs) into service filters (database ids).
import { AppError } from "../errors/app-error.js";
import { fromGlobalId, type NodeType } from "../services/global-id.js";
import type { PageArgs } from "../schema/inputs.js";
import type { PageArgs as ServicePage } from "../services/pagination.js";

export const MAX_FILTER_IDS = 100;

export function clipIdsOf(ids: string[] | null | undefined): string[] | undefined {
  return idsOf(ids, "Clip", "clipIds");
}

/** Database ids of a list argument of global ids of one type (at most MAX_FILTER_IDS). */
export function idsOf(ids: string[] | null | undefined, type: NodeType, argument: string): string[] | undefined {
  if (!ids) return undefined;
  if (ids.length > MAX_FILTER_IDS) throw new AppError("BAD_INPUT", `${argument}: at most ${MAX_FILTER_IDS}`);
  return ids.map((id) => fromGlobalId(id, type, argument));
}

export function page(args: PageArgs): ServicePage {
  return { first: args.first, after: args.after, last: args.last, before: args.before };
}

export function timeRange(f: { startTime?: number | null; endTime?: number | null } | null | undefined) {
  const startTime = f?.startTime ?? undefined;
  const endTime = f?.endTime ?? undefined;
  if (startTime !== undefined && endTime !== undefined && endTime < startTime) {
    throw new AppError("BAD_INPUT", "endTime must not be before startTime");
  }
  return { startTime, endTime };
}
