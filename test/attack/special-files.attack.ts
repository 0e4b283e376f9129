// Symlinks and special files on every path the server reads on behalf of a request (issue 15, items 1 and
// 9): the clip and subtitle paths of ingestClip, the keyframe URLs, and the clip path of `cinerag ingest`.
// Each is refused with a clear one-line message and changes nothing; a FIFO never blocks a request.
import { execFileSync } from "node:child_process";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { generateClip, tempDir, threeSceneSpec } from "../fixtures/media.js";
import { seedClip } from "../integration/graphql/helpers/seed.js";
import { startTestServer, type TestServer } from "../e2e/graphql/helpers.js";
import { databaseIntact, isOneLineRefusal, runCliMeasured } from "./helpers/cli-process.js";
import { runCases } from "./helpers/record.js";

let dir: string;
let root: string;
let outside: string;
let clip: string;
let server: TestServer;

beforeAll(async () => {
  dir = await tempDir("cinerag-attack-files-");
  root = path.join(dir, "root");
  outside = path.join(dir, "outside");
  await mkdir(root, { recursive: true });
  await mkdir(outside, { recursive: true });
  const spec = threeSceneSpec("real").spec;
  spec.shots = spec.shots.slice(0, 2);
  clip = await generateClip(root, spec);
  await writeFile(path.join(outside, "secret.srt"), "1\n00:00:01,000 --> 00:00:02,000\nsecret line\n");
  await symlink(path.join(outside, "secret.srt"), path.join(root, "link-out.srt"));
  await symlink("/etc/passwd", path.join(root, "passwd.mkv"));
  await symlink("/dev/zero", path.join(root, "zero.mkv"));
  await symlink(path.join(root, "loop-b.mkv"), path.join(root, "loop-a.mkv"));
  await symlink(path.join(root, "loop-a.mkv"), path.join(root, "loop-b.mkv"));
  await symlink(path.join(root, "gone.mkv"), path.join(root, "dangling.mkv"));
  execFileSync("mkfifo", [path.join(root, "fifo.mkv")]);
  execFileSync("mkfifo", [path.join(root, "fifo.srt")]);
  await mkdir(path.join(root, "folder.mkv"));
  server = await startTestServer({ CINERAG_MEDIA_ROOTS: root, CINERAG_ENRICH: "none", CINERAG_OFFLINE: "1" });
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const INGEST = "mutation($input: IngestClipInput!) { ingestClip(input: $input) { id } }";
const REFUSED = ["FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND"];

it("ingestClip: clip and subtitle paths that are links out, loops, FIFOs, devices or folders", async () => {
  const inRoot = (n: string) => path.join(root, n);
  const cases: Array<{ path: string; subtitlePaths?: string[] }> = [
    ...["passwd.mkv", "zero.mkv", "loop-a.mkv", "dangling.mkv", "fifo.mkv", "folder.mkv"].map((n) => ({
      path: inRoot(n),
    })),
    { path: path.join(outside, "secret.srt") },
    ...["link-out.srt", "fifo.srt", "loop-a.mkv", "zero.mkv"].map((n) => ({ path: clip, subtitlePaths: [inRoot(n)] })),
  ];
  const jobsBefore = await server.app.prisma.job.count();
  const codes: Record<string, number> = {};
  const failures = await runCases(
    "ingestClip special paths (clip, subtitles)",
    cases,
    async (input) => {
      const res = await server.gql(INGEST, { input });
      const body = res.body as { errors?: Array<{ message: string; extensions: { code: string } }> };
      const error = body.errors?.[0];
      expect(error, JSON.stringify(res.body)).toBeDefined();
      codes[error!.extensions.code] = (codes[error!.extensions.code] ?? 0) + 1;
      expect(REFUSED).toContain(error!.extensions.code);
      expect(error!.message).not.toMatch(/\n|internal|Cannot read|ENOENT|ELOOP/i);
      if (input.path.endsWith("loop-a.mkv")) expect(error!.message).toMatch(/symbolic link loop/);
    },
    () => `refused: ${JSON.stringify(codes)}`,
  );
  expect(failures).toEqual([]);
  expect(await server.app.prisma.job.count()).toBe(jobsBefore);
});

it("keyframe URLs: links out, loops, FIFOs and traversal answer 404 at once", async () => {
  const seeded = await seedClip(server.app.prisma, server.app.config, { jpegs: true });
  const folder = path.join(server.app.config.keyframeDir, seeded.clipId);
  await symlink("/etc/passwd", path.join(folder, "leak.jpg"));
  await symlink(path.join(folder, "loop2.jpg"), path.join(folder, "loop1.jpg"));
  await symlink(path.join(folder, "loop1.jpg"), path.join(folder, "loop2.jpg"));
  execFileSync("mkfifo", [path.join(folder, "fifo.jpg")]);
  const real = path.basename(seeded.keyframePaths[0]!);
  const urls = [
    `/keyframes/${seeded.clipId}/leak.jpg`,
    `/keyframes/${seeded.clipId}/loop1.jpg`,
    `/keyframes/${seeded.clipId}/fifo.jpg`,
    `/keyframes/${seeded.clipId}/fifo.jpg`,
    `/keyframes/${seeded.clipId}/fifo.jpg`,
    `/keyframes/${seeded.clipId}/fifo.jpg`,
    `/keyframes/${seeded.clipId}/fifo.jpg`,
    `/keyframes/${seeded.clipId}/..%2f..%2fcinerag.db`,
    `/keyframes/..%2f${seeded.clipId}/${real}`,
  ];
  let slowest = 0;
  const failures = await runCases(
    "keyframe URL special files",
    urls,
    async (url) => {
      const started = performance.now();
      const res = await fetch(`${server.origin}${url}`);
      await res.arrayBuffer();
      slowest = Math.max(slowest, performance.now() - started);
      expect(res.status).toBe(404);
    },
    () => `all 404, slowest ${slowest.toFixed(0)} ms`,
  );
  expect(failures).toEqual([]);
  // the real keyframe is still served: the refusals above are about the files, not a broken route
  const ok = await fetch(`${server.origin}/keyframes/${seeded.clipId}/${real}`);
  expect(ok.status).toBe(200);
});

it("cinerag ingest: FIFO, device, symlink loop, dangling link, folder", async () => {
  const names = ["fifo.mkv", "zero.mkv", "loop-a.mkv", "dangling.mkv", "folder.mkv"];
  const dataDir = path.join(dir, "cli-data");
  const exits: number[] = [];
  const failures = await runCases(
    "cli ingest special files",
    names,
    async (name) => {
      const r = await runCliMeasured(["ingest", path.join(root, name)], { CINERAG_DATA_DIR: dataDir });
      exits.push(r.code ?? -1);
      expect(r.code).toBe(2);
      expect(isOneLineRefusal(r.stderr), r.stderr).toBe(true);
      if (name === "loop-a.mkv") expect(r.stderr).toMatch(/symbolic link loop/);
      const db = databaseIntact(path.join(dataDir, "cinerag.db"));
      expect(db.ok, db.why).toBe(true);
      expect(db.clips).toBe(0);
    },
    () => `exit codes ${exits.join(", ")}, one line each`,
  );
  expect(failures).toEqual([]);
});
