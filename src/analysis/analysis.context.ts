// The analysis services in the GraphQL context: ApiServices (src/resolvers/context.ts) is augmented here, so that
// src/app.ts hands them over with the others. Optional, so contexts built without them (tests of other
// parts) still type-check; the resolvers ask for them through `analysisOf`.
import type { AnalysisModule } from "./analysis.module.js";
import type { SceneSearch } from "./rag/ask.service.js";
import { AppError } from "../errors/app-error.js";
import type { GraphQLContext } from "../resolvers/context.js";

export interface AnalysisApi {
  module: AnalysisModule;
  search: SceneSearch;
}

declare module "../resolvers/context.js" {
  interface ApiServices {
    analysis?: AnalysisApi;
  }
}

export function analysisOf(ctx: GraphQLContext): AnalysisApi {
  const a = ctx.services.analysis;
  if (!a) throw new AppError("CONFIG_INVALID", "the analysis services are not configured in this context");
  return a;
}
