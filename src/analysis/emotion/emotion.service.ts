// Emotion analysis of a scope: per cue (scores from CueEmotion rows the ingest enrichment stored for the
// classifier's model, the rest classified now through the EmotionClassifier port), per scene, per speaker,
// per clip as an arc over time with the peaks of each emotion and the cues behind them.
import { EMOTIONS, type EmotionClassifier, type EmotionScores } from "../../models/model-ports.js";
import type { AnalysisModels } from "../analysis-models.js";
import type { AnalysisRun, AnalysisStore, ModelUse, RunOptions } from "../results/analysis-store.js";
import {
  groupBy,
  loadCues,
  loadScenes,
  resolveScope,
  type AnalysisScope,
  type CueData,
  type AnalysisReads,
} from "../scope.js";
import { table, type Table } from "../tables.js";
import { round } from "../text.js";
import {
  arc,
  distribution,
  dominant,
  peaks,
  sceneEmotions,
  speakerEmotions,
  type ArcPoint,
  type ArcResolution,
  type ClipEmotion,
  type Distribution,
  type EmotionPeak,
  type SceneEmotion,
  type ScoredCue,
  type SpeakerEmotion,
} from "./emotion-aggregate.js";

export interface EmotionParams {
  /** SCENE, or bins of `seconds` (MINUTE = 60) */
  resolution?: ArcResolution;
  /** peaks kept per emotion and clip (default 3) */
  peaksPerEmotion?: number;
  /** a cue is a peak only with at least this score (default 0.3) */
  minPeakScore?: number;
}

export interface EmotionResult {
  method: string;
  model: string;
  /** cues whose scores were read from CueEmotion / classified now */
  storedCues: number;
  computedCues: number;
  resolution: ArcResolution;
  distribution: Distribution;
  clips: ClipEmotion[];
  cues: ScoredCue[];
  tables: Table[];
}

const BATCH = 256;

export class EmotionService {
  constructor(
    private readonly deps: { reads: AnalysisReads; models: Pick<AnalysisModels, "emotion">; store: AnalysisStore },
  ) {}

  async analyse(
    scope: AnalysisScope,
    params: EmotionParams = {},
    options: RunOptions = {},
  ): Promise<AnalysisRun<EmotionResult>> {
    const resolved = await resolveScope(this.deps.reads, scope);
    const classifier = await this.deps.models.emotion();
    const resolution = params.resolution ?? { kind: "SCENE" };
    const parameters = {
      resolution,
      peaksPerEmotion: params.peaksPerEmotion ?? 3,
      minPeakScore: params.minPeakScore ?? 0.3,
    };
    const models: ModelUse[] = [{ task: "emotion", ...classifier.provenance }];
    return this.deps.store.run(
      "EMOTION",
      resolved,
      parameters,
      models,
      async () => {
        const [cues, scenes] = await Promise.all([
          loadCues(this.deps.reads, resolved.tracks),
          loadScenes(this.deps.reads, resolved.clipIds),
        ]);
        const scored = await this.scoreCues(cues, classifier);
        const cuesByClip = groupBy(scored, (c) => c.clipId);
        const scenesByClip = groupBy(scenes, (s) => s.clipId);
        const clips: ClipEmotion[] = resolved.clips.map((clip) => {
          const clipCues = cuesByClip.get(clip.id) ?? [];
          const clipScenes = scenesByClip.get(clip.id) ?? [];
          return {
            clipId: clip.id,
            title: clip.title,
            duration: clip.duration,
            cueCount: clipCues.length,
            ...distribution(clipCues),
            scenes: sceneEmotions(clipScenes, clipCues),
            speakers: speakerEmotions(clipCues),
            arc: arc(clip, clipScenes, clipCues, resolution),
            peaks: peaks(clipCues, parameters.peaksPerEmotion, parameters.minPeakScore),
          };
        });
        return {
          method: classifier.provenance.method,
          model: classifier.provenance.model,
          storedCues: scored.filter((c) => c.source === "STORED").length,
          computedCues: scored.filter((c) => c.source === "COMPUTED").length,
          resolution,
          distribution: distribution(scored),
          clips,
          cues: scored,
          tables: emotionTables(clips, scored),
        };
      },
      options,
    );
  }

  /** Scores of the cues: stored rows of the classifier's model where there are some, the rest classified now. */
  async scoreCues(cues: CueData[], classifier: EmotionClassifier): Promise<ScoredCue[]> {
    const stored = new Map<string, EmotionScores>();
    for (let i = 0; i < cues.length; i += 500) {
      const rows = await this.deps.reads.cueEmotions(
        cues.slice(i, i + 500).map((c) => c.id),
        classifier.provenance.model,
      );
      for (const r of rows) {
        const s = parseScores(r.scores);
        if (s) stored.set(r.cueId, s);
      }
    }
    const missing = cues.filter((c) => !stored.has(c.id) && c.text.trim());
    const computed = new Map<string, EmotionScores>();
    for (let i = 0; i < missing.length; i += BATCH) {
      const batch = missing.slice(i, i + BATCH);
      const scores = await classifier.classify(batch.map((c) => c.text));
      batch.forEach((c, k) => computed.set(c.id, normalise(scores[k]!)));
    }
    const neutral = { anger: 0, disgust: 0, fear: 0, joy: 0, sadness: 0, surprise: 0, neutral: 1 };
    return cues.map((c) => ({
      cueId: c.id,
      clipId: c.clipId,
      sceneId: c.sceneId,
      startTime: c.startTime,
      endTime: c.endTime,
      text: c.text,
      speaker: c.speaker,
      scores: stored.get(c.id) ?? computed.get(c.id) ?? neutral,
      source: stored.has(c.id) ? "STORED" : "COMPUTED",
    }));
  }
}

function parseScores(text: string): EmotionScores | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (!EMOTIONS.every((e) => typeof v[e] === "number")) return undefined;
    return normalise(v as EmotionScores);
  } catch {
    return undefined;
  }
}

function normalise(s: EmotionScores): EmotionScores {
  const out = {} as EmotionScores;
  for (const e of EMOTIONS) out[e] = round(s[e] ?? 0);
  return out;
}

const emotionColumns = <T extends { scores: EmotionScores; dominant?: string | null }>(): Array<
  [string, (r: T) => string | number | null]
> => [
  ["dominant", (r) => r.dominant ?? dominant(r.scores)],
  ...EMOTIONS.map((e): [string, (r: T) => number] => [e, (r) => r.scores[e]]),
];

export function emotionTables(clips: ClipEmotion[], cues: ScoredCue[]): Table[] {
  const title = new Map(clips.map((c) => [c.clipId, c.title]));
  const clipCols = <T extends { clipId: string }>(): Array<[string, (r: T) => string]> => [
    ["clipId", (r) => r.clipId],
    ["clipTitle", (r) => title.get(r.clipId) ?? ""],
  ];
  return [
    table(
      "clips",
      [...clipCols<ClipEmotion>(), ["cueCount", (r) => r.cueCount], ...emotionColumns<ClipEmotion>()],
      clips,
    ),
    table(
      "arc",
      [
        ...clipCols<ArcPoint>(),
        ["sceneId", (r) => r.sceneId],
        ["startTime", (r) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["cueCount", (r) => r.cueCount],
        ...emotionColumns<ArcPoint>(),
      ],
      clips.flatMap((c) => c.arc),
    ),
    table(
      "scenes",
      [
        ...clipCols<SceneEmotion>(),
        ["sceneId", (r) => r.sceneId],
        ["startTime", (r) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["cueCount", (r) => r.cueCount],
        ...emotionColumns<SceneEmotion>(),
      ],
      clips.flatMap((c) => c.scenes),
    ),
    table(
      "speakers",
      [
        ...clipCols<SpeakerEmotion>(),
        ["speaker", (r) => r.speaker],
        ["cueCount", (r) => r.cueCount],
        ...emotionColumns<SpeakerEmotion>(),
      ],
      clips.flatMap((c) => c.speakers),
    ),
    table(
      "peaks",
      [
        ...clipCols<EmotionPeak>(),
        ["emotion", (r) => r.emotion],
        ["score", (r) => r.score],
        ["cueId", (r) => r.cueId],
        ["sceneId", (r) => r.sceneId],
        ["startTime", (r) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["speaker", (r) => r.speaker],
        ["text", (r) => r.text],
      ],
      clips.flatMap((c) => c.peaks),
    ),
    table(
      "cues",
      [
        ...clipCols<ScoredCue>(),
        ["cueId", (r) => r.cueId],
        ["sceneId", (r) => r.sceneId],
        ["startTime", (r) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["speaker", (r) => r.speaker],
        ["text", (r) => r.text],
        ["source", (r) => r.source],
        ...emotionColumns<ScoredCue>(),
      ],
      cues,
    ),
  ];
}
