// The `cinerag ingest` command end to end: the real binary, real ffmpeg, a real SQLite database.
import { existsSync } from "node:fs";
import { readFile, readdir, rm, stat, writeFile, copyFile, truncate } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import sharp from "sharp";
import { generateClip, tempDir, threeSceneSpec, toSrt } from "../../fixtures/media.js";
import { runCli } from "./cli-helpers.js";
import { clipCount, snapshot } from "./db-snapshot.js";

interface IngestJson {
  clip: { id: string; title: string; duration: number; alreadyIngested: boolean; contentHash: string };
  tracks: Array<{
    index: number;
    source: string;
    language: string | null;
    cueCount: number;
    skipped: boolean;
    encoding: string | null;
  }>;
  shots: Array<{ start: number; end: number; transition: string }>;
  cues: Array<{ track: number; language: string | null; start: number; end: number; text: string }>;
  keyframes: Array<{
    shot: number;
    time: number;
    path: string;
    brightness: number;
    palette: Array<{ hex: string; share: number }>;
  }>;
  scenes: Array<{ start: number; end: number; text: string }>;
}

const FRAME = 1 / 25;

// every temporary directory this file makes, removed at the end
const scratchDirs: string[] = [];
async function scratch(): Promise<string> {
  const d = await tempDir();
  scratchDirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of scratchDirs.splice(0)) await rm(d, { recursive: true, force: true });
});

let dir: string;
let clip: string;
let expected: ReturnType<typeof threeSceneSpec>;

beforeAll(async () => {
  dir = await scratch();
  expected = threeSceneSpec();
  clip = await generateClip(dir, expected.spec);
});

async function ingest(dataDir: string, ...args: string[]) {
  return runCli(["ingest", "--json", ...args], { CINERAG_DATA_DIR: dataDir });
}

function parseLines(stdout: string): IngestJson[] {
  return stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as IngestJson);
}

describe("cinerag ingest --json on a clip with known shots, dialogue and scenes", () => {
  let result: IngestJson;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = path.join(dir, "data-main");
    const run = await ingest(dataDir, "--title", "Three scenes", clip);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = parseLines(run.stdout);
    expect(lines).toHaveLength(1);
    result = lines[0]!;
  });

  it("describes the clip", () => {
    expect(result.clip.title).toBe("Three scenes");
    expect(Math.abs(result.clip.duration - 3 * 10.8)).toBeLessThan(0.05);
    expect(result.clip.alreadyIngested).toBe(false);
  });

  it("finds every cut within two frames", () => {
    const cuts = expected.spec.shots
      .slice(0, -1)
      .reduce<number[]>((acc, s) => [...acc, (acc.at(-1) ?? 0) + s.duration], []);
    const found = result.shots.filter((s) => s.transition === "CUT").map((s) => s.start);
    expect(found).toHaveLength(cuts.length);
    // Times are relative to the container's start; the video's first frame may come a little after it.
    const origin = result.shots[0]!.start;
    expect(origin).toBeLessThan(0.05);
    cuts.forEach((t, i) => expect(Math.abs(found[i]! - origin - t)).toBeLessThanOrEqual(2 * FRAME + 1e-6));
    expect(result.shots[0]!.transition).toBe("START");
  });

  it("reads the embedded English track, with times relative to the container start", () => {
    expect(result.tracks).toHaveLength(1);
    expect(result.tracks[0]).toMatchObject({
      source: "EMBEDDED",
      language: "en",
      cueCount: expected.cues.length,
      skipped: false,
    });
    result.cues.forEach((cue, i) => {
      expect(cue.text).toBe(expected.cues[i]!.text);
      expect(cue.start).toBeCloseTo(expected.cues[i]!.start, 1);
    });
  });

  it("writes one JPEG keyframe per shot, inside its shot, with visual statistics", async () => {
    expect(result.keyframes).toHaveLength(result.shots.length);
    for (const k of result.keyframes) {
      const shot = result.shots[k.shot]!;
      expect(k.time).toBeGreaterThanOrEqual(shot.start);
      expect(k.time).toBeLessThanOrEqual(shot.end);
      const meta = await sharp(path.join(dataDir, k.path)).metadata();
      expect(meta.format).toBe("jpeg");
      expect(meta.width).toBe(320);
      expect(k.palette).toHaveLength(5);
    }
    // The first location is red with a yellow box: its palette leads with red-ish and yellow-ish colours.
    const first = result.keyframes[0]!.palette.slice(0, 2).map((p) => p.hex);
    expect(first.some((hex) => parseInt(hex.slice(1, 3), 16) > 0x70 && parseInt(hex.slice(3, 5), 16) < 0x40)).toBe(
      true,
    );
  });

  it("groups the A/B exchanges into the three known scenes, with their dialogue", () => {
    expect(result.scenes).toHaveLength(expected.sceneStarts.length);
    result.scenes.forEach((scene, i) => expect(Math.abs(scene.start - expected.sceneStarts[i]!)).toBeLessThan(0.1));
    expect(result.scenes[0]!.start).toBe(0);
    expect(result.scenes.at(-1)!.end).toBeCloseTo(result.clip.duration, 2);
    expect(result.scenes[1]!.text).toContain("The ship leaves at dawn.");
    expect(result.scenes[1]!.text).not.toContain("harbour");
  });

  it("stores exactly that, READY, with no checkpoint left", () => {
    const db = snapshot(path.join(dataDir, "cinerag.db"));
    expect(db.clips).toEqual([{ contentHash: result.clip.contentHash, status: "READY", title: "Three scenes" }]);
    expect(db.shots).toHaveLength(result.shots.length);
    expect(db.cues).toHaveLength(result.cues.length);
    expect(db.keyframes).toHaveLength(result.keyframes.length);
    expect(db.scenes).toHaveLength(result.scenes.length);
    expect(db.checkpoints).toBe(0);
  });

  it("is idempotent by content: the same bytes under another name are the same clip", async () => {
    const copy = path.join(dir, "copy-of-clip.mkv");
    await copyFile(clip, copy);
    const before = snapshot(path.join(dataDir, "cinerag.db"));
    const run = await ingest(dataDir, copy);
    expect(run.code).toBe(0);
    const again = parseLines(run.stdout)[0]!;
    expect(again.clip.alreadyIngested).toBe(true);
    expect(again.clip.id).toBe(result.clip.id);
    expect(again.shots).toEqual(result.shots);
    expect(snapshot(path.join(dataDir, "cinerag.db"))).toEqual(before);
  });
});

describe("the same clip again with more to say", () => {
  it("attaches new --subtitles files once, takes a new --title, and refuses an unreadable file without change", async () => {
    const sub = await tempDir();
    const spec = threeSceneSpec("again").spec;
    spec.shots = spec.shots.slice(0, 4);
    const file = await generateClip(sub, spec);
    const dataDir = path.join(sub, "data");
    expect((await ingest(dataDir, file)).code).toBe(0);
    const fr = path.join(sub, "extra.fr.srt");
    await writeFile(fr, toSrt([{ start: 3.5, end: 4.5, text: "Où étais-tu hier soir ?" }]));
    const broken = path.join(sub, "broken.srt");
    await writeFile(broken, Buffer.from([0x00, 0xff, 0x13, 0x00, 0x01]));

    const before = snapshot(path.join(dataDir, "cinerag.db"));
    const refused = await ingest(dataDir, "--subtitles", broken, "--", file);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toMatch(/^cinerag: .*broken\.srt/);
    expect(snapshot(path.join(dataDir, "cinerag.db"))).toEqual(before);

    for (let i = 0; i < 2; i++) {
      const run = await ingest(dataDir, "--subtitles", fr, "--title", "Again, in French", "--", file);
      expect(run.code).toBe(0);
      const out = parseLines(run.stdout)[0]!;
      expect(out.clip).toMatchObject({ alreadyIngested: true, title: "Again, in French" });
      expect(out.tracks.map((t) => t.language)).toEqual(["en", "fr"]);
      expect(out.cues.filter((c) => c.language === "fr").map((c) => c.text)).toEqual(["Où étais-tu hier soir ?"]);
    }
    const after = snapshot(path.join(dataDir, "cinerag.db"));
    expect(after.clips).toHaveLength(1);
    // the French cue belongs to the scene it falls in
    expect(after.cues.find((c) => (c as { text: string }).text.startsWith("Où"))).toMatchObject({ scene: 0 });
  });
});

describe("sidecar subtitles and --subtitles", () => {
  it("finds clip.en.srt and a GB18030 clip.zh-Hans.srt next to the clip, and takes --subtitles files", async () => {
    const sub = await scratch();
    const spec = { ...threeSceneSpec("sidecars").spec, subtitles: [] };
    spec.shots = spec.shots.slice(0, 4);
    const file = await generateClip(sub, spec);
    await writeFile(path.join(sub, "sidecars.en.srt"), toSrt([{ start: 1, end: 2.5, text: "<i>Hello</i> there." }]));
    const iconv = (await import("iconv-lite")).default;
    await writeFile(
      path.join(sub, "sidecars.zh-Hans.srt"),
      iconv.encode(toSrt([{ start: 3, end: 4, text: "你好，我们明天出发。" }]), "gb18030"),
    );
    const extra = path.join(sub, "other-name.fr.vtt");
    await writeFile(extra, "WEBVTT\n\n00:05.000 --> 00:06.000\n<v Marie>Bonjour à tous.\n");
    const run = await ingest(path.join(sub, "data"), "--subtitles", extra, "--", file);
    expect(run.stderr).toBe("");
    const out = parseLines(run.stdout)[0]!;
    const byLang = Object.fromEntries(out.tracks.map((t) => [String(t.language), t] as const));
    expect(Object.keys(byLang).sort()).toEqual(["en", "fr", "zh-Hans"]);
    expect(byLang["zh-Hans"]!.encoding).toMatch(/gb/i);
    const texts = out.cues.map((c) => c.text);
    expect(texts).toEqual(expect.arrayContaining(["Hello there.", "你好，我们明天出发。", "Bonjour à tous."]));
    // Every track's dialogue is searchable, not only the main track's (here the French file given first).
    for (const words of ["Hello there", "我们明天", "Bonjour"]) {
      const found = await runCli(
        ["query", `{ searchScenes(query: ${JSON.stringify(words)}, mode: KEYWORD) { scene { index } highlights } }`],
        { CINERAG_DATA_DIR: path.join(sub, "data") },
      );
      expect(found.code).toBe(0);
      const hits = (JSON.parse(found.stdout) as { data: { searchScenes: Array<{ highlights: string[] }> } }).data
        .searchScenes;
      expect(hits.length, words).toBeGreaterThan(0);
      expect(hits[0]!.highlights.join(" "), words).toContain("<mark>");
    }
  });
});

describe("bad input: one line, non-zero, nothing written", () => {
  let bad: string;
  let dataDir: string;

  beforeAll(async () => {
    bad = await scratch();
    dataDir = path.join(bad, "data");
    // A database with one good clip in it, so "nothing written" is checked against real content.
    const small = await generateClip(bad, { name: "good", shots: threeSceneSpec().spec.shots.slice(0, 2) });
    const run = await ingest(dataDir, small);
    expect(run.code).toBe(0);
  });

  async function expectRefused(args: string[], pattern: RegExp) {
    const before = snapshot(path.join(dataDir, "cinerag.db"));
    const keyframesBefore = await readdir(path.join(dataDir, "keyframes"));
    const run = await ingest(dataDir, ...args);
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(path.join(dataDir, "cinerag.db"))).toEqual(before);
    expect(await readdir(path.join(dataDir, "keyframes"))).toEqual(keyframesBefore);
  }

  it("a missing path", () => expectRefused([path.join(bad, "nope.mkv")], /^cinerag: no such file: .*nope\.mkv$/));

  it("an empty file", async () => {
    const file = path.join(bad, "empty.mkv");
    await writeFile(file, "");
    await expectRefused([file], /^cinerag: .*empty\.mkv is empty$/);
  });

  it("a file that is not media", async () => {
    const file = path.join(bad, "notes.mkv");
    await writeFile(file, "These are my notes about the film, not a film.\n".repeat(50));
    await expectRefused([file], /^cinerag: not a media file that ffprobe can read: .*notes\.mkv/);
  });

  it("a directory", () => expectRefused([bad], /^cinerag: .* is a directory/));

  it("a truncated file", async () => {
    const whole = await generateClip(bad, { name: "whole", shots: threeSceneSpec().spec.shots.slice(0, 4) });
    const cut = path.join(bad, "truncated.mkv");
    await copyFile(whole, cut);
    await truncate(cut, Math.floor((await stat(cut)).size * 0.4));
    await expectRefused([cut], /^cinerag: .*truncated\.mkv looks truncated or corrupt/);
  });

  it("a file with no video stream", async () => {
    const audio = path.join(bad, "audio-only.m4a");
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { BINARIES } = await import("../../fixtures/media.js");
    await promisify(execFile)(BINARIES.ffmpeg, ["-v", "error", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac", audio]);
    await expectRefused([audio], /^cinerag: no video stream in .*audio-only\.m4a$/);
  });

  it("a name beginning with '-' is not taken for an option", async () => {
    await expectRefused(["-rf.mkv"], /^cinerag: unknown option '-rf\.mkv'$/);
    await expectRefused(["--", "-rf.mkv"], /^cinerag: no such file: -rf\.mkv$/);
  });

  it("an unreadable --subtitles file refuses the clip before anything is stored", async () => {
    const file = await generateClip(bad, { name: "with-bad-subs", shots: threeSceneSpec().spec.shots.slice(4, 6) });
    const subs = path.join(bad, "broken.srt");
    await writeFile(subs, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x00, 0x00, 0x01]));
    await expectRefused(["--subtitles", subs, "--", file], /^cinerag: .*broken\.srt/);
  });

  it("a media file whose name begins with '-' is ingested after --", async () => {
    const dashed = path.join(bad, "-dashed.mkv");
    await copyFile(path.join(bad, "good.mkv"), dashed);
    const run = await runCli(["ingest", "--json", "--", "-dashed.mkv"], { CINERAG_DATA_DIR: dataDir }, { cwd: bad });
    expect(run.code).toBe(0);
    expect(parseLines(run.stdout)[0]!.clip.alreadyIngested).toBe(true);
    expect(clipCount(path.join(dataDir, "cinerag.db"))).toBe(1);
    expect(existsSync(path.join(dataDir, "cinerag.db"))).toBe(true);
    expect((await readFile(dashed)).length).toBeGreaterThan(0);
  });
});

describe("a Matroska file whose timestamps start at 5 s", () => {
  it("is ingested whole, with every time relative to the container's start", async () => {
    const sub = await scratch();
    const { spec, cues } = threeSceneSpec("late-start");
    spec.shots = spec.shots.slice(0, 4);
    spec.subtitles = [{ format: "srt", language: "en", cues: cues.slice(0, 4), placement: "embedded" }];
    spec.extraArgs = ["-output_ts_offset", "5"];
    const file = await generateClip(sub, spec);
    const run = await ingest(path.join(sub, "data"), file);
    expect(run.stderr).toBe("");
    const out = parseLines(run.stdout)[0]!;
    expect(out.clip.duration).toBeCloseTo(10.8, 1);
    expect(out.shots[0]!.start).toBeLessThan(0.05);
    expect(out.shots.filter((s) => s.transition === "CUT").map((s) => Math.round(s.start * 10) / 10)).toEqual([
      3, 5.4, 8.4,
    ]);
    expect(out.cues[0]!.start).toBeCloseTo(cues[0]!.start, 1);
  });
});
