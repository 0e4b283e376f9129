// Issue #15 item 1: subtitle files read on behalf of an API request stay inside the media roots. Through
// the real server: ingestClip on a clip whose sidecar is a symlink to a secret outside the root, a FIFO
// sidecar, and explicit subtitlePaths that are a FIFO or a symlink loop.
import { execFileSync } from "node:child_process";
import { rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClip, tempDir } from "../../fixtures/media.js";
import { startTestServer, type TestServer } from "./helpers.js";

let t: TestServer;
let media: string;
let outside: string;
let clipFile: string;

const SECRET = "1\n00:00:00,500 --> 00:00:01,500\nTOP SECRET LINE\n";
interface TrackRow {
  source: string;
  language: string | null;
  skipped: boolean;
  warnings: string[];
  cues: { nodes: Array<{ text: string }> };
}
interface Reply {
  errors?: Array<{ message: string; extensions: { code: string } }>;
  data: { clips: { nodes: Array<{ status: string; tracks: { nodes: TrackRow[] } }> } } | null;
}

const INGEST = `mutation($input: IngestClipInput!) { ingestClip(input: $input) { id status } }`;

beforeAll(async () => {
  media = await tempDir("cinerag-confine-media-");
  outside = await tempDir("cinerag-confine-outside-");
  clipFile = await generateClip(media, {
    name: "clip",
    fps: 10,
    shots: [{ duration: 3, colour: "0x1c7c2c", accent: "0xe020c0", angle: "top" }],
  });
  await writeFile(path.join(outside, "secret.srt"), SECRET);
  await writeFile(path.join(outside, "passwd"), "root:x:0:0:root:/root:/bin/bash\n");
  await symlink(path.join(outside, "secret.srt"), path.join(media, "clip.en.srt"));
  await symlink(path.join(outside, "passwd"), path.join(media, "clip.de.srt"));
  execFileSync("mkfifo", [path.join(media, "clip.fr.srt")]);
  execFileSync("mkfifo", [path.join(media, "given.srt")]);
  await symlink(path.join(media, "loop-b.srt"), path.join(media, "loop-a.srt"));
  await symlink(path.join(media, "loop-a.srt"), path.join(media, "loop-b.srt"));
  t = await startTestServer({ CINERAG_MEDIA_ROOTS: media, CINERAG_ENRICH: "none" });
});
afterAll(async () => {
  await t?.stop();
  await rm(media, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("subtitles read for ingestClip", () => {
  it("never reads a sidecar that links outside the roots, nor a FIFO; the clip still ingests", async () => {
    const started = (await t.gql(INGEST, { input: { path: clipFile } })).body as Reply;
    expect(started.errors).toBeUndefined();
    await t.app.jobs.idle();
    const r = (
      await t.gql(
        `{ clips { nodes { status tracks { nodes { source language skipped warnings cues { nodes { text } } } } } } }`,
      )
    ).body as Reply;
    expect(r.errors).toBeUndefined();
    const clip = r.data?.clips.nodes[0];
    expect(clip?.status).toBe("READY");
    const tracks = clip?.tracks.nodes ?? [];
    const all = JSON.stringify(tracks);
    expect(all).not.toContain("TOP SECRET");
    expect(all).not.toContain("root:x");
    // the sidecars' languages come from their names (clip.en.srt, clip.de.srt)
    const linked = tracks.filter((tr) => tr.source === "SIDECAR" && ["en", "de"].includes(tr.language ?? ""));
    expect(linked).toHaveLength(2);
    for (const tr of linked) {
      expect(tr.skipped).toBe(true);
      expect(tr.warnings.join(" ")).toMatch(/link that leads outside the media roots/);
      expect(tr.cues.nodes).toEqual([]);
    }
    // the FIFO is no subtitle file: not opened (which would block), not listed
    expect(tracks.some((tr) => tr.language === "fr")).toBe(false);
  });

  it.each([
    ["a FIFO", "given.srt", /not a regular file \(a FIFO, socket or device\)/],
    ["a symlink loop", "loop-a.srt", /symbolic link loop/],
  ])("refuses an explicit subtitle path that is %s, with a one-line reason", async (_name, file, message) => {
    const r = (await t.gql(INGEST, { input: { path: clipFile, subtitlePaths: [path.join(media, file)] } }))
      .body as Reply;
    expect(r.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.message).toMatch(message);
    expect(r.errors?.[0]?.message).not.toContain("\n");
  });
});
