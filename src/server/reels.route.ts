// GET /reels/<file>.mp4: reference reels of the effects breakdown (src/analysis/effects/reel.ts) from
// <dataDir>/reels. Only a plain .mp4 name is served, and its real path must be inside that folder; with API
// keys configured a request needs a key or the URL's signature, as for keyframes.
import { realpath } from "node:fs/promises";
import path from "node:path";
import type { Request, Response } from "express";
import type { KeyframeUrls } from "../services/keyframe-url.js";
import { isInside } from "../services/media-root.guard.js";
import { REEL_ROUTE } from "../analysis/effects/reel-url.js";
import { REELS_FOLDER } from "../analysis/effects/reel.js";
import { ApiKeyAuth } from "./api-keys.js";

const NAME = /^[A-Za-z0-9][\w-]{0,127}\.mp4$/;

export function reelHandler(opts: { dataDir: string; urls: KeyframeUrls; auth: ApiKeyAuth }) {
  return async (req: Request, res: Response): Promise<void> => {
    let name: string;
    try {
      name = decodeURIComponent(req.path.replace(/^\//, ""));
    } catch {
      name = "";
    }
    if (!NAME.test(name)) {
      res.status(404).type("text/plain").send("not found");
      return;
    }
    if (!opts.auth.localMode) {
      const key = ApiKeyAuth.keyFrom(req.headers);
      const byKey = key !== undefined && opts.auth.roleOf(key) !== undefined;
      if (!byKey && !opts.urls.verify(`${REEL_ROUTE}/${name}`, req.query.exp, req.query.sig)) {
        res.status(401).type("text/plain").send("an API key or a signed URL is required");
        return;
      }
    }
    try {
      const root = await realpath(path.join(opts.dataDir, REELS_FOLDER));
      const real = await realpath(path.join(root, name));
      if (!isInside(root, real)) throw new Error("outside");
      res.setHeader("X-Content-Type-Options", "nosniff");
      res.type("video/mp4").sendFile(real, { dotfiles: "deny" }, (error) => {
        if (error && !res.headersSent) res.status(404).type("text/plain").send("not found");
      });
    } catch {
      res.status(404).type("text/plain").send("not found");
    }
  };
}
