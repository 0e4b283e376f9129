// The schema executed in-process (as `cinerag query` does) over rows written with Prisma.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../../src/app.js";
import { runQuery } from "../../../src/cli/query.command.js";
import { toGlobalId } from "../../../src/services/global-id.js";
import { seedClip, tempDataDir, testConfig, type SeededClip } from "./helpers/seed.js";

let dir: string;
let app: App;
let ready: SeededClip;
let ingesting: SeededClip;

/** T: the shape of `data` the operation asks for (the test's assertions check it) */
type Result<T> = {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
};
const q = <T = unknown>(doc: string, variables?: Record<string, unknown>) =>
  runQuery(app, doc, variables) as Promise<Result<T>>;

type Count = { totalCount: number };
type Page<N> = { nodes: N[] };
interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
type SceneEdges = { edges: Array<{ cursor: string; node: { index: number } }>; pageInfo: PageInfo };

beforeAll(async () => {
  dir = await tempDataDir();
  app = await createApp(testConfig(dir));
  ready = await seedClip(app.prisma, app.config, {
    title: "Harbour",
    scenes: 5,
    shotsPerScene: 2,
    cuesPerScene: 3,
    jpegs: true,
  });
  ingesting = await seedClip(app.prisma, app.config, { title: "Unfinished", scenes: 1, status: "INGESTING" });
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("queries", () => {
  it("lists READY clips only by default, others on request", async () => {
    const r = await q<{ clips: Count & Page<{ title: string; status: string }>; all: Count }>(
      `{ clips { totalCount nodes { title status } } all: clips(filter: { status: [READY, INGESTING] }) { totalCount } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.clips).toEqual({ totalCount: 1, nodes: [{ title: "Harbour", status: "READY" }] });
    expect(r.data!.all.totalCount).toBe(2);
  });

  it("derived rows of clips that are not READY stay hidden", async () => {
    const r = await q<{ scenes: Count }>(`query($c: [ID!]) { scenes(filter: { clipIds: $c }) { totalCount } }`, {
      c: [toGlobalId("Clip", ingesting.clipId)],
    });
    expect(r.data!.scenes.totalCount).toBe(0);
  });

  it("resolves global IDs through node()", async () => {
    const id = toGlobalId("Clip", ready.clipId);
    expect(Buffer.from(id, "base64").toString()).toBe(`Clip:${ready.clipId}`);
    const r = await q<{ node: unknown; scene: unknown; missing: unknown }>(
      `query($id: ID!, $s: ID!) { node(id: $id) { __typename id ... on Clip { title } } scene: node(id: $s) { __typename ... on Scene { startTime endTime } } missing: node(id: "bm9wZTox") { id } }`,
      {
        id,
        s: toGlobalId("Scene", ready.sceneIds[1]!),
      },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.node).toEqual({ __typename: "Clip", id, title: "Harbour" });
    expect(r.data!.scene).toEqual({ __typename: "Scene", startTime: 10, endTime: 20 });
    expect(r.data!.missing).toBeNull();
  });

  it("pages with cursors both ways and counts the whole list", async () => {
    const first = await q<{ scenes: Count & SceneEdges }>(
      `{ scenes(first: 2) { totalCount edges { cursor node { index } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`,
    );
    const c = first.data!.scenes;
    expect(c.totalCount).toBe(5);
    expect(c.edges.map((e) => e.node.index)).toEqual([0, 1]);
    expect(c.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await q<{ scenes: SceneEdges }>(
      `query($a: String) { scenes(first: 2, after: $a) { edges { node { index } } pageInfo { hasNextPage hasPreviousPage startCursor } } }`,
      { a: c.pageInfo.endCursor },
    );
    expect(next.data!.scenes.edges.map((e) => e.node.index)).toEqual([2, 3]);
    expect(next.data!.scenes.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = await q<{ scenes: Page<{ index: number }> }>(
      `query($b: String) { scenes(last: 1, before: $b) { nodes { index } } }`,
      {
        b: next.data!.scenes.pageInfo.startCursor,
      },
    );
    expect(back.data!.scenes.nodes).toEqual([{ index: 1 }]);
  });

  it("filters by time range overlap, speaker, language and transition", async () => {
    const r = await q<{
      scenes: Page<{ startTime: number; endTime: number }>;
      cues: Count & Page<{ speaker: string | null; language: string }>;
      fr: Count;
      en: Count;
      shots: Count & Page<{ transition: string; transitionStart: number | null }>;
      keyframes: Count & Page<{ time: number }>;
    }>(`{
      scenes(filter: { startTime: 15, endTime: 25 }) { nodes { startTime endTime } }
      cues(first: 100, filter: { speaker: "BOB" }) { totalCount nodes { speaker language } }
      fr: cues(filter: { language: "fr" }) { totalCount }
      en: cues(filter: { language: "en-GB" }) { totalCount }
      shots(filter: { transitions: [DISSOLVE] }) { totalCount nodes { transition transitionStart } }
      keyframes(filter: { startTime: 0, endTime: 5 }) { totalCount nodes { time } }
    }`);
    expect(r.errors).toBeUndefined();
    expect(r.data!.scenes.nodes).toEqual([
      { startTime: 10, endTime: 20 },
      { startTime: 20, endTime: 30 },
    ]);
    expect(r.data!.cues.totalCount).toBe(5);
    expect(new Set(r.data!.cues.nodes.map((n) => `${n.speaker}/${n.language}`))).toEqual(new Set(["BOB/en"]));
    expect(r.data!.fr.totalCount).toBe(0);
    expect(r.data!.en.totalCount).toBe(15);
    expect(r.data!.shots.totalCount).toBe(4);
    expect(r.data!.keyframes.nodes).toEqual([{ time: 2.5 }]);
  });

  it("nests scenes, shots, keyframes (with URLs and palettes) and cues", async () => {
    const r = await q<{
      clips: Page<{
        tracks: Count & Page<{ language: string; codec: string; source: string }>;
        scenes: Page<{
          shots: Count &
            Page<{ transition: string; keyframe: { url: string; palette: Array<{ hex: string; share: number }> } }>;
          cues: Count & Page<{ text: string; rawText: string; scene: { index: number } }>;
          keyframes: Count;
        }>;
      }>;
    }>(`{ clips { nodes { tracks { totalCount nodes { language codec source } } scenes(first: 1) { nodes {
      shots { totalCount nodes { transition keyframe { url palette { hex share } brightness } } }
      cues(filter: { speaker: "ALICE" }) { totalCount nodes { text rawText scene { index } } }
      keyframes { totalCount }
    } } } } }`);
    expect(r.errors).toBeUndefined();
    const clip = r.data!.clips.nodes[0]!;
    expect(clip.tracks).toEqual({ totalCount: 1, nodes: [{ language: "en", codec: "subrip", source: "EMBEDDED" }] });
    const scene = clip.scenes.nodes[0]!;
    expect(scene.shots.totalCount).toBe(2);
    expect(scene.shots.nodes[0]!.keyframe.url).toBe(`/keyframes/${ready.clipId}/000000.jpg`);
    expect(scene.shots.nodes[0]!.keyframe.palette[0]).toEqual({ hex: "#c82828", share: 0.9 });
    expect(scene.cues).toEqual({
      totalCount: 2,
      nodes: [
        { text: "line 0.0", rawText: "<i>line 0.0</i>", scene: { index: 0 } },
        { text: "line 0.2", rawText: "<i>line 0.2</i>", scene: { index: 0 } },
      ],
    });
    expect(scene.keyframes.totalCount).toBe(2);
  });

  it("gives every error a code", async () => {
    const bad = await q(`{ clip(id: "not-an-id") { id } }`);
    expect(bad.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
    const big = await q(`{ scenes(first: 1000) { totalCount } }`);
    expect(big.errors![0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    const invalid = await q(`{ scenes { nope } }`);
    expect(invalid.errors![0]!.extensions!.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const range = await q(`{ cues(filter: { startTime: 5, endTime: 1 }) { totalCount } }`);
    expect(range.errors![0]!.extensions!.code).toBe("BAD_USER_INPUT");
  });

  it("refuses ingestClip without media roots and says how to configure them", async () => {
    const r = await q(`mutation { ingestClip(input: { path: "/tmp/x.mkv" }) { id } }`);
    expect(r.errors![0]!.extensions!.code).toBe("FORBIDDEN");
    expect(r.errors![0]!.message).toContain("CINERAG_MEDIA_ROOTS");
  });

  it("deleteClip removes the clip, its rows and keyframe files, and queues search deletes", async () => {
    const victim = await seedClip(app.prisma, app.config, { title: "Victim", scenes: 2, jpegs: true });
    await app.prisma.searchOutbox.createMany({
      data: victim.sceneIds.map((sceneId) => ({ op: "UPSERT", sceneId, clipId: victim.clipId })),
    });
    const folder = path.join(app.config.keyframeDir, victim.clipId);
    expect(existsSync(folder)).toBe(true);
    const r = await q<{ deleteClip: { deletedClipId: string; deletedScenes: number } }>(
      `mutation($id: ID!) { deleteClip(id: $id) { deletedClipId deletedScenes } }`,
      {
        id: toGlobalId("Clip", victim.clipId),
      },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.deleteClip).toEqual({ deletedClipId: toGlobalId("Clip", victim.clipId), deletedScenes: 2 });
    expect(existsSync(folder)).toBe(false);
    const where = { where: { clipId: victim.clipId } };
    const left = {
      scene: await app.prisma.scene.count(where),
      shot: await app.prisma.shot.count(where),
      keyframe: await app.prisma.keyframe.count(where),
      cue: await app.prisma.cue.count(where),
      subtitleTrack: await app.prisma.subtitleTrack.count(where),
    };
    for (const count of Object.values(left)) expect(count).toBe(0);
    const outbox = await app.prisma.searchOutbox.findMany({ where: { clipId: victim.clipId } });
    // per scene, the last row decides (the outbox worker's rule): DELETE after the pending UPSERT
    for (const sceneId of victim.sceneIds)
      expect(outbox.filter((o) => o.sceneId === sceneId).map((o) => o.op)).toEqual(["UPSERT", "DELETE"]);
    const again = await q(`mutation($id: ID!) { deleteClip(id: $id) { deletedClipId } }`, {
      id: toGlobalId("Clip", victim.clipId),
    });
    expect(again.errors![0]!.extensions!.code).toBe("NOT_FOUND");
  });
});
