// Per-operation time limit: every resolver of our classes races the operation's deadline, so a slow
// operation answers TIMEOUT at the limit instead of holding the connection (work already started in the
// database finishes in the background; nothing new starts after the deadline).
import type { MiddlewareFn } from "type-graphql";
import type { GraphQLContext } from "./context.js";

export const DeadlineMiddleware: MiddlewareFn<GraphQLContext> = ({ context }, next) => {
  const deadline = context.deadline;
  if (!deadline) return next();
  if (deadline.expired) throw deadline.error();
  const result = next();
  return result instanceof Promise ? Promise.race([result, deadline.reached]) : result;
};
