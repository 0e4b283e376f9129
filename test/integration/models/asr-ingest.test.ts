// Speech to text in the ingest pipeline. The audio extraction is real (ffmpeg, 16 kHz mono f32le from a
// generated clip); the Whisper model is a TEST DOUBLE of the SpeechTranscriber port (no tiny Whisper can be
// built; real-models.test.ts runs the real one when CINERAG_TEST_MODELS_DIR holds it). Also the
// WhisperTranscriber adapter on a double of the transformers.js pipeline (timestamps, language detection).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import path from "node:path";
import { FfmpegMediaTools } from "../../../src/media/ffmpeg/ffmpeg.media-tools.js";
import { audioArgs } from "../../../src/media/ffmpeg/audio-extractor.js";
import { AsrStage } from "../../../src/ingest/enrich/asr.stage.js";
import { IngestService } from "../../../src/ingest/ingest.service.js";
import { ClipRepository } from "../../../src/store/clip.repository.js";
import { migrateDatabase } from "../../../src/store/migrate.js";
import { createPrismaClient, type PrismaClient } from "../../../src/store/prisma.client.js";
import { createLogger } from "../../../src/logging/logger.js";
import type { SpeechTranscriber } from "../../../src/models/model-ports.js";
import { WhisperTranscriber } from "../../../src/models/transformers/whisper.transcriber.js";
import { ModelRegistry } from "../../../src/models/model-registry.js";
import { generateClip, tempDir } from "../../fixtures/media.js";

let dir: string;
let clip: string;
let prisma: PrismaClient;
const media = new FfmpegMediaTools({ timeoutMs: 120_000 });

beforeAll(async () => {
  dir = await tempDir("cinerag-asr-");
  clip = await generateClip(dir, {
    name: "speech",
    audio: true,
    shots: [
      { duration: 3, colour: "0x802020", accent: "0x20a0a0", angle: "left" },
      { duration: 3, colour: "0x208020", accent: "0xa020a0", angle: "right" },
    ],
  });
  await migrateDatabase(path.join(dir, "cinerag.db"));
  prisma = createPrismaClient(path.join(dir, "cinerag.db"));
});
afterAll(async () => {
  await prisma.$disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** The Whisper port as a test double: one segment per second of audio it is given, counting calls. */
function doubleTranscriber(): SpeechTranscriber & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    provenance: { method: "model", model: "double-whisper" },
    transcribe(samples, options) {
      calls.push(samples.length);
      options?.onProgress?.(100);
      const seconds = Math.floor(samples.length / 16000);
      return Promise.resolve({
        language: options?.language ?? "fr",
        segments: Array.from({ length: seconds }, (_, i) => ({ startTime: i, endTime: i + 0.9, text: `mot ${i}` })),
      });
    },
  };
}

describe("extractAudio (ffmpeg)", () => {
  it("gives 16 kHz mono float samples, whole or a window", async () => {
    const probe = await media.probe(clip);
    const all = await media.extractAudio(probe);
    expect(all.length / 16000).toBeCloseTo(6, 0);
    expect(Math.max(...all.subarray(0, 16000).map(Math.abs))).toBeGreaterThan(0.01);
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(1.0001);
    const window = await media.extractAudio(probe, { start: 2, duration: 1.5 });
    expect(window.length).toBeGreaterThan(1.4 * 16000);
    expect(window.length).toBeLessThan(1.6 * 16000);
  });

  it("uses an argument array with the input after -i, and stops on abort", async () => {
    expect(audioArgs("/a/-b.mkv", 1, { start: 1, duration: 2 })).toEqual([
      "-nostdin",
      "-hide_banner",
      "-nostats",
      "-loglevel",
      "error",
      "-ss",
      "1.000",
      "-i",
      "/a/-b.mkv",
      "-t",
      "2.000",
      "-map",
      "0:1",
      "-vn",
      "-sn",
      "-dn",
      "-ac",
      "1",
      "-ar",
      "16000",
      "-c:a",
      "pcm_f32le",
      "-f",
      "f32le",
      "pipe:1",
    ]);
    const probe = await media.probe(clip);
    const controller = new AbortController();
    controller.abort();
    await expect(media.extractAudio(probe, { signal: controller.signal })).rejects.toThrow(/cancelled/);
    await expect(
      media.extractAudio({ ...probe, streams: probe.streams.filter((s) => s.type !== "audio") }),
    ).rejects.toThrow(/no audio stream/);
  });
});

describe("ASR in the ingest pipeline (Whisper double)", () => {
  it("transcribes a clip without subtitles into an ASR track, window by window, before the scenes", async () => {
    const transcriber = doubleTranscriber();
    const registry = {
      available: () => true,
      transcriber: () => Promise.resolve(transcriber),
      status: () => ({}) as never,
    };
    const asr = new AsrStage({ media, registry, windowSeconds: 4 });
    const service = new IngestService({
      media,
      clips: new ClipRepository(prisma),
      logger: createLogger("silent"),
      dataDir: dir,
      keyframeDir: path.join(dir, "keyframes"),
      decodeWidth: 160,
      maxSceneSeconds: 180,
      asr,
    });
    const stages = new Set<string>();
    const result = await service.ingest({ file: clip, onProgress: (p) => stages.add(p.stage) });
    expect(stages.has("asr")).toBe(true);
    expect(transcriber.calls).toHaveLength(2); // 6 s in windows of 4 s
    const track = result.tracks.find((t) => t.source === "ASR")!;
    expect(track).toMatchObject({ codec: "whisper", language: "fr", skipped: false });
    // the second window's segments are offset by its start
    expect(track.cues.map((c) => c.startTime)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(result.scenes.map((s) => s.text).join(" ")).toContain("mot 1");
    const stored = await prisma.subtitleTrack.findFirstOrThrow({
      where: { clipId: result.clip.id, source: "ASR" },
      include: { cues: true },
    });
    expect(stored.cues).toHaveLength(6);
    expect(stored.language).toBe("fr");
  });

  it("is skipped at once when the asr model cannot be had", async () => {
    const registry = {
      available: () => false,
      transcriber: () => Promise.reject(new Error("must not load")),
      status: () => ({}) as never,
    };
    const asr = new AsrStage({ media, registry });
    const probe = await media.probe(clip);
    expect(asr.applicable(probe)).toBe(false);
    expect(await asr.transcribe(probe)).toBeUndefined();
  });
});

describe("ASR that cannot run", () => {
  it("is reported as a skipped `asr` step with the reason when a clip has speech and no subtitles", async () => {
    // the real registry, offline with an empty cache: Whisper cannot be had
    const registry = new ModelRegistry({
      overrides: {},
      cacheDir: path.join(dir, "no-models"),
      offline: true,
      batchSize: 8,
    });
    const other = await generateClip(dir, {
      name: "speech-no-model",
      audio: true,
      shots: [{ duration: 2, colour: "0x204080", accent: "0x808020", angle: "left" }],
    });
    const service = new IngestService({
      media,
      clips: new ClipRepository(prisma),
      logger: createLogger("silent"),
      dataDir: dir,
      keyframeDir: path.join(dir, "keyframes"),
      decodeWidth: 160,
      maxSceneSeconds: 180,
      asr: new AsrStage({ media, registry }),
    });
    const result = await service.ingest({ file: other });
    const step = result.enrichment?.find((e) => e.step === "asr");
    expect(step).toMatchObject({ step: "asr", status: "skipped", computed: 0 });
    expect(step?.reason).toMatch(/model for asr .*CINERAG_OFFLINE=1/);
    expect(result.tracks.some((t) => t.source === "ASR")).toBe(false);
  });
});

/** `seconds` of a 440 Hz tone at half scale: a signal (the transcriber drops segments over silence). */
function tone(seconds: number): Float32Array {
  return Float32Array.from({ length: 16000 * seconds }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 16000));
}

describe("WhisperTranscriber on a double of the transformers.js pipeline", () => {
  function fakePipeline(language = "<|de|>") {
    const calls: Array<Record<string, unknown>> = [];
    const pipe = Object.assign(
      (_audio: unknown, options: unknown) => {
        calls.push(options as Record<string, unknown>);
        return Promise.resolve({
          text: " Hallo Welt. Wie geht's?",
          chunks: [
            { timestamp: [0, 1.5], text: " Hallo Welt." },
            { timestamp: [1.5, null], text: " Wie geht's?" },
            { timestamp: [2, 2.1], text: " " },
          ],
        });
      },
      {
        processor: () => Promise.resolve({ input_features: "features" }),
        model: {
          generation_config: {
            decoder_start_token_id: 50258,
            lang_to_id: { "<|en|>": 50259, "<|de|>": 50261 },
            is_multilingual: true,
          },
          generate: () => Promise.resolve({ tolist: () => [[50258, language === "<|de|>" ? 50261 : 50259]] }),
        },
      },
    );
    return { pipe, calls };
  }

  it("detects the language, asks for timestamps in 30 s chunks, and maps chunks to segments", async () => {
    const { pipe, calls } = fakePipeline();
    const whisper = new WhisperTranscriber(pipe, { model: "onnx-community/whisper-base" });
    const out = await whisper.transcribe(tone(3));
    expect(out.language).toBe("de");
    expect(calls[0]).toMatchObject({
      return_timestamps: true,
      chunk_length_s: 30,
      stride_length_s: 5,
      language: "de",
      task: "transcribe",
    });
    expect(out.segments).toEqual([
      { startTime: 0, endTime: 1.5, text: "Hallo Welt." },
      { startTime: 1.5, endTime: 3, text: "Wie geht's?" },
    ]);
    expect(whisper.provenance).toEqual({ method: "model", model: "onnx-community/whisper-base" });
  });

  it("keeps a given language and returns nothing for silence too short to transcribe", async () => {
    const { pipe, calls } = fakePipeline();
    const whisper = new WhisperTranscriber(pipe, { model: "w" });
    expect((await whisper.transcribe(tone(1), { language: "en" })).language).toBe("en");
    expect(calls[0]!.language).toBe("en");
    expect((await whisper.transcribe(new Float32Array(100))).segments).toEqual([]);
  });

  it("passes neither task nor language to an English-only model (*.en)", async () => {
    const { pipe, calls } = fakePipeline();
    const whisper = new WhisperTranscriber(pipe, { model: "onnx-community/whisper-tiny.en" });
    const out = await whisper.transcribe(tone(3), { languageHint: "ger" });
    expect(calls[0]).not.toHaveProperty("task");
    expect(calls[0]).not.toHaveProperty("language");
    expect(out.language).toBe("en");
  });

  it("takes the audio stream's language tag as the language when the model knows it, without guessing", async () => {
    const { pipe, calls } = fakePipeline("<|de|>");
    let detections = 0;
    const generate = pipe.model.generate;
    pipe.model.generate = (...args: Parameters<typeof generate>) => {
      detections++;
      return generate(...args);
    };
    const whisper = new WhisperTranscriber(pipe, { model: "w" });
    expect((await whisper.transcribe(tone(3), { languageHint: "eng" })).language).toBe("en");
    expect(calls[0]!.language).toBe("en");
    expect(detections).toBe(0);
    // a tag the model does not know ("und") is no hint: the window's own language is detected
    expect((await whisper.transcribe(tone(3), { languageHint: "und" })).language).toBe("de");
    expect(detections).toBe(1);
  });

  it("drops segments over silence (Whisper writes text over it)", async () => {
    const { pipe } = fakePipeline();
    const whisper = new WhisperTranscriber(pipe, { model: "w" });
    const samples = tone(3);
    samples.fill(0, 16000 * 1.5); // speech-like signal for 1.5 s, then silence
    const out = await whisper.transcribe(samples);
    expect(out.segments.map((x) => x.text)).toEqual(["Hallo Welt."]);
  });
});

describe("ASR windows", () => {
  it("detect their own language with the stream's tag as the hint (the first window's is not forced)", async () => {
    const seen: Array<{ language?: string; languageHint?: string }> = [];
    const transcriber: SpeechTranscriber = {
      provenance: { method: "model", model: "double-whisper" },
      transcribe(samples, options) {
        seen.push({ language: options?.language, languageHint: options?.languageHint });
        // the first window is music with a French title song, the rest English dialogue
        const language = seen.length === 1 ? "fr" : "en";
        return Promise.resolve({ language, segments: [{ startTime: 0, endTime: 1, text: `w${seen.length}` }] });
      },
    };
    const registry = {
      available: () => true,
      transcriber: () => Promise.resolve(transcriber),
      status: () => ({}) as never,
    };
    const probe = await media.probe(clip);
    const track = await new AsrStage({ media, registry, windowSeconds: 2 }).transcribe(probe);
    expect(seen.length).toBe(Math.ceil(probe.duration / 2));
    expect(seen.every((s) => s.language === undefined)).toBe(true);
    expect(track!.language).toBe("en");
  });
});
