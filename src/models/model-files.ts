// What a model folder must hold before it counts as present, and its checksums. A folder with config.json
// and one .onnx is not a model: transformers.js reads several files per pipeline (the tokenizer, the
// processor's config, two ONNX sessions for encoder-decoders, external weight chunks) and a missing one
// fails at load time, long after `models list` said "on disk". So presence means: every file the task's
// loader reads is there, in ONE dtype (all its ONNX files with that suffix), and when the folder has a
// manifest (written after a verified download, `models pull`, `models unpack`) every file has its size.
// The manifest's sha256 sums are checked in full by `pull` (which repairs), `unpack` and `models verify`;
// `status` checks sizes only, so that listing is instant even for gigabytes of weights.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";

/** The file transformers.js 4.3 appends to an ONNX file's name per dtype. */
export const DTYPE_SUFFIX: Record<string, string> = {
  fp32: "",
  fp16: "_fp16",
  q8: "_quantized",
  int8: "_int8",
  uint8: "_uint8",
  q4: "_q4",
  q4f16: "_q4f16",
  q2: "_q2",
  q2f16: "_q2f16",
  q1: "_q1",
  q1f16: "_q1f16",
  bnb4: "_bnb4",
};

export interface PipelineFiles {
  /** JSON and tokenizer files read by the loader */
  files: string[];
  /** ONNX sessions under onnx/, without the dtype suffix */
  onnx: string[];
}

const TEXT = ["config.json", "tokenizer.json", "tokenizer_config.json"];

/** Per transformers.js pipeline task (as in ModelSpec.pipeline): what its loader reads. */
export const PIPELINE_FILES: Record<string, PipelineFiles> = {
  "feature-extraction": { files: TEXT, onnx: ["model"] },
  "text-classification": { files: TEXT, onnx: ["model"] },
  "zero-shot-classification": { files: TEXT, onnx: ["model"] },
  "text-generation": { files: TEXT, onnx: ["model"] },
  "image-to-text": { files: [...TEXT, "preprocessor_config.json"], onnx: ["encoder_model", "decoder_model_merged"] },
  "automatic-speech-recognition": {
    files: [...TEXT, "preprocessor_config.json", "generation_config.json"],
    onnx: ["encoder_model", "decoder_model_merged"],
  },
  clip: { files: [...TEXT, "preprocessor_config.json"], onnx: ["text_model", "vision_model"] },
};

export const MANIFEST = "cinerag-manifest.json";

export interface Manifest {
  /** relative path (with /) → size and sha256 */
  files: Record<string, { size: number; sha256: string }>;
}

function onnxNames(dir: string): Set<string> {
  try {
    return new Set(
      readdirSync(path.join(dir, "onnx"))
        .filter((f) => f.endsWith(".onnx"))
        .map((f) => f.slice(0, -".onnx".length)),
    );
  } catch {
    return new Set();
  }
}

/**
 * The dtype to load: the preferred one when EVERY session of the pipeline has a file with its suffix, else
 * fp32 likewise, else the first dtype complete on disk; undefined when no dtype is complete.
 */
export function completeDtype(dir: string, pipeline: string, preferred: string): string | undefined {
  const sessions = PIPELINE_FILES[pipeline]?.onnx ?? ["model"];
  const names = onnxNames(dir);
  const complete = (dtype: string) => {
    const suffix = DTYPE_SUFFIX[dtype];
    return suffix !== undefined && sessions.every((s) => names.has(`${s}${suffix}`));
  };
  if (complete(preferred)) return preferred;
  if (complete("fp32")) return "fp32";
  return Object.keys(DTYPE_SUFFIX).find(complete);
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Every file the pipeline reads for `dtype`, relative to the folder (external data chunks included). */
export function requiredFiles(dir: string, pipeline: string, dtype: string): string[] {
  const spec = PIPELINE_FILES[pipeline] ?? { files: ["config.json"], onnx: ["model"] };
  const suffix = DTYPE_SUFFIX[dtype] ?? "";
  const external = (
    readJson(path.join(dir, "config.json"))?.["transformers.js_config"] as
      { use_external_data_format?: unknown } | undefined
  )?.use_external_data_format;
  const out = [...spec.files];
  for (const session of spec.onnx) {
    const full = `${session}${suffix}.onnx`;
    out.push(`onnx/${full}`);
    const chunks = externalChunks(external, full, session);
    for (let i = 0; i < chunks; i++) out.push(`onnx/${full}_data${i === 0 ? "" : `_${i}`}`);
  }
  return out;
}

/** As transformers.js' resolveExternalDataFormat: a number or boolean for all, or per file name. */
function externalChunks(config: unknown, fullName: string, session: string): number {
  if (!config) return 0;
  if (typeof config === "object") {
    const c = config as Record<string, unknown>;
    return Number(c[fullName] ?? c[session] ?? 0) || 0;
  }
  return Number(config) || 0;
}

function isManifest(value: Record<string, unknown>): value is Record<string, unknown> & Manifest {
  return typeof value.files === "object" && value.files !== null;
}

export function readManifest(dir: string): Manifest | undefined {
  const m = readJson(path.join(dir, MANIFEST));
  return m && isManifest(m) ? m : undefined;
}

export interface FolderCheck {
  /** every required file there (and of the manifest's size) */
  complete: boolean;
  dtype?: string;
  /** what is missing or of the wrong size, relative paths */
  problems: string[];
}

/** Fast presence check: required files exist; with a manifest, every listed file has its size. */
export function checkFolder(dir: string, pipeline: string, preferred: string): FolderCheck {
  if (dir === "" || !existsSync(path.join(dir, "config.json"))) return { complete: false, problems: ["config.json"] };
  const dtype = completeDtype(dir, pipeline, preferred);
  if (!dtype)
    return {
      complete: false,
      problems: requiredFiles(dir, pipeline, preferred).filter((f) => !existsSync(path.join(dir, f))),
    };
  const problems = requiredFiles(dir, pipeline, dtype).filter((f) => !existsSync(path.join(dir, f)));
  const manifest = readManifest(dir);
  for (const [file, { size }] of Object.entries(manifest?.files ?? {})) {
    if (problems.includes(file)) continue;
    const actual = fileSize(path.join(dir, file));
    if (actual !== size) problems.push(file);
  }
  return { complete: problems.length === 0, dtype, problems };
}

function fileSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

/** Every regular file under `dir` (relative, with /), the manifest itself excluded. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      // transformers.js writes a download to `<file>.tmp.<pid>.<random>` and renames it when complete
      else if (e.isFile() && r !== MANIFEST && !/\.tmp\.\d+\.[0-9a-z]+$/.test(e.name)) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

/** Writes the manifest of what the folder holds now (after a load proved the files good). */
export async function writeManifest(dir: string): Promise<Manifest> {
  const files: Manifest["files"] = {};
  for (const f of listFiles(dir))
    files[f] = { size: statSync(path.join(dir, f)).size, sha256: await sha256File(path.join(dir, f)) };
  const manifest = { files };
  await writeFile(path.join(dir, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

/** Full check against the manifest: the files whose size or sha256 differ, or that are missing. */
export async function verifyManifest(dir: string, manifest = readManifest(dir)): Promise<string[]> {
  if (!manifest) return [];
  const bad: string[] = [];
  for (const [file, { size, sha256 }] of Object.entries(manifest.files)) {
    const full = path.join(dir, file);
    if (fileSize(full) !== size || (await sha256File(full)) !== sha256) bad.push(file);
  }
  return bad;
}
