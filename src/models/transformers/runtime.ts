// The only module that imports @huggingface/transformers (lazily: a CLI command that never runs a model
// never loads onnxruntime). It configures transformers.js `env` (cache directory under the data
// directory, local model root, remote downloads off when offline, quiet logging, a fetch whose response
// headers must arrive in time) and creates pipelines with the CPU backend and onnxruntime session options
// (intraOpNumThreads from CINERAG_MODEL_THREADS).
//
// `env` is global to the process; the last runtime configured wins. Models that are on disk are loaded
// from their folder with local_files_only, which needs no `env` at all, so tests with several data
// directories in one process are safe.
import type * as Transformers from "@huggingface/transformers";

export type TransformersLib = typeof Transformers;

/** A transformers.js pipeline task ("feature-extraction", "image-to-text", ...). */
export type PipelineTask = Transformers.PipelineType;

/** The dtypes transformers.js knows (its DATA_TYPES), for telling a dtype read from disk or config apart. */
const DATA_TYPES = [
  "auto",
  "fp32",
  "fp16",
  "q8",
  "int8",
  "uint8",
  "q4",
  "bnb4",
  "q4f16",
  "q2",
  "q2f16",
  "q1",
  "q1f16",
] as const satisfies readonly Transformers.DataType[];

export function isDataType(dtype: string): dtype is Transformers.DataType {
  return (DATA_TYPES as readonly string[]).includes(dtype);
}

/** What the model ports need of a transformers.js pipeline: callable, with its parts. */
export interface PipelineLike {
  (...args: unknown[]): Promise<unknown>;
  model?: unknown;
  tokenizer?: unknown;
  processor?: unknown;
  dispose?: () => Promise<void>;
}

/**
 * A pipeline of any task is a function (transformers.js's Callable); which arguments it takes depends on the
 * task, which only the port that asked for it knows.
 */
export function isPipelineLike(value: unknown): value is PipelineLike {
  return typeof value === "function";
}

export interface DownloadProgress {
  /** file being fetched, when known */
  file?: string;
  /** bytes over every file seen so far */
  loaded: number;
  total: number;
  /** 0..100 over every file seen so far */
  percent: number;
  status: string;
}

export interface RuntimeOptions {
  cacheDir: string;
  offline: boolean;
  threads?: number;
  /** the hub (or a mirror with its URL layout) downloads come from; default transformers.js' own */
  hub?: string;
  /** abort a request whose response headers take longer than this; default 20 s */
  headerTimeoutMs?: number;
  /** tests: replaces the network (e.g. a fetch that fails) */
  fetch?: typeof fetch;
}

export interface LoadOptions {
  dtype: string;
  /** the source is a folder on disk: never touch the network */
  localOnly: boolean;
  onProgress?: (p: DownloadProgress) => void;
}

/**
 * The network failed before any answer came (DNS, refused, reset, timeout): the hub cannot be reached from
 * here. Only this error stops later downloads in the same run; an answer such as 404 concerns one model.
 */
export class HubUnreachableError extends Error {
  constructor(
    readonly host: string,
    readonly why: string,
  ) {
    super(`cannot reach ${host}: ${why}`);
    this.name = "HubUnreachableError";
  }
}

/** The HubUnreachableError in `error` or its causes (transformers.js may wrap what fetch threw). */
export function hubUnreachable(error: unknown): HubUnreachableError | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++)
    if (e instanceof HubUnreachableError) return e;
  return undefined;
}

let libPromise: Promise<TransformersLib> | undefined;

/** Imports transformers.js once per process. */
export function importTransformers(): Promise<TransformersLib> {
  libPromise ??= import("@huggingface/transformers");
  return libPromise;
}

export class TransformersRuntime {
  constructor(readonly options: RuntimeOptions) {}

  /** transformers.js with `env` set for this runtime. */
  async lib(): Promise<TransformersLib> {
    const lib = await importTransformers();
    const { env } = lib;
    env.cacheDir = this.options.cacheDir;
    env.localModelPath = this.options.cacheDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = !this.options.offline;
    if (this.options.hub) env.remoteHost = this.options.hub;
    env.useFSCache = true;
    env.logLevel = lib.LogLevel.NONE;
    env.fetch = this.fetchWithTimeout.bind(this) as typeof env.fetch;
    return lib;
  }

  /** onnxruntime session options (CPU, thread count). */
  sessionOptions(): Record<string, unknown> {
    return this.options.threads ? { intraOpNumThreads: this.options.threads, interOpNumThreads: 1 } : {};
  }

  pretrainedOptions(options: LoadOptions): Transformers.PretrainedModelOptions {
    if (!isDataType(options.dtype)) throw new Error(`unknown dtype "${options.dtype}"`);
    return {
      dtype: options.dtype,
      device: "cpu",
      local_files_only: options.localOnly || this.options.offline,
      cache_dir: this.options.cacheDir,
      session_options: this.sessionOptions(),
      ...(options.onProgress ? { progress_callback: progressAggregator(options.onProgress) } : {}),
    };
  }

  async pipeline(task: PipelineTask, model: string, options: LoadOptions): Promise<PipelineLike> {
    const lib = await this.lib();
    const pipe: unknown = await lib.pipeline(task, model, this.pretrainedOptions(options));
    if (!isPipelineLike(pipe)) throw new Error(`transformers.js gave no callable pipeline for ${task}`);
    return pipe;
  }

  /** CLIP's two towers, processor and tokenizer (no single pipeline gives image and text vectors). */
  async clipParts(model: string, options: LoadOptions): Promise<import("./transformers.clip.js").ClipParts> {
    const lib = await this.lib();
    const opts = this.pretrainedOptions(options);
    const [processor, tokenizer, vision, text] = await Promise.all([
      lib.AutoProcessor.from_pretrained(model, opts),
      lib.AutoTokenizer.from_pretrained(model, opts),
      lib.CLIPVisionModelWithProjection.from_pretrained(model, opts),
      lib.CLIPTextModelWithProjection.from_pretrained(model, opts),
    ]);
    return { processor, tokenizer, vision, text };
  }

  private async fetchWithTimeout(input: string | URL, init?: RequestInit): Promise<Response> {
    const doFetch = this.options.fetch ?? fetch;
    const controller = new AbortController();
    const outer = init?.signal;
    const onAbort = () => controller.abort(outer?.reason);
    outer?.addEventListener("abort", onAbort, { once: true });
    const ms = this.options.headerTimeoutMs ?? 20_000;
    const timer = setTimeout(
      () => controller.abort(new Error(`no response from ${String(input)} within ${ms} ms`)),
      ms,
    );
    try {
      return await doFetch(input, { ...init, signal: controller.signal });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      if (outer?.aborted) throw error;
      throw new HubUnreachableError(hostOf(input), why);
    } finally {
      clearTimeout(timer); // the body may take as long as it takes
      outer?.removeEventListener("abort", onAbort);
    }
  }
}

function hostOf(input: string | URL): string {
  try {
    return new URL(String(input)).host;
  } catch {
    return String(input).slice(0, 80);
  }
}

/** Turns transformers.js per-file progress events into one running total. */
export function progressAggregator(onProgress: (p: DownloadProgress) => void): (info: Record<string, unknown>) => void {
  const files = new Map<string, { loaded: number; total: number }>();
  return (info) => {
    const status = typeof info.status === "string" ? info.status : "";
    const file = typeof info.file === "string" ? info.file : undefined;
    if (status === "progress" && file) {
      files.set(file, { loaded: Number(info.loaded ?? 0), total: Number(info.total ?? 0) });
    } else if (status === "done" && file) {
      const f = files.get(file);
      if (f) f.loaded = f.total;
    } else if (status !== "progress_total" && status !== "ready" && status !== "initiate" && status !== "download") {
      return;
    }
    let loaded = 0;
    let total = 0;
    for (const f of files.values()) {
      loaded += f.loaded;
      total += f.total;
    }
    onProgress({
      status,
      file,
      loaded,
      total,
      percent: total > 0 ? (100 * loaded) / total : status === "ready" ? 100 : 0,
    });
  };
}
