// effectsBreakdown: a screenplay → per script scene the effects it calls for, as a VFX supervisor breaks
// a script down: category, the action that calls for it, an estimated complexity, and reference shots from
// the archive (found by CLIP text-to-image when the model is there, and by the captions and dialogue
// through scene search), plus a reference reel cut from those shots (./reel.ts).
// Detection: the catalog's words in action lines (./effects-catalog.ts); with a zero-shot model, action
// paragraphs without a keyword are classified too. Dialogue never calls for an effect by itself (people
// talk about fires that are not shown), so a dialogue-only scene gets none.
import type { EffectsReadRepository } from "../../store/effects-read.repository.js";
import type { AnalysisReads } from "../scope.js";
import type { AnalysisModels } from "../analysis-models.js";
import { unavailableReason } from "../analysis-models.js";
import type { SceneSearch } from "../rag/ask.service.js";
import { resolveScope, type AnalysisScope } from "../scope.js";
import { table } from "../tables.js";
import { CATALOG, EFFECT_CATEGORIES, SCALE_WORDS, matchedStems, type EffectCategory } from "./effects-catalog.js";
import { parseScreenplay, type ScriptScene } from "./screenplay.js";
import {
  EffectComplexity,
  EffectsBreakdown,
  ReferenceShot,
  SceneEffect,
  ScriptSceneEffects,
  type ReferenceReel,
} from "./effects.types.js";
import type { ReelMaker, ReelShot } from "./reel.js";

export interface EffectsOptions {
  /** reference shots per effect; default 2 */
  referencesPerEffect?: number;
  /** assemble the reference reel; default true */
  reel?: boolean;
}

export interface EffectsDeps {
  reads: AnalysisReads;
  effectsReads: EffectsReadRepository;
  search: SceneSearch;
  models: Pick<AnalysisModels, "zeroShot" | "imageText">;
  reels?: ReelMaker;
}

const ZERO_SHOT_MIN = 0.85;

export class EffectsService {
  constructor(private readonly deps: EffectsDeps) {}

  async breakdown(script: string, scope: AnalysisScope = {}, options: EffectsOptions = {}): Promise<EffectsBreakdown> {
    const parsed = parseScreenplay(script);
    const resolved = await resolveScope(this.deps.reads, scope);
    const models: string[] = ["keywords (cinerag effects catalog)"];
    const zeroShot = await this.zeroShotDetector(models);
    const clip = await this.clipFinder(resolved.clipIds, models);
    const titles = new Map(resolved.clips.map((c) => [c.id, c.title]));
    const scenes: ScriptSceneEffects[] = [];
    for (const scene of parsed.scenes) {
      const effects = await this.detect(scene, zeroShot);
      for (const effect of effects)
        effect.references = await this.references(
          effect,
          resolved.clipIds,
          titles,
          clip,
          options.referencesPerEffect ?? 2,
        );
      scenes.push(
        Object.assign(new ScriptSceneEffects(), {
          number: scene.number,
          heading: scene.heading,
          speakers: [...new Set(scene.dialogue.map((d) => d.speaker))],
          effects,
        }),
      );
    }
    const { reel, reelUnavailable } = await this.reel(scenes, options.reel ?? true);
    return Object.assign(new EffectsBreakdown(), {
      reading: parsed.reading,
      readingNote:
        parsed.reading === "SINGLE_SCENE"
          ? "no scene headings (INT./EXT.) were found: the whole script was read as one scene"
          : `${parsed.scenes.length} scenes, divided at the script's scene headings`,
      sceneCount: scenes.length,
      scenes,
      reel,
      reelUnavailable,
      method: zeroShot ? "zero-shot+keywords" : "keywords",
      models,
      tables: tablesOf(scenes),
    });
  }

  private async detect(scene: ScriptScene, zeroShot: ZeroShotDetector | undefined): Promise<SceneEffect[]> {
    const found = new Map<EffectCategory, SceneEffect>();
    const unmatched: string[] = [];
    for (const paragraph of scene.action) {
      let hit = false;
      for (const category of EFFECT_CATEGORIES) {
        const cues = matchedStems(CATALOG[category], paragraph);
        if (cues.length === 0) continue;
        hit = true;
        const existing = found.get(category);
        if (existing) existing.cues = [...new Set([...existing.cues, ...cues])];
        else found.set(category, effectOf(category, paragraph, cues, "keywords"));
      }
      if (!hit) unmatched.push(paragraph);
    }
    if (zeroShot && unmatched.length) {
      for (const [paragraph, category] of await zeroShot(unmatched))
        if (!found.has(category)) found.set(category, effectOf(category, paragraph, [], "zero-shot"));
    }
    return [...found.values()];
  }

  private async references(
    effect: SceneEffect,
    clipIds: string[],
    titles: Map<string, string>,
    clip: ClipFinder | undefined,
    wanted: number,
  ): Promise<ReferenceShot[]> {
    if (clipIds.length === 0 || wanted === 0) return [];
    const query = [...effect.cues, CATALOG[effect.category].query].join(" ");
    const out: ReferenceShot[] = clip ? await clip(query, wanted) : [];
    const hits = await this.deps.search.searchScenes(query, { mode: "KEYWORD", filter: { clipIds }, first: wanted });
    for (const hit of hits) {
      if (out.length >= wanted * 2 || out.some((r) => r.sceneId === hit.sceneId)) continue;
      out.push(await this.shotOf(hit.sceneId, hit.clipId, hit.score, query));
    }
    for (const r of out) r.clipTitle = titles.get(r.clipId) ?? r.clipId;
    return out.slice(0, wanted);
  }

  /** The scene's keyframe whose caption matched (captions), else its middle keyframe and the line (dialogue). */
  private async shotOf(sceneId: string, clipId: string, score: number, query: string): Promise<ReferenceShot> {
    const words = query.toLowerCase().split(/\s+/);
    const keyframes = await this.deps.effectsReads.keyframesOfScene(sceneId);
    const scene = await this.deps.effectsReads.scene(sceneId);
    const captioned = keyframes.find((k) =>
      k.captions.some((c) => words.some((w) => c.text.toLowerCase().includes(w))),
    );
    const k = captioned ?? keyframes[Math.floor(keyframes.length / 2)];
    const line = scene.text.split("\n").find((l) => words.some((w) => w.length > 2 && l.toLowerCase().includes(w)));
    return Object.assign(new ReferenceShot(), {
      clipId,
      clipTitle: clipId,
      sceneId,
      startTime: k?.shot.startTime ?? scene.startTime,
      endTime: k?.shot.endTime ?? scene.endTime,
      keyframePath: k?.path ?? null,
      matchedBy: captioned ? "captions" : "dialogue",
      evidence: captioned ? (captioned.captions[0]?.text ?? null) : (line ?? null),
      score,
    });
  }

  private async zeroShotDetector(models: string[]): Promise<ZeroShotDetector | undefined> {
    try {
      const classifier = await this.deps.models.zeroShot();
      models.push(`zero-shot: ${classifier.provenance.model}`);
      const labels = EFFECT_CATEGORIES.map((c) => CATALOG[c].label);
      return async (paragraphs) => {
        const results = await classifier.classify(paragraphs, labels, {
          multiLabel: true,
          hypothesisTemplate: "This scene needs a {} visual effect.",
        });
        return results.flatMap((r, i) =>
          r.labels
            .filter((l) => l.score >= ZERO_SHOT_MIN)
            .map((l) => [paragraphs[i]!, EFFECT_CATEGORIES[labels.indexOf(l.label)]!] as [string, EffectCategory]),
        );
      };
    } catch (error) {
      models.push(`zero-shot unavailable: ${unavailableReason(error)}`);
      return undefined;
    }
  }

  private async clipFinder(clipIds: string[], models: string[]): Promise<ClipFinder | undefined> {
    if (clipIds.length === 0) return undefined;
    try {
      const embedder = await this.deps.models.imageText();
      models.push(`CLIP: ${embedder.provenance.model}`);
      const rows = await this.deps.effectsReads.keyframeVectors(clipIds, embedder.provenance.model);
      return async (query, wanted) => {
        const [text] = await embedder.embedTexts([query]);
        const scored = rows
          .map((r) => ({ r, score: dot(text!, new Float32Array(new Uint8Array(r.vector).buffer)) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, wanted);
        return scored.map(({ r, score }) =>
          Object.assign(new ReferenceShot(), {
            clipId: r.clipId,
            clipTitle: r.clipId,
            sceneId: r.keyframe.shot.sceneId ?? "",
            startTime: r.keyframe.shot.startTime,
            endTime: r.keyframe.shot.endTime,
            keyframePath: r.keyframe.path,
            matchedBy: "CLIP text-to-image",
            evidence: null,
            score,
          }),
        );
      };
    } catch (error) {
      models.push(`CLIP unavailable: ${unavailableReason(error)}`);
      return undefined;
    }
  }

  private async reel(
    scenes: ScriptSceneEffects[],
    wanted: boolean,
  ): Promise<{ reel: ReferenceReel | null; reelUnavailable: string | null }> {
    if (!wanted) return { reel: null, reelUnavailable: "not asked for" };
    if (!this.deps.reels) return { reel: null, reelUnavailable: "no media tools in this context" };
    const shots: ReelShot[] = scenes.flatMap((s) =>
      s.effects.flatMap((e) =>
        e.references.map((r) => ({
          clipId: r.clipId,
          startTime: r.startTime,
          endTime: r.endTime,
          title: `Scene ${s.number}: ${e.label}`,
        })),
      ),
    );
    if (shots.length === 0) return { reel: null, reelUnavailable: "no reference shots were found in the archive" };
    return { reel: await this.deps.reels.make(shots), reelUnavailable: null };
  }
}

type ZeroShotDetector = (paragraphs: string[]) => Promise<Array<[string, EffectCategory]>>;
type ClipFinder = (query: string, wanted: number) => Promise<ReferenceShot[]>;

function effectOf(category: EffectCategory, paragraph: string, cues: string[], detectedBy: string): SceneEffect {
  const spec = CATALOG[category];
  const sentence =
    paragraph.split(/(?<=[.!?])\s+/).find((s) => cues.some((c) => s.toLowerCase().includes(c))) ?? paragraph;
  const score = spec.base + (SCALE_WORDS.test(paragraph) ? 1 : 0) + (cues.length >= 3 ? 1 : 0);
  return Object.assign(new SceneEffect(), {
    category,
    label: spec.label,
    description: sentence.length > 240 ? `${sentence.slice(0, 237)}...` : sentence,
    complexity: score >= 4 ? EffectComplexity.HIGH : score >= 3 ? EffectComplexity.MEDIUM : EffectComplexity.LOW,
    cues,
    detectedBy,
    references: [],
  });
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) s += a[i]! * b[i]!;
  return s;
}

interface EffectRow {
  scene: ScriptSceneEffects;
  effect: SceneEffect;
}

function tablesOf(scenes: ScriptSceneEffects[]) {
  const effects: EffectRow[] = scenes.flatMap((scene) => scene.effects.map((effect) => ({ scene, effect })));
  const refs = effects.flatMap((e) => e.effect.references.map((r) => ({ ...e, r })));
  return [
    table<EffectRow>(
      "effects",
      [
        ["scene", (x) => x.scene.number],
        ["heading", (x) => x.scene.heading],
        ["category", (x) => x.effect.category],
        ["label", (x) => x.effect.label],
        ["complexity", (x) => x.effect.complexity],
        ["description", (x) => x.effect.description],
        ["cues", (x) => x.effect.cues.join(" ")],
        ["detected_by", (x) => x.effect.detectedBy],
        ["references", (x) => x.effect.references.length],
      ],
      effects,
    ),
    table<EffectRow & { r: ReferenceShot }>(
      "references",
      [
        ["scene", (x) => x.scene.number],
        ["category", (x) => x.effect.category],
        ["clip_id", (x) => x.r.clipId],
        ["clip_title", (x) => x.r.clipTitle],
        ["start_time", (x) => x.r.startTime],
        ["end_time", (x) => x.r.endTime],
        ["keyframe", (x) => x.r.keyframePath],
        ["matched_by", (x) => x.r.matchedBy],
        ["evidence", (x) => x.r.evidence],
      ],
      refs,
    ),
  ];
}
