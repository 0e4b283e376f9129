// `ask` quotes the line that answers (issue 14): asked where someone was, the evidence is the reply that
// names the place, not the line of the film that asks the question again. Real schema in-process
// (`runQuery`), real database and index, the app's default models (word vectors, extractive generator).
import { rm } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { runQuery } from "../../../src/cli/query.command.js";
import { seedClip } from "../search/seed.js";
import { tempDataDir, testConfig } from "../graphql/helpers/seed.js";
import { randomUUID } from "node:crypto";

let dir: string;
let app: App;

beforeAll(async () => {
  dir = await tempDataDir("cinerag-ask-quote-");
  app = await createApp(testConfig(dir));
  const clip = await seedClip(app.prisma, {
    title: "Harbour",
    texts: ["Where were you last night?", "The storm broke the mast of the old boat."],
  });
  // the reply, in the question's scene, after it
  const question = await app.prisma.cue.findFirstOrThrow({ where: { sceneId: clip.sceneIds[0]! } });
  await app.prisma.cue.create({
    data: {
      id: randomUUID(),
      clipId: clip.clipId,
      trackId: question.trackId,
      sceneId: clip.sceneIds[0]!,
      index: 10,
      startTime: 8,
      endTime: 11,
      rawText: "At the harbour, waiting for the ship.",
      text: "At the harbour, waiting for the ship.",
    },
  });
  await app.search.outbox.drain();
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

it("cites the reply that names the place, not the film's own line asking the question", async () => {
  const r = (await runQuery(app, `{ ask(question: "Where were you last night?") { text citations { quote } } }`)) as {
    data?: { ask: { text: string; citations: Array<{ quote: string | null }> } };
    errors?: unknown[];
  };
  expect(r.errors).toBeUndefined();
  expect(r.data!.ask.text).toContain("At the harbour");
  expect(r.data!.ask.citations.map((c) => c.quote)).toEqual(["At the harbour, waiting for the ship."]);
});
