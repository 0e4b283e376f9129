// The analysis side of the composition root (called from src/app.ts): the repositories it reads and writes
// through, the results store, the generator chosen by configuration, and one service per analysis folder
// (src/analysis/analysis.kinds.ts) over the search module's embedder and the model ports.
import type { PubSub } from "../events/pubsub.port.js";
import type { Logger } from "../logging/logger.js";
import type { Embedder } from "../models/embedder.port.js";
import type { TextGenerator } from "../models/model-ports.js";
import type { AnalysisReadRepository } from "../store/analysis-read.repository.js";
import type { AnalysisResultRepository } from "../store/analysis-result.repository.js";
import type { AnalysisServiceDeps } from "./analysis-folder.js";
import type { AnalysisModels } from "./analysis-models.js";
import { ANALYSIS_FOLDERS, type AnalysisServices } from "./analysis.kinds.js";
import { generatorProvider, type GeneratorConfig } from "./generators/generator.factory.js";
import type { SceneSearch } from "./rag/ask.service.js";
import { AnalysisStore } from "./results/analysis-store.js";
import type { PassageEmbeddings } from "./theme/theme.service.js";

export type AnalysisModule = AnalysisServices & {
  store: AnalysisStore;
  /** the configured generator (resolved on first use) */
  generator: () => Promise<TextGenerator>;
};

export interface AnalysisDeps {
  /** the analyses' reads and their stored results (src/store) */
  reads: AnalysisReadRepository;
  results: AnalysisResultRepository;
  pubsub?: PubSub;
  logger?: Logger;
  /** the search module's parts: scene search, the embedder and its passage cache */
  search: { search: SceneSearch; embedder: Embedder; embeddings: PassageEmbeddings };
  models: AnalysisModels;
  /** tests: a generator of their own instead of the configured one */
  generator?: TextGenerator;
  codeVersion?: string;
}

export function createAnalysisModule(
  config: { dataDir: string; analysis: { generator: GeneratorConfig } },
  deps: AnalysisDeps,
): AnalysisModule {
  const { models } = deps;
  const store = new AnalysisStore({
    results: deps.results,
    pubsub: deps.pubsub,
    logger: deps.logger,
    codeVersion: deps.codeVersion,
  });
  const given = deps.generator;
  const generator = given
    ? () => Promise.resolve(given)
    : generatorProvider(config.analysis.generator, { models, logger: deps.logger });
  const shared: AnalysisServiceDeps = {
    reads: deps.reads,
    store,
    models,
    search: deps.search.search,
    embedder: deps.search.embedder,
    embeddings: deps.search.embeddings,
    generator,
    dataDir: config.dataDir,
  };
  // one service per folder, under the folder's name (the mapped type AnalysisServices says which is which)
  const services = Object.fromEntries(ANALYSIS_FOLDERS.map((f) => [f.name, f.create(shared)])) as AnalysisServices;
  return { ...services, store, generator };
}
