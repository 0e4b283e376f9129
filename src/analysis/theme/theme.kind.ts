// The theme folder: kinds THEME_DISCOVERY and THEME_TEST, module.themes.
import { analysisFolder } from "../analysis-folder.js";
import { THEME_RESOLVERS } from "./theme.resolver.js";
import { ThemeService } from "./theme.service.js";

export const themeFolder = analysisFolder({
  name: "themes",
  kinds: ["THEME_DISCOVERY", "THEME_TEST"],
  resolvers: THEME_RESOLVERS,
  create: ({ reads, embedder, embeddings, models, generator, store }) =>
    new ThemeService({ reads, embedder, embeddings, models, generator, store }),
});
