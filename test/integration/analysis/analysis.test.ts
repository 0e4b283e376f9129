// The analysis services over a real database and search index (rows written with Prisma, the outbox drained
// into the embedded index with the app's hashing embedder), with deterministic test doubles for the model
// ports (test/unit/analysis/doubles.ts): emotion and theme aggregation, stored results and their reuse,
// analysisCompleted, ask with the extractive generator and with a generator that invents citations.
import { AnalysisReadRepository } from "../../../src/store/analysis-read.repository.js";
import { AnalysisResultRepository } from "../../../src/store/analysis-result.repository.js";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { createAnalysisModule, type AnalysisModule } from "../../../src/analysis/analysis.module.js";
import { ANALYSIS_COMPLETED, type AnalysisCompletedPayload } from "../../../src/analysis/results/analysis-store.js";
import { NO_RELEVANT_SCENE } from "../../../src/analysis/rag/ask.service.js";
import { seedClip } from "../search/seed.js";
import { tempDataDir, testConfig } from "../graphql/helpers/seed.js";
import {
  KeywordEmotionClassifier,
  OneHotImageText,
  ScriptedGenerator,
  WordZeroShot,
  testModels,
} from "../../unit/analysis/doubles.js";
import { LOOK_PROMPTS } from "../../../src/analysis/style/look-labels.js";

let dir: string;
let app: App;
let clipId: string;
let otherClipId: string;
let sceneIds: string[];
const emotion = new KeywordEmotionClassifier();

const TEXTS = [
  "The ship leaves the harbour at dawn. I am furious with the captain.",
  "The ship sails into the storm. The sailors are scared of the waves.",
  "The captain steers the ship through the storm. Wow, the harbour lights!",
  "War came to the village. The soldiers burned the barn.",
  "The soldiers marched to war at night. I am so sad for the village.",
  "After the war the soldiers came home to the village. We are happy now.",
];

function module(
  opts: Parameters<typeof testModels>[0] = {},
  generator?: ScriptedGenerator,
  codeVersion = "test",
): AnalysisModule {
  return createAnalysisModule(app.config, {
    reads: new AnalysisReadRepository(app.prisma),
    results: new AnalysisResultRepository(app.prisma),
    pubsub: app.events,
    search: app.search,
    models: testModels({ emotion, ...opts }),
    generator,
    codeVersion,
  });
}

beforeAll(async () => {
  dir = await tempDataDir("cinerag-analysis-");
  app = await createApp(testConfig(dir));
  const a = await seedClip(app.prisma, { title: "Sea and war", texts: TEXTS });
  const b = await seedClip(app.prisma, { title: "Other", texts: ["A violin plays in an empty concert hall."] });
  clipId = a.clipId;
  otherClipId = b.clipId;
  sceneIds = a.sceneIds;
  // speakers for the per-speaker breakdown; a second cue in scene 0
  const cues = await app.prisma.cue.findMany({ where: { clipId }, orderBy: { startTime: "asc" } });
  await app.prisma.cue.update({ where: { id: cues[0]!.id }, data: { speaker: "ANN" } });
  await app.prisma.cue.create({
    data: {
      id: randomUUID(),
      clipId,
      trackId: cues[0]!.trackId,
      sceneId: sceneIds[0]!,
      index: 100,
      startTime: 10,
      endTime: 12,
      rawText: "Calm down.",
      text: "Calm down.",
      speaker: "BOB",
    },
  });
  // one stored emotion row for this classifier's model (as the ingest enrichment writes it): it is read, not recomputed
  await app.prisma.cueEmotion.create({
    data: {
      cueId: cues[1]!.id,
      clipId,
      model: emotion.provenance.model,
      method: "test",
      label: "joy",
      scores: JSON.stringify({ anger: 0, disgust: 0, fear: 0, joy: 1, sadness: 0, surprise: 0, neutral: 0 }),
    },
  });
  await app.search.outbox.drain();
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("emotion analysis", () => {
  it("scores cues (stored rows first), scenes, speakers, the arc and peaks", async () => {
    const run = await module().emotion.analyse({ clipIds: [clipId] }, { resolution: { kind: "BIN", seconds: 60 } });
    const r = run.result;
    expect(run.cached).toBe(false);
    expect(run.models).toEqual([{ task: "emotion", method: "test", model: "keyword-emotion-double" }]);
    expect(r.storedCues).toBe(1);
    expect(r.computedCues).toBe(6);
    const clip = r.clips[0]!;
    expect(clip.cueCount).toBe(7);
    // scene 1 (30–60 s): its cue's stored row says joy 1, although its text is "scared"
    expect(clip.scenes[1]!.scores.joy).toBe(1);
    expect(clip.scenes[0]!.scores.anger).toBe(0.4);
    expect(clip.speakers.map((s) => [s.speaker, s.dominant])).toEqual([
      ["ANN", "anger"],
      ["BOB", "neutral"],
    ]);
    // six scenes of 30 s = 180 s, per minute: 3 bins
    expect(clip.arc.map((p) => [p.startTime, p.endTime, p.cueCount])).toEqual([
      [0, 60, 3],
      [60, 120, 2],
      [120, 180, 2],
    ]);
    expect(clip.peaks.find((p) => p.emotion === "anger")).toMatchObject({
      score: 0.8,
      sceneId: sceneIds[0],
      text: TEXTS[0],
    });
    expect(clip.peaks.find((p) => p.emotion === "sadness")).toMatchObject({ sceneId: sceneIds[4] });
    const arcTable = r.tables.find((t) => t.name === "arc")!;
    expect(arcTable.columns.slice(0, 6)).toEqual([
      "clipId",
      "clipTitle",
      "sceneId",
      "startTime",
      "endTime",
      "cueCount",
    ]);
    expect(arcTable.rows).toHaveLength(3);
  });

  it("reuses a stored result for the same inputs, and computes anew for other parameters or code", async () => {
    const calls = emotion.calls;
    const again = await module().emotion.analyse({ clipIds: [clipId] }, { resolution: { kind: "BIN", seconds: 60 } });
    expect(again.cached).toBe(true);
    expect(emotion.calls).toBe(calls);
    const perScene = await module().emotion.analyse({ clipIds: [clipId] }, { resolution: { kind: "SCENE" } });
    expect(perScene.cached).toBe(false);
    expect(perScene.id).not.toBe(again.id);
    const newCode = await module({}, undefined, "test-2").emotion.analyse(
      { clipIds: [clipId] },
      { resolution: { kind: "BIN", seconds: 60 } },
    );
    expect(newCode.cached).toBe(false);
    expect(newCode.codeVersion).toBe("test-2");
    const row = await app.prisma.analysisResult.findUnique({ where: { id: newCode.id } });
    expect(row).toMatchObject({ kind: "EMOTION", codeVersion: "test-2" });
    expect(JSON.parse(row!.parameters)).toMatchObject({ resolution: { kind: "BIN", seconds: 60 } });
  });

  it("publishes fresh results on analysisCompleted", async () => {
    const events = app.events.subscribe(ANALYSIS_COMPLETED);
    const run = await module().emotion.analyse({ clipIds: [clipId] }, { peaksPerEmotion: 1 });
    const first = (await events.next()).value as AnalysisCompletedPayload;
    await events.return?.();
    expect(first).toMatchObject({ id: run.id, kind: "EMOTION", clipIds: [clipId] });
  });

  it("refuses unknown clips", async () => {
    await expect(module().emotion.analyse({ clipIds: ["nope"] })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("themes", () => {
  it("discovers the sea and the war with keywords and supporting scenes", async () => {
    const run = await module().themes.discover({ clipIds: [clipId] }, { maxThemes: 4 });
    const r = run.result;
    expect(r.k).toBe(2);
    const labels = r.themes.map((t) => t.keywords.map((k) => k.term).slice(0, 4));
    const sea = r.themes.find((t) => t.keywords.some((k) => k.term === "ship"))!;
    const war = r.themes.find((t) => t.keywords.some((k) => k.term === "war"))!;
    expect(sea, JSON.stringify(labels)).toBeDefined();
    expect(war, JSON.stringify(labels)).toBeDefined();
    expect(new Set(sea.evidence.map((e) => e.sceneId))).toEqual(new Set(sceneIds.slice(0, 3)));
    expect(new Set(war.evidence.map((e) => e.sceneId))).toEqual(new Set(sceneIds.slice(3)));
    // the extractive generator cannot name a theme: the label is the top keywords
    expect(sea.labelMethod).toBe("keywords");
    expect(sea.evidence[0]!.quote).toBeTruthy();
  });

  it("labels themes with a generator that can", async () => {
    const generator = new ScriptedGenerator((m) => (m[1]!.content.includes("war") ? "War and loss" : "Life at sea"));
    const r = (await module({}, generator).themes.discover({ clipIds: [clipId] }, { maxThemes: 3 })).result;
    expect(r.themes.map((t) => t.label).sort()).toEqual(["Life at sea", "War and loss"]);
    expect(r.labelModel).toBe("test:scripted-generator-double");
  });

  it("tests given themes with zero-shot + embeddings, and says when zero-shot is missing", async () => {
    const withZs = (
      await module({ zeroShot: new WordZeroShot() }).themes.test({ clipIds: [clipId] }, ["war", "ship", "love"])
    ).result;
    expect(withZs.method).toBe("zero-shot+embedding");
    const by = new Map(withZs.themes.map((t) => [t.theme, t]));
    expect(by.get("war")!.presence).toBe(0.5);
    expect(new Set(by.get("war")!.evidence.map((e) => e.sceneId))).toEqual(new Set(sceneIds.slice(3)));
    expect(by.get("love")!.evidence).toEqual([]);
    expect(by.get("love")!.strength).toBeLessThan(by.get("war")!.strength);
    const without = (await module().themes.test({ clipIds: [clipId] }, ["war"])).result;
    expect(without.method).toBe("embedding");
    expect(without.zeroShotUnavailable).toMatch(/zero-shot/);
  });
});

describe("style look labels", () => {
  it("labels the look with CLIP when it can be had, and omits it with the reason when not", async () => {
    await seedKeyframes();
    const clip = new OneHotImageText(LOOK_PROMPTS.noir!);
    const r = (await module({ imageText: clip }).style.analyse({ clipIds: [clipId] })).result;
    expect(r.clips[0]!.look).toMatchObject({ available: true, model: "one-hot-clip-double", keyframes: 2 });
    expect(r.clips[0]!.look.labels[0]).toMatchObject({ label: "noir" });
    expect(r.clips[0]!.look.labels[0]!.confidence).toBeGreaterThan(0.99);
    const none = (await module().style.analyse({ clipIds: [clipId] })).result;
    expect(none.clips[0]!.look).toMatchObject({ available: false, labels: [] });
    expect(none.clips[0]!.look.reason).toMatch(/clip/);
  });
});

async function seedKeyframes(): Promise<void> {
  for (const [i, s] of [0, 1].entries()) {
    const shotId = randomUUID();
    await app.prisma.shot.create({
      data: {
        id: shotId,
        clipId,
        sceneId: sceneIds[s]!,
        index: i,
        startTime: s * 30,
        endTime: s * 30 + 30,
        startFrame: 0,
        endFrame: 1,
        transition: i === 0 ? "START" : "CUT",
      },
    });
    await app.prisma.keyframe.create({
      data: {
        clipId,
        shotId,
        time: s * 30 + 1,
        path: `keyframes/${clipId}/${i}.jpg`,
        width: 16,
        height: 9,
        brightness: 0.3,
        contrast: 0.2,
        saturation: 0.01,
        colourfulness: 1,
        palette: "[]",
      },
    });
  }
}

describe("ask", () => {
  it("answers extractively with checked citations to retrieved scenes", async () => {
    const run = await module().ask.ask("Why is the captain furious at the harbour?", { clipIds: [clipId] });
    const r = run.result;
    expect(r.method).toBe("extractive");
    expect(r.noRelevantScene).toBe(false);
    expect(r.citations.length).toBeGreaterThan(0);
    expect(r.citations[0]).toMatchObject({ sceneId: sceneIds[0], quote: TEXTS[0] });
    expect(r.text).toContain(`"${TEXTS[0]}"`);
    expect(r.removedCitations).toEqual([]);
    // every citation is a retrieved scene
    for (const c of r.citations) expect(r.retrieved.map((x) => x.sceneId)).toContain(c.sceneId);
  });

  it("removes and reports citations of scenes that were not retrieved", async () => {
    const generator = new ScriptedGenerator(
      "The captain is furious [S1]. He sinks the ship on purpose [S9]. Everyone dies [S12].",
    );
    const r = (await module({}, generator).ask.ask("Why is the captain furious?", { clipIds: [clipId] })).result;
    expect(r.text).toBe("The captain is furious [S1].");
    expect(r.removedCitations.map((x) => x.marker)).toEqual(["S9", "S12"]);
    expect(r.rawText).toContain("[S9]");
    expect(r.citations.map((c) => c.marker)).toEqual([1]);
    // the context the generator saw: numbered scenes with timecodes, emotions and dialogue
    const user = generator.seen[0]![1]!.content;
    expect(user).toMatch(/^\[S1\] "Sea and war" scene 1, 00:00:00\.000–00:00:30\.000$/m);
    expect(user).toMatch(/^Emotion: neutral 0\.60, anger 0\.40$/m);
    expect(user).toMatch(/^00:00:01\.000 ANN: The ship leaves/m);
  });

  it("says so when no scene is relevant, and generates nothing", async () => {
    const generator = new ScriptedGenerator("made up [S1]");
    const r = (await module({}, generator).ask.ask("quantum chromodynamics lecture", { clipIds: [otherClipId] }))
      .result;
    expect(r).toMatchObject({ noRelevantScene: true, text: NO_RELEVANT_SCENE, citations: [], method: "none" });
    expect(generator.seen).toHaveLength(0);
  });

  it("drafts a Fountain scene grounded in the similar scenes, listing them", async () => {
    const r = (await module().ask.draftScene("soldiers return from war to the village", { clipIds: [clipId] })).result;
    expect(r.format).toBe("fountain");
    expect(r.sources.length).toBeGreaterThan(0);
    expect(r.sources.every((s) => sceneIds.slice(3).includes(s.sceneId))).toBe(true);
    expect(r.text).toMatch(/^EXT\. SOLDIERS RETURN FROM WAR TO THE VILLAGE - NIGHT$/m);
    expect(r.text).toMatch(/\[\[Sources: S1(, S\d)*\]\]/);
  });
});
