// Embedded indexes for the search tests: files in a temp folder of the test file's own, every index opened
// through here closed after each test, the folder removed after the file's tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach } from "vitest";
import { EmbeddedSceneIndex, type EmbeddedSceneIndexOptions } from "../../../src/search/embedded.scene-index.js";

export interface TrackedIndexes {
  /** the temp folder (for files beside the indexes) */
  root: string;
  /** a new index file's path, in a folder of its own */
  newFile: () => string;
  /** an index on `file` with the defaults and these options, closed after the test */
  open: (file: string, options?: Partial<EmbeddedSceneIndexOptions>) => EmbeddedSceneIndex;
  /** closes an index made elsewhere after the test */
  track: (index: EmbeddedSceneIndex) => EmbeddedSceneIndex;
}

export function trackedIndexes(prefix: string, defaults: Omit<EmbeddedSceneIndexOptions, "file">): TrackedIndexes {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const opened: EmbeddedSceneIndex[] = [];
  let n = 0;
  afterEach(async () => {
    for (const index of opened.splice(0)) await index.close();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const track = (index: EmbeddedSceneIndex) => {
    opened.push(index);
    return index;
  };
  return {
    root,
    newFile: () => path.join(root, `t${n++}`, "search.db"),
    open: (file, options = {}) => track(new EmbeddedSceneIndex({ ...defaults, ...options, file })),
    track,
  };
}
