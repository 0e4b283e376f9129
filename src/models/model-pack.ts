// The air-gapped path for models: `cinerag models pack <file>` on a machine with the models on disk writes
// one tar archive of their cache folders; `cinerag models unpack <file>` on the archive's machine checks
// every file's sha256 against the folder's manifest and installs the folders into the model cache.
//
// The archive holds `cinerag-pack.json` (what it holds: task, hub id, the sha256 of each folder's manifest)
// and `models/<hub id>/...` (each folder as the cache holds it, its `cinerag-manifest.json` included). Unpack
// extracts into a staging folder inside the cache, verifies everything, and only then moves folders into
// place: a damaged, truncated or hostile archive changes nothing. Only hub models are packed: a configured
// local folder is the user's own and is copied by the user.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { AppError } from "../errors/app-error.js";
import { MANIFEST, listFiles, readManifest, verifyManifest, writeManifest } from "./model-files.js";
import type { ModelStatus } from "./model-registry.js";
import { MODEL_TASKS, type ModelTask } from "./model-ports.js";

export const PACK_INDEX = "cinerag-pack.json";
const PACK_FORMAT = "cinerag-models/1";
/** entries an archive may hold, and bytes it may unpack to: bounds on a hostile or wrong file */
export const PACK_LIMITS = { entries: 20_000, bytes: 64 * 1024 ** 3 };

export interface PackedModel {
  task: ModelTask;
  id: string;
  files: number;
  bytes: number;
  /** sha256 of the folder's manifest as packed */
  manifestSha256: string;
}

interface PackIndex {
  format: string;
  models: PackedModel[];
}

export interface PackReport {
  packed: PackedModel[];
  /** tasks not packed, and why */
  skipped: Array<{ task: ModelTask; id: string; reason: string }>;
}

/** Hub ids are `owner/name`: refuse anything that could leave the cache folder. */
function safeId(id: string): boolean {
  return (
    id.length > 0 &&
    id.length <= 200 &&
    !path.isAbsolute(id) &&
    id.split("/").every((part) => part !== "" && part !== "." && part !== ".." && /^[\w.@+-]+$/.test(part))
  );
}

const sha256 = (text: Buffer | string) => createHash("sha256").update(text).digest("hex");

/**
 * Packs the present hub models among `statuses` into `file`. Each folder is verified against its manifest
 * first (a damaged cache is not copied to the archive machine); a folder without a manifest gets one.
 */
export async function packModels(statuses: ModelStatus[], file: string): Promise<PackReport> {
  const report: PackReport = { packed: [], skipped: [] };
  const stage = await mkdtemp(path.join(os.tmpdir(), "cinerag-pack-"));
  try {
    for (const s of statuses) {
      if (s.state !== "present") {
        report.skipped.push({ task: s.task, id: s.id, reason: s.state === "skipped" ? "switched off" : "not on disk" });
        continue;
      }
      if (s.kind !== "hub" || !safeId(s.id)) {
        report.skipped.push({ task: s.task, id: s.id, reason: "a local folder: copy it yourself" });
        continue;
      }
      if (report.packed.some((p) => p.id === s.id)) continue;
      const manifest = readManifest(s.dir) ?? (await writeManifest(s.dir));
      const damaged = await verifyManifest(s.dir, manifest);
      if (damaged.length)
        throw new AppError(
          "BAD_INPUT",
          `model for ${s.task} (${s.id}) is damaged on disk (${damaged.slice(0, 3).join(", ")}): run \`cinerag models pull ${s.task}\` first`,
        );
      const entry = path.join(stage, "models", s.id);
      await mkdir(path.dirname(entry), { recursive: true });
      await symlink(s.dir, entry, "dir");
      const sizes = Object.values(manifest.files);
      report.packed.push({
        task: s.task,
        id: s.id,
        files: sizes.length,
        bytes: sizes.reduce((a, f) => a + f.size, 0),
        manifestSha256: sha256(readFileSync(path.join(s.dir, MANIFEST))),
      });
    }
    if (report.packed.length === 0)
      throw new AppError("NOT_FOUND", "no model on disk to pack: run `cinerag models pull` first");
    const index: PackIndex = { format: PACK_FORMAT, models: report.packed };
    await writeFile(path.join(stage, PACK_INDEX), `${JSON.stringify(index, null, 1)}\n`);
    // written beside the target and renamed: an interrupted pack never leaves a plausible half archive
    const partial = `${file}.partial-${randomUUID().slice(0, 8)}`;
    try {
      // follow: the staged symlinks point at the cache folders; portable: no owner or machine details
      await tar.create({ file: partial, cwd: stage, follow: true, portable: true, noMtime: true }, [
        PACK_INDEX,
        "models",
      ]);
      await rename(partial, file);
    } finally {
      await rm(partial, { force: true });
    }
    return report;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

export interface UnpackReport {
  installed: Array<PackedModel & { replaced: boolean }>;
}

/** Unpacks `file` into `cacheDir` after verifying every file; one clear error and no change otherwise. */
export async function unpackModels(file: string, cacheDir: string): Promise<UnpackReport> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new AppError("NOT_FOUND", `no model pack at ${file}`);
  await mkdir(cacheDir, { recursive: true });
  const stage = await mkdtemp(path.join(cacheDir, ".unpack-"));
  try {
    await extract(file, stage);
    const index = readIndex(stage);
    for (const m of index.models) await verifyPacked(stage, m);
    const installed: UnpackReport["installed"] = [];
    for (const m of index.models) installed.push({ ...m, replaced: await install(stage, cacheDir, m.id) });
    return { installed };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function extract(file: string, stage: string): Promise<void> {
  let entries = 0;
  let bytes = 0;
  let refused: string | undefined;
  try {
    await tar.extract({
      file,
      cwd: stage,
      strict: true,
      preserveOwner: false,
      // only plain files and folders under the two names a pack holds; no links, devices or absolute paths
      filter: (p, entry) => {
        const type = "type" in entry ? entry.type : undefined;
        const size = "size" in entry ? entry.size : 0;
        entries++;
        bytes += size ?? 0;
        const clean = p.replace(/^\.\//, "");
        const inside = clean === PACK_INDEX || clean === "models" || clean.startsWith("models/");
        const plain = type === "File" || type === "OldFile" || type === "Directory";
        const traverses = path.isAbsolute(clean) || clean.split("/").includes("..");
        if (!inside || !plain || traverses) refused ??= `${type ?? "entry"} ${clean.slice(0, 120)}`;
        if (entries > PACK_LIMITS.entries || bytes > PACK_LIMITS.bytes)
          refused ??= `more than ${PACK_LIMITS.entries} entries or ${PACK_LIMITS.bytes} bytes`;
        return refused === undefined;
      },
    });
  } catch (error) {
    throw new AppError("BAD_INPUT", `not a readable model pack: ${(error as Error).message}`);
  }
  if (refused) throw new AppError("BAD_INPUT", `not a model pack: it holds ${refused}`);
}

function readIndex(stage: string): PackIndex {
  const text = existsSync(path.join(stage, PACK_INDEX)) ? readFileSync(path.join(stage, PACK_INDEX), "utf8") : "";
  let index: unknown;
  try {
    index = JSON.parse(text);
  } catch {
    throw new AppError("BAD_INPUT", `not a model pack: no readable ${PACK_INDEX}`);
  }
  if (!isPackIndex(index))
    throw new AppError("BAD_INPUT", `not a model pack: ${PACK_INDEX} is not a ${PACK_FORMAT} index`);
  return index;
}

function isPackIndex(v: unknown): v is PackIndex {
  const o = v as Partial<PackIndex> | null;
  return (
    o?.format === PACK_FORMAT &&
    Array.isArray(o.models) &&
    o.models.every(
      (m: Partial<PackedModel>) =>
        typeof m.id === "string" &&
        safeId(m.id) &&
        (MODEL_TASKS as readonly string[]).includes(String(m.task)) &&
        typeof m.manifestSha256 === "string",
    )
  );
}

/** The folder's manifest is the one indexed, every file has its sha256, and nothing unlisted came along. */
async function verifyPacked(stage: string, m: PackedModel): Promise<void> {
  const dir = path.join(stage, "models", m.id);
  const raw = await readFile(path.join(dir, MANIFEST)).catch(() => undefined);
  if (!raw || sha256(raw) !== m.manifestSha256)
    throw new AppError("BAD_INPUT", `model pack is damaged: the manifest of ${m.id} is missing or altered`);
  const manifest = readManifest(dir);
  const bad = manifest ? await verifyManifest(dir, manifest) : ["(manifest)"];
  if (bad.length)
    throw new AppError(
      "BAD_INPUT",
      `model pack is damaged: ${m.id}: ${bad.slice(0, 3).join(", ")} failed the sha256 check`,
    );
  const extra = listFiles(dir).filter((f) => !(f in manifest!.files));
  if (extra.length)
    throw new AppError(
      "BAD_INPUT",
      `model pack is damaged: ${m.id} holds unlisted files (${extra.slice(0, 3).join(", ")})`,
    );
}

/** Moves the verified folder into the cache; a folder already there is replaced (moved aside, then removed). */
async function install(stage: string, cacheDir: string, id: string): Promise<boolean> {
  const target = path.join(cacheDir, id);
  await mkdir(path.dirname(target), { recursive: true });
  const existed = existsSync(target) && lstatSync(target).isDirectory();
  const aside = path.join(cacheDir, `.replaced-${randomUUID().slice(0, 8)}`);
  if (existsSync(target)) await rename(target, aside);
  await rename(path.join(stage, "models", id), target);
  await rm(aside, { recursive: true, force: true });
  return existed;
}
