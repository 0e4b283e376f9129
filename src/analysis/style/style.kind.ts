// The style folder: kind STYLE, module.style.
import { analysisFolder } from "../analysis-folder.js";
import { STYLE_RESOLVERS } from "./style.resolver.js";
import { StyleService } from "./style.service.js";

export const styleFolder = analysisFolder({
  name: "style",
  kinds: ["STYLE"],
  resolvers: STYLE_RESOLVERS,
  create: ({ reads, models, store, dataDir }) => new StyleService({ reads, models, store, dataDir }),
});
