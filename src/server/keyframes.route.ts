// GET /keyframes/<clip>/<file>.jpg: keyframe JPEGs from the data directory. Only plain names of .jpg files
// two levels down are served (no `..`, no dot files below the keyframe folder, no other extensions), and the resolved real path must
// still be inside the keyframe folder (no symlink out). With API keys configured a request needs a key or
// the URL's signature (see src/services/keyframe-url.ts).
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { KeyframeUrls } from "../services/keyframe-url.js";
import { KEYFRAME_ROUTE } from "../services/keyframe-url.js";
import { isInside } from "../services/media-root.guard.js";
import type { ApiKeyAuth } from "./api-keys.js";
import { notFound, sendFile } from "./send-file.js";
import {
  encodedRelative,
  KEY_OR_SIGNATURE_REQUIRED,
  keyOrSignature,
  rawPathBelow,
  type SignedUrlQuery,
} from "./route-path.js";

const SEGMENT = /^[A-Za-z0-9][\w.-]{0,127}$/;

export function keyframeHandler(opts: { keyframeDir: string; urls: KeyframeUrls; auth: ApiKeyAuth }) {
  let root: string | undefined;
  return async (req: FastifyRequest<{ Querystring: SignedUrlQuery }>, res: FastifyReply): Promise<FastifyReply> => {
    const urlPath = rawPathBelow(req.url, KEYFRAME_ROUTE); // /<clip>/<file>.jpg, still URL-encoded
    const full = `${KEYFRAME_ROUTE}${urlPath}`;
    const parts = urlPath
      .split("/")
      .filter(Boolean)
      .map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          return "";
        }
      });
    if (
      parts.length !== 2 ||
      !parts.every((p) => SEGMENT.test(p) && !p.includes("..")) ||
      !parts[1]!.toLowerCase().endsWith(".jpg")
    )
      return notFound(res);
    if (!keyOrSignature(req, opts, full))
      return res.code(401).type("text/plain; charset=utf-8").send(KEY_OR_SIGNATURE_REQUIRED);
    try {
      root ??= await realpath(opts.keyframeDir);
      const real = await realpath(path.join(root, ...parts));
      if (!isInside(root, real)) throw new Error("outside");
      // a FIFO or device under the folder would block a thread of the pool on open: regular files only
      if (!(await stat(real)).isFile()) throw new Error("not a file");
      res.header("Cache-Control", opts.auth.localMode ? "public, max-age=3600" : "private, max-age=3600");
      res.header("X-Content-Type-Options", "nosniff");
      // relative to the keyframe root: `send` checks dot segments of this relative path only, so a data
      // directory such as the default `./.cinerag` above the root is fine while `.x` files inside are not
      return await sendFile(req, res, encodedRelative(root, real), { root });
    } catch {
      root = undefined; // the folder may not exist yet
      return notFound(res);
    }
  };
}
