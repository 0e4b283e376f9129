// The emotion folder: kind EMOTION, module.emotion.
import { analysisFolder } from "../analysis-folder.js";
import { EMOTION_RESOLVERS } from "./emotion.resolver.js";
import { EmotionService } from "./emotion.service.js";

export const emotionFolder = analysisFolder({
  name: "emotion",
  kinds: ["EMOTION"],
  resolvers: EMOTION_RESOLVERS,
  create: ({ reads, models, store }) => new EmotionService({ reads, models, store }),
});
