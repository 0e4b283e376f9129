// The retrieval-augmented folder: kinds ASK and DRAFT_SCENE, module.ask.
import { analysisFolder } from "../analysis-folder.js";
import { EmotionService } from "../emotion/emotion.service.js";
import { RAG_RESOLVERS } from "./rag.resolver.js";
import { AskService } from "./ask.service.js";

export const ragFolder = analysisFolder({
  name: "ask",
  kinds: ["ASK", "DRAFT_SCENE"],
  resolvers: RAG_RESOLVERS,
  // the emotions of the context's scenes come from an emotion service of its own (it keeps no state)
  create: ({ reads, search, embedder, embeddings, models, generator, store }) =>
    new AskService({
      reads,
      search,
      embedder,
      embeddings,
      emotion: new EmotionService({ reads, models, store }),
      models,
      generator,
      store,
    }),
});
