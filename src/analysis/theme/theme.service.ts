// Themes of a scope.
//   discover: scene embeddings (the search module's Embedder, through its cache) clustered by k-means, k
//     chosen by silhouette over a small range; keywords per cluster by class-based TF-IDF; a short label
//     from the generator (or the top keywords when the generator is extractive or fails); the scenes
//     nearest each centroid as evidence.
//   test: for given themes, each scene's zero-shot entailment score (when the NLI model can be had) and its
//     embedding similarity to the theme; strength, presence and where, with evidence scenes.
import type { Embedder } from "../../models/embedder.port.js";
import type { TextGenerator } from "../../models/model-ports.js";
import { AppError } from "../../errors/app-error.js";
import { unavailableReason, type AnalysisModels } from "../analysis-models.js";
import { buildEvidence } from "../evidence.js";
import type { AnalysisRun, AnalysisStore, ModelUse, RunOptions } from "../results/analysis-store.js";
import {
  loadCues,
  loadScenes,
  resolveScope,
  type AnalysisScope,
  type SceneData,
  type AnalysisReads,
  type ScopeTrack,
} from "../scope.js";
import { table, type Evidence } from "../tables.js";
import type { Theme, ThemeDiscoveryResult, ThemePresence, ThemeTestResult } from "./theme.types.js";
import { mean, round } from "../text.js";
import { chooseK, dot } from "./cluster.js";
import { classTfIdf } from "./ctfidf.js";
import { characterNames } from "./names.js";

export interface PassageEmbeddings {
  readonly modelId: string;
  embedPassages(texts: string[]): Promise<{ vectors: Float32Array[] }>;
}

export type { Theme, ThemeDiscoveryResult, ThemePresence, ThemeTestResult };

export interface DiscoverParams {
  minThemes?: number;
  maxThemes?: number;
  keywords?: number;
  evidencePerTheme?: number;
}

export interface TestParams {
  /** a scene shows a theme with a score of at least this (default 0.5 with zero-shot, 0.3 embedding only) */
  threshold?: number;
  evidencePerTheme?: number;
}

export const MAX_THEMES_TESTED = 20;

export class ThemeService {
  constructor(
    private readonly deps: {
      reads: AnalysisReads;
      embedder: Embedder;
      embeddings: PassageEmbeddings;
      models: Pick<AnalysisModels, "zeroShot">;
      generator: () => Promise<TextGenerator>;
      store: AnalysisStore;
    },
  ) {}

  /**
   * The similarity a theme needs without zero-shot, by embedder: hashing vectors are sparse (unrelated near
   * 0); the word-vector fallback puts unrelated lines under 0.12 (measured on the paraphrase tuning set:
   * WordVecEmbedder.unrelatedBelow), so 0.18 leaves a margin; neural embedders have a high baseline.
   */
  private similarityFloor(): number {
    const method = this.deps.embedder.provenance.method;
    return method === "wordvec" ? 0.18 : method === "model" ? 0.8 : 0.3;
  }

  /** Per scene, per theme (in order): the scene's line most similar to the theme, and its similarity. */
  private async bestLines(
    tracks: ScopeTrack[],
    themeVectors: Float32Array[],
  ): Promise<Map<string, Array<{ text: string; similarity: number }>>> {
    const cues = (await loadCues(this.deps.reads, tracks)).filter((c) => c.sceneId && c.text.trim());
    const { vectors } = await this.deps.embeddings.embedPassages(cues.map((c) => c.text));
    const out = new Map<string, Array<{ text: string; similarity: number }>>();
    cues.forEach((c, i) => {
      const best = out.get(c.sceneId!) ?? themeVectors.map(() => ({ text: "", similarity: -1 }));
      themeVectors.forEach((tv, t) => {
        const similarity = dot(vectors[i]!, tv);
        if (similarity > best[t]!.similarity) best[t] = { text: c.text, similarity };
      });
      out.set(c.sceneId!, best);
    });
    return out;
  }

  private embeddingUse(): ModelUse {
    return { task: "embedding", ...this.deps.embedder.provenance };
  }

  private async scenesWithText(clipIds: string[]): Promise<SceneData[]> {
    return (await loadScenes(this.deps.reads, clipIds)).filter((s) => s.text.trim().length > 0);
  }

  async discover(
    scope: AnalysisScope,
    params: DiscoverParams = {},
    options: RunOptions = {},
  ): Promise<AnalysisRun<ThemeDiscoveryResult>> {
    const minK = clampInt(params.minThemes ?? 2, 2, 20, "minThemes");
    const maxK = clampInt(params.maxThemes ?? 8, minK, 20, "maxThemes");
    const parameters = {
      minThemes: minK,
      maxThemes: maxK,
      keywords: clampInt(params.keywords ?? 8, 1, 30, "keywords"),
      evidencePerTheme: clampInt(params.evidencePerTheme ?? 5, 1, 20, "evidencePerTheme"),
    };
    const resolved = await resolveScope(this.deps.reads, scope);
    const generator = await this.deps.generator();
    const models: ModelUse[] = [this.embeddingUse(), { task: "generation", ...generator.provenance }];
    return this.deps.store.run(
      "THEME_DISCOVERY",
      resolved,
      parameters,
      models,
      async () => {
        const scenes = await this.scenesWithText(resolved.clipIds);
        const { vectors } = await this.deps.embeddings.embedPassages(scenes.map((s) => s.text));
        const choice = chooseK(vectors, minK, maxK);
        const k = choice.best.k;
        const members: number[][] = Array.from({ length: k }, () => []);
        choice.best.labels.forEach((l, i) => members[l]!.push(i));
        const locale = resolved.clips.length === 1 ? resolved.clips[0]!.language : undefined;
        const speakers = await this.deps.reads.speakers(resolved.clipIds);
        const names = characterNames(
          scenes.flatMap((s) => s.text.split("\n")),
          speakers,
        );
        const keywords = classTfIdf(
          members.map((m) => m.map((i) => scenes[i]!.text)),
          parameters.keywords,
          locale,
          names,
        );
        const themes: Theme[] = [];
        for (let c = 0; c < k; c++) {
          if (members[c]!.length === 0) continue;
          const sims = members[c]!.map((i) => ({ i, sim: dot(vectors[i]!, choice.best.centroids[c]!) })).sort(
            (a, b) => b.sim - a.sim,
          );
          const top = sims.slice(0, parameters.evidencePerTheme);
          const kw = keywords[c] ?? [];
          const label = await this.label(
            generator,
            kw.map((x) => x.term),
            top.map((t) => scenes[t.i]!.text),
          );
          const evidence = await buildEvidence(
            this.deps.reads,
            top.map((t) => ({ sceneId: scenes[t.i]!.id, score: t.sim, query: kw.map((x) => x.term).join(" ") })),
            resolved.tracks,
          );
          themes.push({
            index: 0,
            label: label.text,
            labelMethod: label.method,
            keywords: kw,
            sceneCount: members[c]!.length,
            share: round(members[c]!.length / Math.max(1, scenes.length)),
            cohesion: round(mean(sims.map((s) => s.sim))),
            sceneIds: sims.map((s) => scenes[s.i]!.id),
            evidence,
          });
        }
        themes.sort((a, b) => b.sceneCount - a.sceneCount || b.cohesion - a.cohesion);
        themes.forEach((t, i) => (t.index = i));
        return {
          method: "kmeans+silhouette+c-tf-idf",
          embeddingModel: this.deps.embedder.modelId,
          labelModel: `${generator.provenance.method}:${generator.provenance.model}`,
          k: themes.length,
          silhouette: choice.silhouette,
          candidates: choice.candidates,
          sceneCount: scenes.length,
          themes,
          tables: [
            table(
              "themes",
              [
                ["index", (t: Theme) => t.index],
                ["label", (t) => t.label],
                ["labelMethod", (t) => t.labelMethod],
                ["keywords", (t) => t.keywords.map((x) => x.term).join(", ")],
                ["sceneCount", (t) => t.sceneCount],
                ["share", (t) => t.share],
                ["cohesion", (t) => t.cohesion],
              ],
              themes,
            ),
            table(
              "evidence",
              [
                ["theme", (r: Evidence & { theme: number }) => r.theme],
                ["sceneId", (r) => r.sceneId],
                ["clipId", (r) => r.clipId],
                ["startTime", (r) => r.startTime],
                ["endTime", (r) => r.endTime],
                ["score", (r) => r.score],
                ["quote", (r) => r.quote],
              ],
              themes.flatMap((t) => t.evidence.map((e) => ({ ...e, theme: t.index }))),
            ),
            table(
              "k",
              [
                ["k", (r: { k: number; silhouette: number }) => r.k],
                ["silhouette", (r) => r.silhouette],
              ],
              choice.candidates,
            ),
          ],
        };
      },
      options,
    );
  }

  private async label(
    generator: TextGenerator,
    keywords: string[],
    lines: string[],
  ): Promise<{ text: string; method: "generator" | "keywords" }> {
    const fallback = { text: keywords.slice(0, 3).join(" / ") || "(no keywords)", method: "keywords" as const };
    if (generator.provenance.method === "extractive" || keywords.length === 0) return fallback;
    try {
      const text = await generator.generate(
        [
          {
            role: "system",
            content:
              "You name the theme shared by film scenes. Reply with a label of two to five words and nothing else.",
          },
          {
            role: "user",
            content: `Keywords: ${keywords.join(", ")}\nLines from the scenes:\n${lines.map((l) => `- ${l.slice(0, 300)}`).join("\n")}\nLabel:`,
          },
        ],
        { maxTokens: 16, temperature: 0 },
      );
      const label = text
        .split("\n")
        .map((l) => l.replace(/^["'*#\s-]+|["'*.\s]+$/g, ""))
        .find((l) => l.length > 0);
      return label ? { text: label.slice(0, 80), method: "generator" } : fallback;
    } catch {
      return fallback;
    }
  }

  async test(
    scope: AnalysisScope,
    themes: string[],
    params: TestParams = {},
    options: RunOptions = {},
  ): Promise<AnalysisRun<ThemeTestResult>> {
    const names = [...new Set(themes.map((t) => t.trim()).filter(Boolean))];
    if (names.length === 0) throw new AppError("BAD_INPUT", "themes: give at least one theme");
    if (names.length > MAX_THEMES_TESTED) throw new AppError("BAD_INPUT", `themes: at most ${MAX_THEMES_TESTED}`);
    if (names.some((n) => n.length > 200)) throw new AppError("BAD_INPUT", "themes: at most 200 characters each");
    const resolved = await resolveScope(this.deps.reads, scope);
    let zeroShot: Awaited<ReturnType<AnalysisModels["zeroShot"]>> | undefined;
    let unavailable: string | null = null;
    try {
      zeroShot = await this.deps.models.zeroShot();
    } catch (error) {
      unavailable = unavailableReason(error);
    }
    const threshold = params.threshold ?? (zeroShot ? 0.5 : this.similarityFloor());
    const parameters = {
      themes: names,
      threshold,
      evidencePerTheme: clampInt(params.evidencePerTheme ?? 5, 1, 20, "evidencePerTheme"),
    };
    const models: ModelUse[] = [
      this.embeddingUse(),
      zeroShot
        ? { task: "zero-shot", ...zeroShot.provenance }
        : { task: "zero-shot", method: "unavailable", model: "none" },
    ];
    return this.deps.store.run(
      "THEME_TEST",
      resolved,
      parameters,
      models,
      async () => {
        const scenes = await this.scenesWithText(resolved.clipIds);
        const { vectors } = await this.deps.embeddings.embedPassages(scenes.map((s) => s.text));
        const themeVectors = await this.deps.embedder.embed(names, "query");
        // a theme is often said in one line of a long scene ("I've been alone for as long as I can
        // remember"): a scene's similarity is its whole text's or its best line's, whichever is higher,
        // and that line is its evidence
        const lines = await this.bestLines(resolved.tracks, themeVectors);
        const zs =
          zeroShot && scenes.length
            ? await zeroShot.classify(
                scenes.map((s) => s.text),
                names,
                { multiLabel: true, hypothesisTemplate: "This scene is about {}." },
              )
            : undefined;
        // per scene and theme: similarity, zero-shot, combined
        const rows: Array<{
          sceneId: string;
          clipId: string;
          theme: string;
          similarity: number;
          zeroShot: number | null;
          score: number;
        }> = [];
        scenes.forEach((s, i) => {
          names.forEach((theme, t) => {
            const line = lines.get(s.id)?.[t];
            const similarity = Math.max(0, dot(vectors[i]!, themeVectors[t]!), line?.similarity ?? 0);
            const z = zs ? (zs[i]?.labels.find((l) => l.label === theme)?.score ?? 0) : null;
            rows.push({
              sceneId: s.id,
              clipId: s.clipId,
              theme,
              similarity: round(similarity),
              zeroShot: z === null ? null : round(z),
              score: round(z === null ? similarity : (z + similarity) / 2),
            });
          });
        });
        const presences: ThemePresence[] = [];
        for (const theme of names) {
          const mine = rows.filter((r) => r.theme === theme);
          const above = mine.filter((r) => r.score >= threshold).sort((a, b) => b.score - a.score);
          const evidence = await buildEvidence(
            this.deps.reads,
            above.slice(0, parameters.evidencePerTheme).map((r) => ({
              sceneId: r.sceneId,
              score: r.score,
              query: theme,
              preferQuote: lines.get(r.sceneId)?.[names.indexOf(theme)]?.text,
            })),
            resolved.tracks,
          );
          const clips = resolved.clips.map((c) => {
            const cr = mine.filter((r) => r.clipId === c.id);
            return {
              clipId: c.id,
              strength: round(mean(cr.map((r) => r.score))),
              presence: round(cr.length ? cr.filter((r) => r.score >= threshold).length / cr.length : 0),
              peak: round(Math.max(0, ...cr.map((r) => r.score))),
            };
          });
          presences.push({
            theme,
            strength: round(mean(mine.map((r) => r.score))),
            presence: round(mine.length ? above.length / mine.length : 0),
            peak: round(Math.max(0, ...mine.map((r) => r.score))),
            evidence,
            clips,
          });
        }
        return {
          method: zeroShot ? "zero-shot+embedding" : "embedding",
          zeroShotModel: zeroShot ? zeroShot.provenance.model : null,
          zeroShotUnavailable: unavailable,
          embeddingModel: this.deps.embedder.modelId,
          threshold,
          sceneCount: scenes.length,
          themes: presences,
          tables: [
            table(
              "themes",
              [
                ["theme", (p: ThemePresence) => p.theme],
                ["strength", (p) => p.strength],
                ["presence", (p) => p.presence],
                ["peak", (p) => p.peak],
                ["evidenceScenes", (p) => p.evidence.length],
              ],
              presences,
            ),
            table(
              "clips",
              [
                ["theme", (r: ThemePresence["clips"][number] & { theme: string }) => r.theme],
                ["clipId", (r) => r.clipId],
                ["strength", (r) => r.strength],
                ["presence", (r) => r.presence],
                ["peak", (r) => r.peak],
              ],
              presences.flatMap((p) => p.clips.map((c) => ({ ...c, theme: p.theme }))),
            ),
            table(
              "scenes",
              [
                ["theme", (r: (typeof rows)[number]) => r.theme],
                ["sceneId", (r) => r.sceneId],
                ["clipId", (r) => r.clipId],
                ["similarity", (r) => r.similarity],
                ["zeroShot", (r) => r.zeroShot],
                ["score", (r) => r.score],
              ],
              rows,
            ),
          ],
        };
      },
      options,
    );
  }
}

export function clampInt(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new AppError("BAD_INPUT", `${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}
