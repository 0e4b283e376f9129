// The analysis folders: one line each. The AnalysisKind enum (GraphQL and TypeScript), the kinds the store
// keeps, the schema's analysis resolvers and AnalysisModule's services are all derived from this list, so
// a new kind is a new folder (src/analysis/README.md) and its line here.
import type { ClassType } from "type-graphql";
import { registerAnalysisKinds } from "./analysis-kind.enum.js";
import { emotionFolder } from "./emotion/emotion.kind.js";
import { ragFolder } from "./rag/rag.kind.js";
import { styleFolder } from "./style/style.kind.js";
import { themeFolder } from "./theme/theme.kind.js";

export const ANALYSIS_FOLDERS = [emotionFolder, themeFolder, styleFolder, ragFolder] as const;

type Folder = (typeof ANALYSIS_FOLDERS)[number];

export type AnalysisKind = Folder["kinds"][number];

export const ANALYSIS_KINDS: readonly AnalysisKind[] = ANALYSIS_FOLDERS.flatMap((f) => f.kinds);
registerAnalysisKinds(ANALYSIS_KINDS);

/** the services by folder name: { emotion: EmotionService, themes: ThemeService, ... } */
export type AnalysisServices = { [F in Folder as F["name"]]: ReturnType<F["create"]> };

export const FOLDER_RESOLVERS: readonly ClassType[] = ANALYSIS_FOLDERS.flatMap((f) => f.resolvers);
