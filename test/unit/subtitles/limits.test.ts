// Issue #15 item 3: every subtitle input is bounded (bytes, cues, characters per cue), refusals name the
// setting, and the large inputs are refused without their size in memory. Peak RSS is measured in this
// process (process.resourceUsage().maxRSS before and after each case) and printed.
import { open, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { parseSubtitles } from "../../../src/ingest/subtitles/parse.js";
import { loadSubtitleTracks } from "../../../src/ingest/subtitles/sidecar.js";
import { readSubtitleBytes } from "../../../src/ingest/subtitles/subtitle-file.reader.js";
import { DEFAULT_SUBTITLE_LIMITS, SubtitleLimitError } from "../../../src/ingest/subtitles/limits.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cinerag-sublimits-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cue = (i: number) => {
  const t = (s: number) => new Date(s * 1000).toISOString().slice(11, 23).replace(".", ",");
  return `${i + 1}\n${t(i)} --> ${t(i + 0.5)}\nLine number ${i}\n\n`;
};

/** writes `bytes` of SRT made of numbered cues, in 1 MiB chunks */
async function writeSrt(file: string, bytes: number): Promise<number> {
  const handle = await open(file, "w");
  let written = 0;
  let i = 0;
  try {
    while (written < bytes) {
      let chunk = "";
      while (chunk.length < 1024 * 1024) chunk += cue(i++ % 300_000);
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return written;
}

/** peak RSS growth (MiB) while `fn` runs */
async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ result: unknown; mib: number }> {
  const before = process.resourceUsage().maxRSS;
  let result: unknown;
  try {
    result = await fn();
  } catch (error) {
    result = error;
  }
  return { result, mib: (process.resourceUsage().maxRSS - before) / 1024 };
}

describe("subtitle limits", () => {
  it("a 100 MB SRT is refused from its size, without being read", async () => {
    const file = join(dir, "huge.en.srt");
    await writeSrt(file, 100 * 1024 * 1024);
    const { result, mib } = await peakGrowth(() => loadSubtitleTracks(file));
    console.log(`100 MB SRT: refused, peak RSS growth ${mib.toFixed(1)} MiB`);
    expect(result).toBeInstanceOf(SubtitleLimitError);
    expect((result as Error).message).toMatch(
      /is 100\.\d MiB, over the 32\.0 MiB limit \(CINERAG_SUBTITLE_MAX_BYTES\)$/,
    );
    expect(mib).toBeLessThan(32);
  });

  it("a million-cue SRT under a raised byte limit is refused at the cue limit", async () => {
    const file = join(dir, "many.srt");
    const size = await writeSrt(file, 46 * 1024 * 1024);
    const limits = { ...DEFAULT_SUBTITLE_LIMITS, maxFileBytes: 64 * 1024 * 1024 };
    const { result, mib } = await peakGrowth(() => loadSubtitleTracks(file, { limits }));
    console.log(
      `${(size / 2 ** 20).toFixed(0)} MiB SRT, 64 MiB byte limit: refused at cue ${limits.maxCues + 1}, peak RSS growth ${mib.toFixed(1)} MiB`,
    );
    expect(result).toBeInstanceOf(SubtitleLimitError);
    expect((result as Error).message).toMatch(/more than 200000 cues, over the limit \(CINERAG_SUBTITLE_MAX_CUES\)/);
  });

  it("a 10 MB cue is skipped with a warning naming the setting; the other cues are kept", async () => {
    const file = join(dir, "long-cue.srt");
    await writeFile(file, `${cue(0)}1\n00:00:02,000 --> 00:00:03,000\n${"word ".repeat(2 * 1024 * 1024)}\n\n${cue(5)}`);
    const { result, mib } = await peakGrowth(() => loadSubtitleTracks(file));
    console.log(`10 MB cue: skipped, peak RSS growth ${mib.toFixed(1)} MiB`);
    const [track] = result as Awaited<ReturnType<typeof loadSubtitleTracks>>;
    expect(track?.cues.map((c) => c.text)).toEqual(["Line number 0", "Line number 5"]);
    expect(track?.warnings).toHaveLength(1);
    expect(track?.warnings[0]).toMatch(
      /^line 6: cue of \d{8} characters, over the 10000 limit \(CINERAG_SUBTITLE_MAX_CUE_CHARS\): skipped$/,
    );
  });

  it("applies to every format: an over-long ASS line and TTML paragraph are skipped too", () => {
    const limits = { ...DEFAULT_SUBTITLE_LIMITS, maxCueChars: 50 };
    const ass = `[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,${"x".repeat(80)}\nDialogue: 0,0:00:03.00,0:00:04.00,Default,,0,0,0,,Short\n`;
    const a = parseSubtitles(ass, "ass", { limits });
    expect(a.cues.map((c) => c.text)).toEqual(["Short"]);
    expect(a.warnings[0]).toMatch(/CINERAG_SUBTITLE_MAX_CUE_CHARS/);
    const ttml = `<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="1s" end="2s">${"y".repeat(80)}</p><p begin="3s" end="4s">Short</p></body></tt>`;
    const t = parseSubtitles(ttml, "ttml", { limits });
    expect(t.cues.map((c) => c.text)).toEqual(["Short"]);
    const many = `<tt xmlns="http://www.w3.org/ns/ttml"><body>${'<p begin="1s" end="2s">a</p>'.repeat(4)}</body></tt>`;
    expect(() => parseSubtitles(many, "ttml", { limits: { ...limits, maxCues: 3 } })).toThrow(
      /CINERAG_SUBTITLE_MAX_CUES/,
    );
  });

  it("an aborted read stops", async () => {
    const file = join(dir, "small.srt");
    await writeFile(file, cue(0));
    const controller = new AbortController();
    controller.abort();
    await expect(
      readSubtitleBytes(file, { limits: DEFAULT_SUBTITLE_LIMITS, signal: controller.signal }),
    ).rejects.toThrow(/abort/i);
  });

  it("the limits are configured through src/config.ts", () => {
    const config = loadConfig({
      CINERAG_SUBTITLE_MAX_BYTES: "2048",
      CINERAG_SUBTITLE_MAX_CUES: "10",
      CINERAG_SUBTITLE_MAX_CUE_CHARS: "100",
    });
    expect(config.subtitles).toEqual({ maxFileBytes: 2048, maxCues: 10, maxCueChars: 100 });
    expect(loadConfig({}).subtitles).toEqual(DEFAULT_SUBTITLE_LIMITS);
    expect(() => loadConfig({ CINERAG_SUBTITLE_MAX_CUES: "lots" })).toThrow(/CINERAG_SUBTITLE_MAX_CUES/);
  });
});
