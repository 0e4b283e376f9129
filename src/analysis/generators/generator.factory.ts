// The generator chosen by configuration (CINERAG_GENERATOR): extractive (default, no model), openai (any
// OpenAI-compatible chat endpoint), local (the transformers.js model of src/models; when it cannot be had,
// the extractive generator answers, and results name it).
import { AppError } from "../../errors/app-error.js";
import type { Logger } from "../../logging/logger.js";
import type { TextGenerator } from "../../models/model-ports.js";
import type { AnalysisModels } from "../analysis-models.js";
import { ExtractiveGenerator } from "./extractive.generator.js";
import { OpenAiCompatibleGenerator } from "./openai-compatible.generator.js";

export type GeneratorKind = "extractive" | "openai" | "local";

export interface GeneratorConfig {
  kind: GeneratorKind;
  openai?: { baseUrl: string; model: string; apiKey?: string; timeoutMs: number };
}

export function generatorProvider(
  config: GeneratorConfig,
  deps: { models?: Pick<AnalysisModels, "generator">; logger?: Logger } = {},
): () => Promise<TextGenerator> {
  const extractive = new ExtractiveGenerator();
  if (config.kind === "openai" && config.openai) {
    const g = new OpenAiCompatibleGenerator(config.openai);
    return () => Promise.resolve(g);
  }
  if (config.kind === "local") {
    let warned = false;
    return async () => {
      try {
        if (!deps.models?.generator) throw new AppError("CONFIG_INVALID", "no local generator in this build");
        return await deps.models.generator();
      } catch (error) {
        if (!warned)
          deps.logger?.info(
            { err: (error as Error).message },
            "local generation model unavailable: answering extractively",
          );
        warned = true;
        return extractive;
      }
    };
  }
  return () => Promise.resolve(extractive);
}
