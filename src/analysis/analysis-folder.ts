// What an analysis folder (src/analysis/<kind>/) hands to the rest: the kinds of result it stores, its
// GraphQL resolvers, and how its service is built from the shared parts. src/analysis/analysis.kinds.ts
// lists the folders; the AnalysisKind enum, the store's kinds, the schema's resolvers and AnalysisModule's
// services all come from that list.
import type { ClassType } from "type-graphql";
import type { Embedder } from "../models/embedder.port.js";
import type { TextGenerator } from "../models/model-ports.js";
import type { AnalysisModels } from "./analysis-models.js";
import type { SceneSearch } from "./rag/ask.service.js";
import type { AnalysisStore } from "./results/analysis-store.js";
import type { AnalysisReads } from "./scope.js";
import type { PassageEmbeddings } from "./theme/theme.service.js";

/** the parts every analysis service may take */
export interface AnalysisServiceDeps {
  reads: AnalysisReads;
  store: AnalysisStore;
  models: AnalysisModels;
  search: SceneSearch;
  embedder: Embedder;
  embeddings: PassageEmbeddings;
  /** the configured generator (resolved on first use) */
  generator: () => Promise<TextGenerator>;
  dataDir: string;
}

export interface AnalysisFolder<Name extends string, Kind extends string, Service> {
  /** the service's name on AnalysisModule (module.emotion, module.themes, ...) */
  name: Name;
  /** the kinds of stored result its service produces (the AnalysisKind enum's values) */
  kinds: readonly Kind[];
  /** its resolver classes (queries, subscriptions, relation and field resolvers of its types) */
  resolvers: readonly ClassType[];
  create(deps: AnalysisServiceDeps): Service;
}

/** Declares a folder, keeping its name and kinds as literal types (from which AnalysisKind is derived). */
export function analysisFolder<const Name extends string, const Kind extends string, Service>(
  folder: AnalysisFolder<Name, Kind, Service>,
): AnalysisFolder<Name, Kind, Service> {
  return folder;
}
