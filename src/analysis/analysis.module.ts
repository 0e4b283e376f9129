// The analysis side of the composition root (called from src/app.ts): the results store, the generator
// chosen by configuration, and the emotion, theme, style and ask services over the search module's
// embedder and the model ports.
import type { PubSub } from "../events/pubsub.port.js";
import type { Logger } from "../logging/logger.js";
import type { Embedder } from "../models/embedder.port.js";
import type { TextGenerator } from "../models/model-ports.js";
import type { PrismaClient } from "../store/prisma.client.js";
import type { AnalysisModels } from "./analysis-models.js";
import { EmotionService } from "./emotion/emotion.service.js";
import { generatorProvider, type GeneratorConfig } from "./generators/generator.factory.js";
import { AskService, type SceneSearch } from "./rag/ask.service.js";
import { AnalysisStore } from "./results/analysis-store.js";
import { StyleService } from "./style/style.service.js";
import { ThemeService, type PassageEmbeddings } from "./theme/theme.service.js";

export interface AnalysisModule {
  store: AnalysisStore;
  emotion: EmotionService;
  themes: ThemeService;
  style: StyleService;
  ask: AskService;
  /** the configured generator (resolved on first use) */
  generator: () => Promise<TextGenerator>;
}

export interface AnalysisDeps {
  prisma: PrismaClient;
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
  const { prisma, models } = deps;
  const store = new AnalysisStore({ prisma, pubsub: deps.pubsub, logger: deps.logger, codeVersion: deps.codeVersion });
  const given = deps.generator;
  const generator = given
    ? async () => given
    : generatorProvider(config.analysis.generator, { models, logger: deps.logger });
  const emotion = new EmotionService({ prisma, models, store });
  return {
    store,
    emotion,
    themes: new ThemeService({
      prisma,
      embedder: deps.search.embedder,
      embeddings: deps.search.embeddings,
      models,
      generator,
      store,
    }),
    style: new StyleService({ prisma, models, store, dataDir: config.dataDir }),
    ask: new AskService({
      prisma,
      search: deps.search.search,
      embedder: deps.search.embedder,
      embeddings: deps.search.embeddings,
      emotion,
      models,
      generator,
      store,
    }),
    generator,
  };
}
