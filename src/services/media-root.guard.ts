// Paths that arrive over the API (ingestClip) are accepted only inside the configured media roots
// (CINERAG_MEDIA_ROOTS). Both the path and the roots are resolved with realpath, so `..` segments and
// symlinks that lead out of a root are refused; what is returned is the real path, so nothing later can be
// redirected by a symlink swapped in between (the pipeline opens the real path).
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors/app-error.js";
import type { Logger } from "../logging/logger.js";

export const MEDIA_ROOTS_HELP =
  "set CINERAG_MEDIA_ROOTS to the folders the server may read media from (separated by ':' or ','), e.g. CINERAG_MEDIA_ROOTS=/srv/media:/mnt/archive";

export class MediaRootGuard {
  private realRoots: Promise<string[]> | undefined;

  constructor(
    private readonly roots: string[] | undefined,
    private readonly logger?: Logger,
  ) {}

  get configured(): boolean {
    return (this.roots?.length ?? 0) > 0;
  }

  /** the roots that exist, resolved (missing ones are logged once and ignored) */
  resolvedRoots(): Promise<string[]> {
    this.realRoots ??= (async () => {
      const out: string[] = [];
      for (const root of this.roots ?? []) {
        try {
          out.push(await realpath(root));
        } catch {
          this.logger?.warn({ root }, "media root does not exist: ignored");
        }
      }
      return out;
    })();
    return this.realRoots;
  }

  /**
   * Checks a path given over the API and returns its real path. Throws FORBIDDEN when no roots are
   * configured or the path (after resolving symlinks) lies outside them, BAD_INPUT when it is not an
   * absolute path to an existing regular file.
   */
  async resolve(input: string, what = "path"): Promise<string> {
    if (!this.configured)
      throw new AppError(
        "FORBIDDEN",
        `the server reads no media files until media roots are configured: ${MEDIA_ROOTS_HELP}`,
      );
    if (typeof input !== "string" || input.length === 0 || input.length > 4096 || input.includes("\0")) {
      throw new AppError("BAD_INPUT", `${what} must be a non-empty file path`);
    }
    if (!path.isAbsolute(input))
      throw new AppError("BAD_INPUT", `${what} must be an absolute path (inside ${(this.roots ?? []).join(", ")})`);
    const roots = await this.resolvedRoots();
    // Refuse lexically outside paths before touching the file system (no probing of what exists elsewhere).
    const lexical = path.resolve(input);
    const unresolvedRoots = (this.roots ?? []).map((r) => path.resolve(r));
    // A root itself is within the roots (it is then refused below as not a file, which is the real reason).
    const within = (root: string, p: string) => root === p || isInside(root, p);
    if (![...roots, ...unresolvedRoots].some((root) => within(root, lexical))) throw outside(what, input);
    let real: string;
    try {
      real = await realpath(lexical);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ELOOP")
        throw new AppError("BAD_INPUT", `${what} ${input} is a symbolic link that loops`);
      throw new AppError("BAD_INPUT", `${what} ${input} does not exist`);
    }
    if (!roots.some((root) => within(root, real))) throw outside(what, input, real !== lexical);
    const info = await stat(real);
    if (!info.isFile()) throw new AppError("BAD_INPUT", `${what} ${input} is not a file`);
    return real;
  }
}

function outside(what: string, input: string, viaLink = false): AppError {
  return new AppError(
    "FORBIDDEN",
    viaLink
      ? `${what} ${input} is a link that leads outside the media roots`
      : `${what} ${input} is outside the media roots`,
  );
}

export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" ? false : !rel.startsWith("..") && !path.isAbsolute(rel);
}
