// ask + analysisCompleted + answerStream over the real server (HTTP and graphql-ws), with the default
// offline configuration: hashing embedder, extractive generator, lexicon emotions (no model, no network).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, wsCollect, type GqlBody, type TestServer } from "../graphql/helpers.js";
import { seedClip } from "../../integration/search/seed.js";
import { toGlobalId } from "../../../src/services/global-id.js";

let t: TestServer;
let clip: string;

beforeAll(async () => {
  t = await startTestServer({ CINERAG_OFFLINE: "1", CINERAG_ENRICH: "none", CINERAG_MODEL_EMBEDDING: "hashing" });
  const seeded = await seedClip(t.app.prisma, {
    title: "Harbour",
    texts: [
      "Where were you last night? Out by the harbour.",
      "The ship leaves at dawn. Then we sail without him.",
      "Is this the place? Nothing grows here now.",
    ],
  });
  clip = toGlobalId("Clip", seeded.clipId);
  await t.app.search.outbox.drain();
});
afterAll(async () => t?.stop());

// The shapes of the data the operations below ask for.
interface Run {
  id: string;
  kind: string;
  cached: boolean;
  codeVersion: string;
  clipIds: string[];
  models: Array<{ task: string; method: string; model: string }>;
}
interface AskData {
  ask: {
    text: string;
    method: string;
    model: string;
    noRelevantScene: boolean;
    citations: Array<{
      marker: number;
      quote: string | null;
      startTime: number;
      endTime: number;
      clip: { title: string };
    }>;
    run: Run;
  };
}
interface CompletedData {
  analysisCompleted: { kind: string; run: Run };
}
interface StreamData {
  answerStream: { type: string; token: string | null; answer: { citations: Array<{ quote: string | null }> } | null };
}
interface Scores {
  joy: number;
  sadness: number;
  neutral: number;
}
interface AnalysesData {
  searchScenes: Array<{ scene: { index: number }; matchedBy: string[] }>;
  emotionAnalysis: {
    method: string;
    resolution: string;
    scores: Scores;
    dominant: string | null;
    clips: Array<{ scores: Scores; dominant: string | null; arc: Array<{ cueCount: number }> }>;
  };
  styleAnalysis: { clips: Array<{ dialogue: { words: number; questions: number }; look: { available: boolean } }> };
  draftScene: { format: string; sources: Array<{ scene: { index: number } }> };
}
interface StoredData {
  analysisResults: Array<{ kind: string; result: { method: string } }>;
}

const ASK = `query($q: String!, $c: [ID!]) { ask(question: $q, scope: { clipIds: $c }) {
  text method model noRelevantScene
  citations { marker quote startTime endTime keyframeUrl scene { id index } clip { title } }
  removedCitations { marker reason }
  run { id kind cached models { task method model } codeVersion clipIds }
  tables { name columns rows }
} }`;

describe("ask over the server", () => {
  it("answers with citations and publishes analysisCompleted to a subscribed dashboard", async () => {
    const client = t.ws();
    const events: Array<GqlBody<CompletedData>> = [];
    const done = new Promise<void>((resolve) => {
      client.subscribe(
        {
          query: `subscription { analysisCompleted(kinds: [ASK]) { kind run { id kind cached clipIds models { task method } } } }`,
        },
        {
          next: (r) => (events.push(r as GqlBody<CompletedData>), resolve()),
          error: () => resolve(),
          complete: () => resolve(),
        },
      );
    });
    // the subscription is live once the server counts it (no deadline: the test's timeout ends a wait that never succeeds)
    while (t.app.events.subscriberCount("ANALYSIS_COMPLETED") === 0) await new Promise((r) => setTimeout(r, 20));
    const r = await t.gql<AskData>(ASK, { q: "When does the ship leave?", c: [clip] });
    expect(r.body.errors).toBeUndefined();
    const a = r.body.data!.ask;
    expect(a.method).toBe("extractive");
    expect(a.noRelevantScene).toBe(false);
    expect(a.citations[0]).toMatchObject({
      marker: 1,
      quote: "The ship leaves at dawn. Then we sail without him.",
      startTime: 31,
      endTime: 35,
      clip: { title: "Harbour" },
    });
    expect(a.text).toContain("[S1]");
    expect(a.run).toMatchObject({ kind: "ASK", cached: false, clipIds: [clip] });
    expect(a.run.models.map((m) => `${m.task}:${m.method}`)).toEqual([
      "embedding:hashing",
      "emotion:lexicon",
      "generation:extractive",
    ]);
    await done;
    expect(events[0]!.data!.analysisCompleted).toMatchObject({
      kind: "ASK",
      run: { id: a.run.id, cached: false, clipIds: [clip] },
    });
    // asked again: the stored answer, not published again
    const again = await t.gql<AskData>(ASK, { q: "When does the ship leave?", c: [clip] });
    expect(again.body.data!.ask.run).toMatchObject({ id: a.run.id, cached: true });
    expect(again.body.data!.ask.text).toBe(a.text);
  });

  it("streams an answer: tokens, then the checked answer", async () => {
    const { results, error } = await wsCollect<StreamData>(
      t.ws(),
      `subscription($q: String!) { answerStream(question: $q) { type token answer { text method citations { marker quote } } } }`,
      { q: "Who was out by the harbour last night?" },
    );
    expect(error).toBeUndefined();
    const events = results.map((r) => r.data!.answerStream);
    expect(events.length).toBeGreaterThan(2);
    expect(events.slice(0, -1).every((e) => e.type === "TOKEN" && typeof e.token === "string")).toBe(true);
    const last = events.at(-1)!;
    expect(last.type).toBe("ANSWER");
    expect(last.answer!.citations[0]!.quote).toBe("Where were you last night? Out by the harbour.");
    expect(
      events
        .slice(0, -1)
        .map((e) => e.token)
        .join(""),
    ).toContain("Out by the harbour");
  });

  it("serves searchScenes, the analyses and stored results", async () => {
    const r = await t.gql<AnalysesData>(
      `query($c: ID!) {
      searchScenes(query: "ship dawn", first: 2) { score matchedBy highlights scene { index } }
      emotionAnalysis(scope: { clipIds: [$c] }, resolution: MINUTE) { method resolution scores { joy sadness neutral } dominant clips { cueCount dominant scores { joy sadness neutral } arc { startTime cueCount dominant } } tables { name } }
      styleAnalysis(scope: { clipIds: [$c] }) { clips { dialogue { words questions } look { available reason } } }
      themeDiscovery(scope: { clipIds: [$c] }) { k themes { label } }
      draftScene(prompt: "a ship leaves at dawn", scope: { clipIds: [$c] }) { format text sources { marker scene { index } } }
    }`,
      { c: clip },
    );
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data!;
    expect(d.searchScenes[0]).toMatchObject({
      scene: { index: 1 },
      matchedBy: expect.arrayContaining(["KEYWORD"]) as unknown,
    });
    expect(d.emotionAnalysis).toMatchObject({ method: "lexicon", resolution: "60s" });
    const [clipEmotion] = d.emotionAnalysis.clips;
    const [clipStyle] = d.styleAnalysis.clips;
    expect(clipEmotion!.arc.map((p) => p.cueCount)).toEqual([2, 1]);
    // one clip in scope: the scope's distribution is that clip's
    expect(d.emotionAnalysis.scores).toEqual(clipEmotion!.scores);
    expect(d.emotionAnalysis.dominant).toBe(clipEmotion!.dominant);
    expect(clipStyle!.dialogue).toEqual({ words: 27, questions: 2 });
    expect(clipStyle!.look.available).toBe(false);
    expect(d.draftScene.format).toBe("fountain");
    expect(d.draftScene.sources[0]!.scene.index).toBe(1);
    // root fields run concurrently: the stored results are listed by a second request
    const stored = await t.gql<StoredData>(`{ analysisResults(kinds: [EMOTION]) { id kind result } }`);
    expect(stored.body.data!.analysisResults[0]!.kind).toBe("EMOTION");
    expect(stored.body.data!.analysisResults[0]!.result.method).toBe("lexicon");
  });

  it("maps a bad argument to BAD_USER_INPUT", async () => {
    const r = await t.gql<AskData>(`{ ask(question: "  ") { text } }`);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
