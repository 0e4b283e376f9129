// The effects service in the GraphQL context (ApiServices of src/resolvers/context.ts, augmented here as
// src/analysis/analysis.context.ts does for the other analyses), and its construction for src/app.ts.
import { AppError } from "../../errors/app-error.js";
import { resolveMediaBinaries } from "../../media/ffmpeg/binaries.js";
import type { GraphQLContext } from "../../resolvers/context.js";
import type { EffectsReadRepository } from "../../store/effects-read.repository.js";
import type { AnalysisReads } from "../scope.js";
import type { AnalysisModels } from "../analysis-models.js";
import type { SceneSearch } from "../rag/ask.service.js";
import { EffectsService } from "./effects.service.js";
import { FfmpegReelMaker } from "./reel.js";

declare module "../../resolvers/context.js" {
  interface ApiServices {
    effects?: EffectsService;
  }
}

export function createEffectsService(
  config: { dataDir: string; media: { ffmpegPath?: string; ffprobePath?: string; timeoutMs: number } },
  deps: {
    reads: AnalysisReads;
    effectsReads: EffectsReadRepository;
    search: SceneSearch;
    models: Pick<AnalysisModels, "zeroShot" | "imageText">;
  },
): EffectsService {
  let reels: FfmpegReelMaker | undefined;
  return new EffectsService({
    ...deps,
    reels: {
      // ffmpeg is looked up on the first reel, not at start-up
      make: (shots) => {
        reels ??= new FfmpegReelMaker({
          reads: deps.effectsReads,
          ffmpeg: resolveMediaBinaries({ ffmpeg: config.media.ffmpegPath, ffprobe: config.media.ffprobePath }).ffmpeg,
          dataDir: config.dataDir,
          timeoutMs: config.media.timeoutMs,
        });
        return reels.make(shots);
      },
    },
  });
}

export function effectsOf(ctx: GraphQLContext): EffectsService {
  const e = ctx.services.effects;
  if (!e) throw new AppError("CONFIG_INVALID", "the effects service is not configured in this context");
  return e;
}
