// Every dialogue track counts in the analyses (issue 13, defect 4): a line only the second subtitle track has
// is found by search, and ask must find, quote and cite it too; emotion per clip reads every track. A scope
// can choose a language or tracks. Real schema executed in-process (`runQuery`, as `cinerag query` does),
// real database and embedded index, the app's own default models (hashing embedder, lexicon, extractive
// generator: no download).
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { runQuery } from "../../../src/cli/query.command.js";
import { toGlobalId } from "../../../src/services/global-id.js";
import { seedClip, type SeedClip } from "../search/seed.js";
import { tempDataDir, testConfig } from "../graphql/helpers/seed.js";

interface Result<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}
const q = <T>(doc: string, variables?: Record<string, unknown>) => runQuery(app, doc, variables) as Promise<Result<T>>;

interface AskData {
  ask: {
    noRelevantScene: boolean;
    text: string;
    citations: Array<{ quote: string | null; scene: { id: string } | null }>;
  };
}
interface EmotionData {
  emotionAnalysis: { clips: Array<{ cueCount: number }>; run: { cached: boolean } };
}

let dir: string;
let app: App;
let clip: SeedClip;
let frTrackId: string;

const ENGLISH = [
  "The ship leaves the harbour at dawn.",
  "The captain steers through the storm.",
  "The sailors sing on the deck at night.",
];
// the second track is not a translation of the first: its lines are the only place these words occur
const FRENCH = ["Le gardien du phare compte les mouettes.", "Je suis furieux contre le capitaine !"];

const ASK = `query($question: String!, $scope: AnalysisScopeInput) {
  ask(question: $question, scope: $scope) { noRelevantScene text citations { quote scene { id } } }
}`;
const EMOTION = `query($scope: AnalysisScopeInput) {
  emotionAnalysis(scope: $scope) { clips { cueCount } run { cached } }
}`;

beforeAll(async () => {
  dir = await tempDataDir("cinerag-tracks-");
  app = await createApp(testConfig(dir));
  clip = await seedClip(app.prisma, { title: "Two tracks", texts: ENGLISH, outbox: false });
  frTrackId = randomUUID();
  await app.prisma.subtitleTrack.create({
    data: { id: frTrackId, clipId: clip.clipId, index: 2, source: "SIDECAR", codec: "subrip", language: "fr-CA" },
  });
  await app.prisma.cue.createMany({
    data: FRENCH.map((text, i) => ({
      id: randomUUID(),
      clipId: clip.clipId,
      trackId: frTrackId,
      sceneId: clip.sceneIds[i + 1]!,
      index: i,
      startTime: (i + 1) * 30 + 10,
      endTime: (i + 1) * 30 + 14,
      rawText: text,
      text,
    })),
  });
  await app.prisma.searchOutbox.createMany({
    data: clip.sceneIds.map((sceneId) => ({ op: "UPSERT", sceneId, clipId: clip.clipId })),
  });
  await app.search.outbox.drain();
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

const scope = (extra: Record<string, unknown> = {}) => ({ clipIds: [toGlobalId("Clip", clip.clipId)], ...extra });

describe("every dialogue track counts", () => {
  it("search finds the second track's line (the premise of the defect)", async () => {
    const hits = await app.search.search.searchScenes("gardien du phare mouettes", {
      filter: { clipIds: [clip.clipId] },
    });
    expect(hits[0]?.sceneId).toBe(clip.sceneIds[1]);
  });

  it("ask scoped to the clip quotes and cites the line only the second track has", async () => {
    const r = await q<AskData>(ASK, {
      question: "Pourquoi le gardien du phare compte-t-il les mouettes ?",
      scope: scope(),
    });
    expect(r.errors).toBeUndefined();
    expect(r.data!.ask.noRelevantScene).toBe(false);
    const cited = r.data!.ask.citations.find((c) => c.quote === FRENCH[0]);
    expect(cited?.scene?.id).toBe(toGlobalId("Scene", clip.sceneIds[1]!));
  });

  it("a language choice reads only that language: the French line is not there in English", async () => {
    const en = await q<AskData>(ASK, { question: "gardien du phare mouettes", scope: scope({ language: "en" }) });
    expect(en.errors).toBeUndefined();
    expect(en.data!.ask.noRelevantScene).toBe(true);
    // "fr" is a prefix of the track's "fr-CA"
    const fr = await q<AskData>(ASK, { question: "gardien du phare mouettes", scope: scope({ language: "fr" }) });
    expect(fr.data!.ask.citations.map((c) => c.quote)).toContain(FRENCH[0]);
  });

  it("emotion per clip reads every track, or the chosen ones", async () => {
    const all = await q<EmotionData>(EMOTION, { scope: scope() });
    expect(all.errors).toBeUndefined();
    expect(all.data!.emotionAnalysis.clips[0]!.cueCount).toBe(ENGLISH.length + FRENCH.length);
    const fr = await q<EmotionData>(EMOTION, { scope: scope({ trackIds: [toGlobalId("SubtitleTrack", frTrackId)] }) });
    expect(fr.errors).toBeUndefined();
    expect(fr.data!.emotionAnalysis.clips[0]!.cueCount).toBe(FRENCH.length);
    // a choice is part of the stored result's key: not the every-track result read back
    expect(fr.data!.emotionAnalysis.run.cached).toBe(false);
    const again = await q<EmotionData>(EMOTION, { scope: scope() });
    expect(again.data!.emotionAnalysis.run.cached).toBe(true);
    expect(again.data!.emotionAnalysis.clips[0]!.cueCount).toBe(ENGLISH.length + FRENCH.length);
  });

  it("a choice that takes no track, an unknown track or a malformed tag is a clear error", async () => {
    const none = await q<EmotionData>(EMOTION, { scope: scope({ language: "ja" }) });
    expect(none.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(none.errors?.[0]?.message).toMatch(/no dialogue track in language "ja"/);
    const unknown = await q<EmotionData>(EMOTION, {
      scope: scope({ trackIds: [toGlobalId("SubtitleTrack", randomUUID())] }),
    });
    expect(unknown.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const bad = await q<EmotionData>(EMOTION, { scope: scope({ language: "en; DROP TABLE" }) });
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(bad.errors?.[0]?.message).toMatch(/BCP 47/);
    const wrongType = await q<EmotionData>(EMOTION, { scope: scope({ trackIds: [toGlobalId("Clip", clip.clipId)] }) });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
