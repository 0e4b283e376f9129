// Style of a scope, per clip and comparable across clips: shot lengths, cutting rate over time, transition
// mix, visual statistics over time and palette, black-and-white detection, dialogue pace, and visual look
// labels from CLIP zero-shot when the model can be had (otherwise omitted, with the reason).
import type { ImageTextEmbedder } from "../../models/model-ports.js";
import { unavailableReason, type AnalysisModels } from "../analysis-models.js";
import type { AnalysisRun, AnalysisStore, ModelUse, RunOptions } from "../results/analysis-store.js";
import {
  groupBy,
  firstPerClip,
  loadCues,
  loadKeyframes,
  loadShots,
  resolveScope,
  type AnalysisScope,
  type AnalysisReads,
} from "../scope.js";
import { table, type Table } from "../tables.js";
import { AppError } from "../../errors/app-error.js";
import { lookLabels, type LookLabels } from "./look-labels.js";
import type { ClipStyle, StyleResult } from "./style.types.js";
import {
  TRANSITION_KINDS,
  cuttingRate,
  dialogueStats,
  shotLengthStats,
  transitionMix,
  visualStats,
  type DialogueStats,
  type RatePoint,
  type ShotLengthStats,
  type VisualStats,
} from "./style-metrics.js";

export interface StyleParams {
  /** seconds per bin of the series over time (default 60: per minute) */
  binSeconds?: number;
  /** compute look labels (default true) */
  looks?: boolean;
}

export type { ClipStyle, StyleResult };

export class StyleService {
  constructor(
    private readonly deps: {
      reads: AnalysisReads;
      models: Pick<AnalysisModels, "imageText">;
      store: AnalysisStore;
      dataDir: string;
    },
  ) {}

  async analyse(
    scope: AnalysisScope,
    params: StyleParams = {},
    options: RunOptions = {},
  ): Promise<AnalysisRun<StyleResult>> {
    const binSeconds = params.binSeconds ?? 60;
    if (!(binSeconds >= 1 && binSeconds <= 3600)) throw new AppError("BAD_INPUT", "binSeconds must be from 1 to 3600");
    const looks = params.looks ?? true;
    const resolved = await resolveScope(this.deps.reads, scope);
    let embedder: ImageTextEmbedder | undefined;
    let unavailable: string | null = looks ? null : "look labels not requested";
    if (looks) {
      try {
        embedder = await this.deps.models.imageText();
      } catch (error) {
        unavailable = unavailableReason(error);
      }
    }
    const models: ModelUse[] = [
      embedder ? { task: "clip", ...embedder.provenance } : { task: "clip", method: "unavailable", model: "none" },
    ];
    return this.deps.store.run(
      "STYLE",
      resolved,
      { binSeconds, looks },
      models,
      async () => {
        const [shots, keyframes, cues] = await Promise.all([
          loadShots(this.deps.reads, resolved.clipIds),
          loadKeyframes(this.deps.reads, resolved.clipIds),
          // dialogue pace is the speech's: one track per clip (its first chosen one), or a translation counts twice
          loadCues(this.deps.reads, [...firstPerClip(resolved.tracks).values()]),
        ]);
        const shotsBy = groupBy(shots, (s) => s.clipId);
        const kfBy = groupBy(keyframes, (k) => k.clipId);
        const cuesBy = groupBy(cues, (c) => c.clipId);
        const clips: ClipStyle[] = [];
        for (const clip of resolved.clips) {
          const clipShots = shotsBy.get(clip.id) ?? [];
          const clipKf = kfBy.get(clip.id) ?? [];
          let look: LookLabels;
          if (!embedder) look = { available: false, reason: unavailable, model: null, keyframes: 0, labels: [] };
          else {
            try {
              look = await lookLabels(embedder, clipKf, { reads: this.deps.reads, dataDir: this.deps.dataDir });
            } catch (error) {
              look = {
                available: false,
                reason: unavailableReason(error),
                model: embedder.provenance.model,
                keyframes: 0,
                labels: [],
              };
            }
          }
          clips.push({
            clipId: clip.id,
            title: clip.title,
            duration: clip.duration,
            shots: shotLengthStats(clipShots),
            cuttingRate: cuttingRate(clipShots, clip.duration, binSeconds),
            transitions: transitionMix(clipShots),
            visual: visualStats(clipKf, clip.duration, binSeconds),
            dialogue: dialogueStats(cuesBy.get(clip.id) ?? [], clip.duration, clip.language ?? null, binSeconds),
            look,
          });
        }
        return { binSeconds, clips, tables: styleTables(clips) };
      },
      options,
    );
  }
}

export function styleTables(clips: ClipStyle[]): Table[] {
  type Row<T> = T & { clipId: string; clipTitle: string };
  const per = <T>(f: (c: ClipStyle) => T[]): Array<Row<T>> =>
    clips.flatMap((c) => f(c).map((x) => ({ ...x, clipId: c.clipId, clipTitle: c.title })));
  const id: Array<[string, (r: { clipId: string; clipTitle: string }) => string]> = [
    ["clipId", (r) => r.clipId],
    ["clipTitle", (r) => r.clipTitle],
  ];
  return [
    table(
      "comparison",
      [
        ["clipId", (c: ClipStyle) => c.clipId],
        ["clipTitle", (c) => c.title],
        ["duration", (c) => c.duration],
        ["shots", (c) => c.shots.count],
        ["averageShotLength", (c) => c.shots.averageLength],
        ["medianShotLength", (c) => c.shots.medianLength],
        [
          "cutsPerMinute",
          (c) => (c.duration > 0 ? Math.round(((c.shots.count - 1) * 60 * 1000) / c.duration) / 1000 : 0),
        ],
        ...TRANSITION_KINDS.map((kind): [string, (c: ClipStyle) => number] => [
          `share${kind[0]}${kind.slice(1).toLowerCase()}`,
          (c) => c.transitions.find((t) => t.kind === kind)?.share ?? 0,
        ]),
        ["brightness", (c) => c.visual.brightness],
        ["contrast", (c) => c.visual.contrast],
        ["saturation", (c) => c.visual.saturation],
        ["colourfulness", (c) => c.visual.colourfulness],
        ["blackAndWhite", (c) => c.visual.blackAndWhite],
        ["palette", (c) => c.visual.palette.map((p) => p.hex).join(" ")],
        ["wordsPerMinute", (c) => c.dialogue.wordsPerMinute],
        ["speechShare", (c) => c.dialogue.speechShare],
        ["meanSentenceLength", (c) => c.dialogue.meanSentenceLength],
        ["questionShare", (c) => c.dialogue.questionShare],
        ["exclamationShare", (c) => c.dialogue.exclamationShare],
        ["typeTokenRatio", (c) => c.dialogue.typeTokenRatio],
        ["mattr", (c) => c.dialogue.mattr],
        ["topLook", (c) => c.look.labels[0]?.label ?? null],
        ["topLookConfidence", (c) => c.look.labels[0]?.confidence ?? null],
      ],
      clips,
    ),
    table(
      "shotLengths",
      [
        ...id,
        ["minLength", (r: Row<ShotLengthStats["histogram"][number]>) => r.minLength],
        ["maxLength", (r) => r.maxLength],
        ["count", (r) => r.count],
        ["share", (r) => r.share],
      ],
      per((c) => c.shots.histogram),
    ),
    table(
      "cuttingRate",
      [
        ...id,
        ["startTime", (r: Row<RatePoint>) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["cuts", (r) => r.cuts],
        ["cutsPerMinute", (r) => r.cutsPerMinute],
      ],
      per((c) => c.cuttingRate),
    ),
    table(
      "transitions",
      [
        ...id,
        ["kind", (r: Row<{ kind: string; count: number; share: number }>) => r.kind],
        ["count", (r) => r.count],
        ["share", (r) => r.share],
      ],
      per((c) => c.transitions),
    ),
    table(
      "visual",
      [
        ...id,
        ["time", (r: Row<VisualStats["series"][number]>) => r.time],
        ["brightness", (r) => r.brightness],
        ["contrast", (r) => r.contrast],
        ["saturation", (r) => r.saturation],
        ["colourfulness", (r) => r.colourfulness],
        ["dominantColour", (r) => r.dominantColour],
        ["monochrome", (r) => r.monochrome],
      ],
      per((c) => c.visual.series),
    ),
    table(
      "visualBins",
      [
        ...id,
        ["startTime", (r: Row<VisualStats["bins"][number]>) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["keyframes", (r) => r.keyframes],
        ["brightness", (r) => r.brightness],
        ["contrast", (r) => r.contrast],
        ["saturation", (r) => r.saturation],
        ["colourfulness", (r) => r.colourfulness],
      ],
      per((c) => c.visual.bins),
    ),
    table(
      "dialogueBins",
      [
        ...id,
        ["startTime", (r: Row<DialogueStats["bins"][number]>) => r.startTime],
        ["endTime", (r) => r.endTime],
        ["words", (r) => r.words],
        ["wordsPerMinute", (r) => r.wordsPerMinute],
        ["speechShare", (r) => r.speechShare],
      ],
      per((c) => c.dialogue.bins),
    ),
    table(
      "looks",
      [
        ...id,
        ["label", (r: Row<{ label: string; confidence: number }>) => r.label],
        ["confidence", (r) => r.confidence],
      ],
      per((c) => c.look.labels),
    ),
  ];
}
