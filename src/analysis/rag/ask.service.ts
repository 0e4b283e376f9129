// Ask and draft (RAG). ask: hybrid retrieval of scenes (SearchService), a relevance floor (a scene counts
// only if it shares a content word with the question or its embedding similarity reaches the floor), a
// context of the relevant scenes' dialogue, captions, emotions and timecodes under numbered markers, the
// generator, then the citation checker: only markers of retrieved scenes survive, invented ones are removed
// and reported. With no relevant scene it says so and generates nothing. draftScene: a short Fountain
// scene from the generator, grounded in the most similar relevant scenes, which it lists as its sources.
import { AppError } from "../../errors/app-error.js";
import type { Embedder } from "../../models/embedder.port.js";
import { EMOTIONS, type TextGenerator } from "../../models/model-ports.js";
import type { SceneSearchHit, SearchScenesOptions } from "../../search/search.service.js";
import type { AnalysisModels } from "../analysis-models.js";
import { distribution } from "../emotion/emotion-aggregate.js";
import type { EmotionService } from "../emotion/emotion.service.js";
import { evidenceFrom, loadSceneLines, type SceneLines } from "../evidence.js";
import type { AnalysisRun, AnalysisStore, ModelUse, RunOptions } from "../results/analysis-store.js";
import { resolveScope, type AnalysisScope, type AnalysisReads, type ResolvedScope } from "../scope.js";
import { table, type Table } from "../tables.js";
import type { AskResult, Citation, DraftResult, RetrievedScene } from "./rag.types.js";
import type { PassageEmbeddings } from "../theme/theme.service.js";
import { dot } from "../theme/cluster.js";
import { echoesQuestion, lexicalOverlap, round } from "../text.js";
import { checkCitations, type RemovedCitation } from "./citations.js";
import { buildMessages, type ContextScene } from "./context.js";

export const NO_RELEVANT_SCENE = "No scene in scope is relevant to the question, so there is nothing to answer from.";
export const NO_SIMILAR_SCENE = "No scene in scope resembles the prompt, so there is nothing to ground a draft in.";

export interface SceneSearch {
  searchScenes(query: string, options?: SearchScenesOptions): Promise<SceneSearchHit[]>;
}

export type { AskResult, Citation, DraftResult, RetrievedScene };

export interface AskParams {
  /** scenes retrieved (default 6 for ask, 3 for drafts; at most 20) */
  first?: number;
  /** the similarity a scene without shared words needs to count as relevant (default by embedder) */
  minSimilarity?: number;
}

export interface AskOptions extends RunOptions {
  onToken?: (text: string) => void;
  signal?: AbortSignal;
}

const MAX_QUESTION = 1000;

export class AskService {
  constructor(
    private readonly deps: {
      reads: AnalysisReads;
      search: SceneSearch;
      embedder: Embedder;
      embeddings: PassageEmbeddings;
      emotion: EmotionService;
      models: Pick<AnalysisModels, "emotion">;
      generator: () => Promise<TextGenerator>;
      store: AnalysisStore;
    },
  ) {}

  /**
   * The default relevance floor: hashing vectors are sparse (unrelated texts near 0); the word-vector
   * fallback (mean removed) puts unrelated lines near 0.1 and a question and its reply near 0.4; neural
   * ones have a high baseline.
   */
  defaultFloor(): number {
    const method = this.deps.embedder.provenance.method;
    return method === "hashing" ? 0.3 : method === "wordvec" ? 0.25 : 0.8;
  }

  async ask(
    question: string,
    scope: AnalysisScope,
    params: AskParams = {},
    options: AskOptions = {},
  ): Promise<AnalysisRun<AskResult>> {
    const q = checkText(question, "question");
    const first = checkFirst(params.first ?? 6);
    const floor = params.minSimilarity ?? this.defaultFloor();
    const resolved = await resolveScope(this.deps.reads, scope);
    const generator = await this.deps.generator();
    const models = await this.modelUses(generator);
    const run = await this.deps.store.run(
      "ASK",
      resolved,
      { question: q, first, minSimilarity: floor },
      models,
      async (): Promise<AskResult> => {
        const retrieved = await this.retrieve(q, resolved, first, floor);
        if (retrieved.scenes.length === 0) {
          options.onToken?.(NO_RELEVANT_SCENE);
          return {
            question: q,
            text: NO_RELEVANT_SCENE,
            method: "none",
            model: "none",
            noRelevantScene: true,
            citations: [],
            removedCitations: [],
            retrieved: [],
            rawText: "",
            tables: askTables([], []),
          };
        }
        const messages = buildMessages("answer", q, await this.contextScenes(retrieved.scenes, retrieved.lines));
        const raw = await generator.generate(messages, {
          maxTokens: 400,
          temperature: 0,
          onToken: options.onToken,
          signal: options.signal,
        });
        const checked = checkCitations(raw, retrieved.scenes.length);
        const citations: Citation[] = checked.cited.map((n) => {
          const r = retrieved.scenes[n - 1]!;
          const said = checked.sentencesOf.get(n) ?? [];
          const quoted = said.flatMap((s) => [...s.matchAll(/["“]([^"”]{2,300})["”]/g)].map((m) => m[1]!));
          const lines = retrieved.lines.get(r.sceneId)!;
          const inScene = quoted.filter((qt) =>
            lines.cues.some((c) => c.text.toLowerCase().includes(qt.toLowerCase().trim())),
          );
          // the evidence is the line that answers, not the one asking the question again
          const prefer = inScene.find((qt) => !echoesQuestion(q, qt)) ?? inScene[0];
          return { marker: n, ...evidenceFrom(lines, r.score, `${q} ${said.join(" ")}`, prefer) };
        });
        return {
          question: q,
          text: checked.text,
          method: generator.provenance.method,
          model: generator.provenance.model,
          noRelevantScene: false,
          citations,
          removedCitations: checked.removed,
          retrieved: retrieved.scenes,
          rawText: raw,
          tables: askTables(citations, retrieved.scenes),
        };
      },
      options,
    );
    if (run.cached) options.onToken?.(run.result.text);
    return run;
  }

  async draftScene(
    prompt: string,
    scope: AnalysisScope,
    params: AskParams = {},
    options: AskOptions = {},
  ): Promise<AnalysisRun<DraftResult>> {
    const p = checkText(prompt, "prompt");
    const first = checkFirst(params.first ?? 3);
    const floor = params.minSimilarity ?? this.defaultFloor();
    const resolved = await resolveScope(this.deps.reads, scope);
    const generator = await this.deps.generator();
    const models = await this.modelUses(generator);
    const run = await this.deps.store.run(
      "DRAFT_SCENE",
      resolved,
      { prompt: p, first, minSimilarity: floor },
      models,
      async (): Promise<DraftResult> => {
        const retrieved = await this.retrieve(p, resolved, first, floor);
        if (retrieved.scenes.length === 0) {
          options.onToken?.(NO_SIMILAR_SCENE);
          return {
            prompt: p,
            format: "fountain",
            text: NO_SIMILAR_SCENE,
            method: "none",
            model: "none",
            noRelevantScene: true,
            sources: [],
            removedCitations: [],
          };
        }
        const messages = buildMessages("draft", p, await this.contextScenes(retrieved.scenes, retrieved.lines));
        const raw = await generator.generate(messages, {
          maxTokens: 700,
          temperature: 0,
          onToken: options.onToken,
          signal: options.signal,
        });
        const { text, removed } = checkDraftMarkers(stripFences(raw), retrieved.scenes.length);
        return {
          prompt: p,
          format: "fountain",
          text,
          method: generator.provenance.method,
          model: generator.provenance.model,
          noRelevantScene: false,
          sources: retrieved.scenes,
          removedCitations: removed,
        };
      },
      options,
    );
    if (run.cached) options.onToken?.(run.result.text);
    return run;
  }

  private async modelUses(generator: TextGenerator): Promise<ModelUse[]> {
    const emotion = await this.deps.models.emotion();
    return [
      { task: "embedding", ...this.deps.embedder.provenance },
      { task: "emotion", ...emotion.provenance },
      { task: "generation", ...generator.provenance },
    ];
  }

  /**
   * Hybrid retrieval in scope, then the relevance floor; markers are 1-based in retrieval order. A scene is
   * judged by the dialogue of the scope's tracks (every track unless the scope chose some), which is also what
   * the search index holds, so a line only a second track has is relevant, quoted and cited like any other.
   */
  async retrieve(
    query: string,
    scope: Pick<ResolvedScope, "clipIds" | "tracks">,
    first: number,
    floor: number,
  ): Promise<{ scenes: RetrievedScene[]; lines: Map<string, SceneLines> }> {
    if (scope.clipIds.length === 0 || scope.tracks.length === 0) return { scenes: [], lines: new Map() };
    const hits = await this.deps.search.searchScenes(query, {
      mode: "HYBRID",
      filter: { clipIds: scope.clipIds },
      first,
      highlight: { maxFragments: 0 },
    });
    if (hits.length === 0) return { scenes: [], lines: new Map() };
    const lines = await loadSceneLines(
      this.deps.reads,
      hits.map((h) => h.sceneId),
      scope.tracks,
    );
    const texts = hits.map((h) => (lines.get(h.sceneId)?.cues ?? []).map((c) => c.text).join("\n"));
    const [qv] = await this.deps.embedder.embed([query], "query");
    const { vectors } = await this.deps.embeddings.embedPassages(texts.map((t) => t || " "));
    const relevant = hits
      .map((h, i) => ({
        h,
        similarity: texts[i]!.trim() ? Math.max(0, dot(qv!, vectors[i]!)) : 0,
        overlap: lexicalOverlap(query, texts[i]!),
      }))
      .filter((x) => x.overlap > 0 || x.similarity >= floor);
    const scenes: RetrievedScene[] = [];
    for (const x of relevant) {
      const l = lines.get(x.h.sceneId);
      if (!l) continue;
      scenes.push({
        marker: scenes.length + 1,
        ...evidenceFrom(l, x.h.score, query),
        matchedBy: x.h.matchedBy,
        similarity: round(x.similarity),
        overlap: round(x.overlap),
      });
    }
    return { scenes, lines };
  }

  private async contextScenes(scenes: RetrievedScene[], lines: Map<string, SceneLines>): Promise<ContextScene[]> {
    const classifier = await this.deps.models.emotion();
    const all = scenes.flatMap((s) =>
      lines.get(s.sceneId)!.cues.map((c) => ({ ...c, clipId: s.clipId, sceneId: s.sceneId })),
    );
    const scored = await this.deps.emotion.scoreCues(all, classifier);
    return scenes.map((s) => {
      const l = lines.get(s.sceneId)!;
      const d = distribution(scored.filter((c) => c.sceneId === s.sceneId));
      const emotions = d.dominant
        ? EMOTIONS.map((e): [string, number] => [e, d.scores[e]])
            .filter(([, v]) => v >= 0.05)
            .sort((a, b) => b[1] - a[1])
            .slice(0, 3)
        : [];
      return {
        marker: s.marker,
        clipTitle: l.scene.clipTitle,
        sceneIndex: l.scene.index,
        startTime: l.scene.startTime,
        endTime: l.scene.endTime,
        emotions,
        captions: l.captions.slice(0, 3),
        lines: l.cues.slice(0, 40).map((c) => ({ startTime: c.startTime, speaker: c.speaker, text: c.text })),
      };
    });
  }
}

function checkText(text: string, name: string): string {
  const t = (text ?? "").trim();
  if (!t) throw new AppError("BAD_INPUT", `${name} must not be empty`);
  if (t.length > MAX_QUESTION) throw new AppError("BAD_INPUT", `${name}: at most ${MAX_QUESTION} characters`);
  return t;
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > 20)
    throw new AppError("BAD_INPUT", `first must be an integer from 1 to 20, got ${first}`);
  return first;
}

function stripFences(text: string): string {
  return (
    text
      .replace(/^\s*```[a-z]*\s*\n/i, "")
      .replace(/\n\s*```\s*$/, "")
      .trim() + "\n"
  );
}

/** In a draft, markers (in notes or brackets) must name reference scenes: others are removed and reported. */
export function checkDraftMarkers(text: string, count: number): { text: string; removed: RemovedCitation[] } {
  const removed: RemovedCitation[] = [];
  const out = text.replace(
    /\[\[([^\]]*)\]\]|\[(S\d+)\]/g,
    (whole, note: string | undefined, single: string | undefined) => {
      if (single) {
        const n = Number(single.slice(1));
        if (n >= 1 && n <= count) return whole;
        removed.push({
          marker: single,
          sentence: whole,
          reason: `${single} is not one of the ${count} reference scenes`,
        });
        return "";
      }
      const kept = note!.replace(/\bS(\d+)\b,?\s*/g, (m, d: string) => {
        const n = Number(d);
        if (n >= 1 && n <= count) return m;
        removed.push({ marker: `S${n}`, sentence: whole, reason: `S${n} is not one of the ${count} reference scenes` });
        return "";
      });
      return `[[${kept.replace(/,\s*$/, "")}]]`;
    },
  );
  return { text: out, removed };
}

function askTables(citations: Citation[], retrieved: RetrievedScene[]): Table[] {
  return [
    table(
      "citations",
      [
        ["marker", (c: Citation) => c.marker],
        ["sceneId", (c) => c.sceneId],
        ["clipId", (c) => c.clipId],
        ["startTime", (c) => c.quoteStart ?? c.startTime],
        ["endTime", (c) => c.quoteEnd ?? c.endTime],
        ["quote", (c) => c.quote],
      ],
      citations,
    ),
    table(
      "retrieved",
      [
        ["marker", (r: RetrievedScene) => r.marker],
        ["sceneId", (r) => r.sceneId],
        ["clipId", (r) => r.clipId],
        ["startTime", (r) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["score", (r) => r.score],
        ["similarity", (r) => r.similarity],
        ["overlap", (r) => r.overlap],
        ["matchedBy", (r) => r.matchedBy.join(",")],
      ],
      retrieved,
    ),
  ];
}
