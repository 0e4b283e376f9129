// Roles: readers query and subscribe; editors may also mutate. Mutations carry @Authorized(EDITOR).
import type { AuthChecker } from "type-graphql";
import type { GraphQLContext } from "./context.js";
import { AppError } from "../errors/app-error.js";

export const EDITOR = "editor";

export const authChecker: AuthChecker<GraphQLContext> = ({ context, info }, roles) => {
  if (roles.length === 0 || roles.includes(context.role)) return true;
  throw new AppError("FORBIDDEN", `${info.fieldName} needs an editor key; this key is a ${context.role} key`);
};
