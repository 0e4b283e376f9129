// The real transformers.js + onnxruntime-node path (no doubles) for speech recognition, on a tiny generated
// Whisper (test/fixtures/tiny-whisper-model.ts): the registry's WhisperTranscriber with its language
// detection step (one decoder step after <|startoftranscript|>), the pipeline's log-mel features, timestamped
// generation and the tokenizer's timestamp decoding.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import path from "node:path";
import { TINY_WHISPER, writeTinyWhisperModel } from "../../fixtures/tiny-whisper-model.js";
import { SAMPLE_RATE, WhisperTranscriber } from "../../../src/models/transformers/whisper.transcriber.js";
import { abortAtFirstRun, countingRegistry, countSessionRuns, modelsOptions, tempRoot } from "./helpers.js";

let root: string;
let asrDir: string;

beforeAll(async () => {
  root = await tempRoot();
  asrDir = await writeTinyWhisperModel(path.join(root, "whisper"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** `seconds` of a sine tone at `hz`. */
function tone(hz: number, seconds: number): Float32Array {
  return Float32Array.from(
    { length: SAMPLE_RATE * seconds },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE),
  );
}

async function setup() {
  const { registry, runtime } = countingRegistry(modelsOptions(path.join(root, "cache"), { asr: asrDir }));
  const transcriber = await registry.transcriber();
  const runs = countSessionRuns(await registry.load("asr"));
  return { registry, runtime, transcriber, runs };
}

describe("speech recognition (Whisper: encoder, decoder with both caches, timestamps) on a tiny model", () => {
  it("is loaded by the registry from its folder, detects the language and transcribes with timestamps", async () => {
    const { transcriber, runtime, runs } = await setup();
    expect(transcriber).toBeInstanceOf(WhisperTranscriber);
    expect(transcriber.provenance).toEqual({ method: "model", model: asrDir });
    expect(runtime.created.map((c) => c.task)).toEqual(["automatic-speech-recognition"]);
    const [from, to] = TINY_WHISPER.segment;
    for (const [audio, expected] of [
      [tone(300, 2), TINY_WHISPER.low],
      [tone(4000, 2), TINY_WHISPER.high],
    ] as const) {
      expect(await transcriber.transcribe(audio)).toEqual({
        language: expected.language,
        segments: [{ startTime: from, endTime: to, text: expected.text }],
      });
    }
    // per clip: the detection step's encoder run and one decoder step, then the transcription's encoder run
    // and its decoder steps (<|0.00|>, the word, <|1.00|>, <|endoftext|>)
    expect(runs).toEqual({ model: 2 * 2, decoder_model_merged: 2 * (1 + 4) });
  });

  it("takes a language given or the stream's tag (ISO 639-2) without the detection step", async () => {
    const { transcriber, runs } = await setup();
    const given = await transcriber.transcribe(tone(300, 2), { language: "de" });
    expect(given).toMatchObject({ language: "de", segments: [{ text: TINY_WHISPER.low.text }] });
    const tagged = await transcriber.transcribe(tone(4000, 2), { languageHint: "fre" });
    expect(tagged).toMatchObject({ language: "fr", segments: [{ text: TINY_WHISPER.high.text }] });
    expect(runs.model).toBe(2); // one encoder run each: no detection
    // the detection step on its own
    const whisper = transcriber as WhisperTranscriber;
    expect(await whisper.detectLanguage(tone(300, 1))).toBe("fr");
    expect(await whisper.detectLanguage(tone(4000, 1))).toBe("de");
  });

  it("stops mid-generation when its signal aborts (within one decoder step), not at the window's end", async () => {
    const { registry, transcriber } = await setup();
    const controller = new AbortController();
    // uninterrupted, this transcription takes 4 decoder steps
    const decoder = abortAtFirstRun(await registry.load("asr"), "decoder_model_merged", controller);
    await expect(transcriber.transcribe(tone(300, 2), { language: "de", signal: controller.signal })).rejects.toThrow(
      "cancelled by the test",
    );
    expect(decoder.runs).toBe(1);
  });
});
