// Keyframes under the default data directory `./.cinerag`: a dot folder ABOVE the keyframe folder is the
// user's choice and must not make every URL 404, while dot files and symlinks out BELOW it stay refused.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedClip, type SeededClip } from "../../integration/graphql/helpers/seed.js";
import { startTestServer, type TestServer } from "./helpers.js";

let parent: string;
let t: TestServer;
let clip: SeededClip;

beforeAll(async () => {
  parent = await mkdtemp(path.join(tmpdir(), "cinerag-dotdir-"));
  const dir = path.join(parent, ".cinerag");
  await mkdir(dir);
  t = await startTestServer({}, { dir });
  clip = await seedClip(t.app.prisma, t.app.config, { title: "Dot", scenes: 1, jpegs: true });
});
afterAll(async () => {
  await t?.stop();
  await rm(parent, { recursive: true, force: true });
});

describe("keyframes under a data directory whose name begins with a dot", () => {
  it("serves the keyframe JPEG", async () => {
    const r = await t.gql(`{ keyframes(first: 1) { nodes { url } } }`);
    const url = (r.body as { data: { keyframes: { nodes: Array<{ url: string }> } } }).data.keyframes.nodes[0]!.url;
    expect(url).toContain("/keyframes/");
    const img = await fetch(url);
    expect(img.status).toBe(200);
    expect(img.headers.get("content-type")).toBe("image/jpeg");
    expect(
      Buffer.from(await img.arrayBuffer())
        .subarray(0, 2)
        .toString("hex"),
    ).toBe("ffd8");
  });

  it("still refuses dot files and symlinks out of the keyframe folder", async () => {
    const clipDir = path.join(t.app.config.dataDir, "keyframes", clip.clipId);
    await writeFile(path.join(clipDir, ".hidden.jpg"), "x");
    await writeFile(path.join(parent, "outside.jpg"), "secret");
    await symlink(path.join(parent, "outside.jpg"), path.join(clipDir, "link.jpg"));
    for (const p of [`${clip.clipId}/.hidden.jpg`, `${clip.clipId}/link.jpg`, `${clip.clipId}/%2e%2e%2foutside.jpg`]) {
      const res = await fetch(`${t.origin}/keyframes/${p}`);
      expect(res.status, p).toBe(404);
    }
  });
});
