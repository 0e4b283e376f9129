// API key roles over HTTP and WebSocket: readers query and subscribe, editors also mutate; no/unknown key refused.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyframeUrls } from "../../../src/services/keyframe-url.js";
import { toGlobalId } from "../../../src/services/global-id.js";
import { seedClip, type SeededClip } from "../../integration/graphql/helpers/seed.js";
import { startTestServer, wsCollect, type GqlError, type TestServer } from "./helpers.js";

const READER = "reader-key-0001";
const EDITOR = "editor-key-0001";
let t: TestServer;
let clip: SeededClip;

beforeAll(async () => {
  t = await startTestServer({ CINERAG_API_KEYS: `reader:${READER},editor:${EDITOR}` });
  clip = await seedClip(t.app.prisma, t.app.config, { title: "Keyed", scenes: 2, jpegs: true });
});
afterAll(async () => {
  await t?.stop();
});

const missingJob = toGlobalId("Job", "does-not-exist");

interface ClipCount {
  clips: { totalCount: number };
}
interface CancelData {
  cancelJob: { id: string };
}

describe("HTTP", () => {
  it("refuses requests without a key or with an unknown one", async () => {
    const none = await t.gql(`{ clips { totalCount } }`);
    expect(none.status).toBe(401);
    expect(none.body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
    const wrong = await t.gql(`{ clips { totalCount } }`, undefined, { authorization: "Bearer nope-nope-nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors![0]!.extensions!.code).toBe("UNAUTHENTICATED");
  });

  it("lets readers query (Bearer or x-api-key) but not mutate", async () => {
    const bearer = await t.gql(`{ clips { totalCount } }`, undefined, { authorization: `Bearer ${READER}` });
    expect(bearer.body).toEqual({ data: { clips: { totalCount: 1 } } });
    const header = await t.gql<ClipCount>(`{ clips { totalCount } }`, undefined, { "x-api-key": READER });
    expect(header.body.data!.clips.totalCount).toBe(1);
    const mutate = await t.gql<CancelData>(
      `mutation($id: ID!) { cancelJob(id: $id) { id } }`,
      { id: missingJob },
      { "x-api-key": READER },
    );
    expect(mutate.body.errors![0]!.extensions!.code).toBe("FORBIDDEN");
    expect(mutate.body.errors![0]!.message).toMatch(/editor/);
  });

  it("lets editors mutate", async () => {
    const r = await t.gql<CancelData>(
      `mutation($id: ID!) { cancelJob(id: $id) { id } }`,
      { id: missingJob },
      { authorization: `Bearer ${EDITOR}` },
    );
    expect(r.body.errors![0]!.extensions!.code).toBe("NOT_FOUND"); // past the role check
  });

  it("signs keyframe URLs; bare URLs need a key", async () => {
    const r = await t.gql<{ keyframes: { nodes: Array<{ url: string }> } }>(
      `{ keyframes(first: 1) { nodes { url } } }`,
      undefined,
      { "x-api-key": READER },
    );
    const url: string = r.body.data!.keyframes.nodes[0]!.url;
    expect(url).toMatch(/\?exp=\d+&sig=[\w-]+$/);
    expect((await fetch(url)).status).toBe(200);
    const bare = url.replace(/\?.*$/, "");
    expect((await fetch(bare)).status).toBe(401);
    expect((await fetch(bare, { headers: { "x-api-key": READER } })).status).toBe(200);
    expect((await fetch(url.replace(/sig=[\w-]+/, "sig=forged"))).status).toBe(401);
    expect(url).toContain(clip.clipId);
  });

  it("serves a reel for a key or a signed path only (the check the keyframe route makes)", async () => {
    const reels = path.join(t.app.config.dataDir, "reels");
    await mkdir(reels, { recursive: true });
    await writeFile(path.join(reels, "keyed-1.mp4"), Buffer.from("reel"));
    const bare = `${t.origin}/reels/keyed-1.mp4`;
    const none = await fetch(bare);
    expect(none.status).toBe(401);
    expect(await none.text()).toBe("an API key or a signed URL is required");
    expect((await fetch(bare, { headers: { "x-api-key": "not-a-key" } })).status).toBe(401);
    expect((await fetch(bare, { headers: { "x-api-key": READER } })).status).toBe(200);
    const signed = new KeyframeUrls([READER, EDITOR]).signPath("/reels/keyed-1.mp4");
    expect((await fetch(`${t.origin}${signed}`)).status).toBe(200);
    // signed for another reel: refused
    const other = new KeyframeUrls([READER, EDITOR]).signPath("/reels/other-1.mp4").replace(/^[^?]*/, "");
    expect((await fetch(`${bare}${other}`)).status).toBe(401);
  });
});

describe("WebSocket", () => {
  it("refuses operations without a key and connections with an unknown key", async () => {
    const anonymous = await wsCollect(t.ws(), `{ clips { totalCount } }`);
    expect((anonymous.error as GqlError[])[0]!.extensions!.code).toBe("UNAUTHENTICATED");
    const wrong = await wsCollect(t.ws({ apiKey: "nope-nope-nope" }), `{ clips { totalCount } }`);
    expect((wrong.error as { code?: number }).code).toBe(4403);
  });

  it("lets readers query and subscribe, not mutate", async () => {
    const reader = t.ws({ "x-api-key": READER });
    expect((await wsCollect(reader, `{ clips { totalCount } }`)).results).toEqual([
      { data: { clips: { totalCount: 1 } } },
    ]);
    const mutate = await wsCollect<CancelData>(reader, `mutation($id: ID!) { cancelJob(id: $id) { id } }`, {
      id: missingJob,
    });
    expect(mutate.results[0]!.errors![0]!.extensions!.code).toBe("FORBIDDEN");

    // a reader's subscription sees the clip an editor deletes
    const victim = await seedClip(t.app.prisma, t.app.config, { title: "Doomed", scenes: 1 });
    const baseline = t.app.events.subscriberCount(); // the server's own (search outbox wake-ups)
    const events: unknown[] = [];
    let resolveFirst: () => void;
    const first = new Promise<void>((r) => (resolveFirst = r));
    const unsubscribe = reader.subscribe(
      { query: `subscription { clipUpdated { change clipId clip { title } } }` },
      { next: (r) => (events.push(r), resolveFirst()), error: () => undefined, complete: () => undefined },
    );
    await waitFor(() => t.app.events.subscriberCount() > baseline);
    const editor = t.ws({ authorization: `Bearer ${EDITOR}` });
    const del = await wsCollect<{ deleteClip: { deletedClipId: string } }>(
      editor,
      `mutation($id: ID!) { deleteClip(id: $id) { deletedClipId } }`,
      {
        id: toGlobalId("Clip", victim.clipId),
      },
    );
    expect(del.results[0]!.data!.deleteClip.deletedClipId).toBe(toGlobalId("Clip", victim.clipId));
    await first;
    unsubscribe();
    expect(events[0]).toEqual({
      data: { clipUpdated: { change: "DELETED", clipId: toGlobalId("Clip", victim.clipId), clip: null } },
    });
  });
});

/** polls until `cond` holds (no deadline of its own: the test's timeout ends a wait that never succeeds) */
async function waitFor(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}
