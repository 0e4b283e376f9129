// GET /reels/<file>.mp4: reference reels of the effects breakdown (src/analysis/effects/reel.ts) from
// <dataDir>/reels. Only a plain .mp4 name is served, and its real path must be inside that folder; with API
// keys configured a request needs a key or the URL's signature, as for keyframes.
import { realpath } from "node:fs/promises";
import path from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { KeyframeUrls } from "../services/keyframe-url.js";
import { isInside } from "../services/media-root.guard.js";
import { REEL_ROUTE } from "../analysis/effects/reel-url.js";
import { REELS_FOLDER } from "../analysis/effects/reel.js";
import type { ApiKeyAuth } from "./api-keys.js";
import { notFound, sendFile } from "./send-file.js";
import {
  encodedRelative,
  KEY_OR_SIGNATURE_REQUIRED,
  keyOrSignature,
  rawPathBelow,
  type SignedUrlQuery,
} from "./route-path.js";

const NAME = /^[A-Za-z0-9][\w-]{0,127}\.mp4$/;

export function reelHandler(opts: { dataDir: string; urls: KeyframeUrls; auth: ApiKeyAuth }) {
  return async (req: FastifyRequest<{ Querystring: SignedUrlQuery }>, res: FastifyReply): Promise<FastifyReply> => {
    let name: string;
    try {
      name = decodeURIComponent(rawPathBelow(req.url, REEL_ROUTE).replace(/^\//, ""));
    } catch {
      name = "";
    }
    if (!NAME.test(name)) return notFound(res);
    if (!keyOrSignature(req, opts, `${REEL_ROUTE}/${name}`))
      return res.code(401).type("text/plain; charset=utf-8").send(KEY_OR_SIGNATURE_REQUIRED);
    try {
      const root = await realpath(path.join(opts.dataDir, REELS_FOLDER));
      const real = await realpath(path.join(root, name));
      if (!isInside(root, real)) throw new Error("outside");
      res.header("X-Content-Type-Options", "nosniff");
      return await sendFile(req, res, encodedRelative(root, real), { root });
    } catch {
      return notFound(res);
    }
  };
}
