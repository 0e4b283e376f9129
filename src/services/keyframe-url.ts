// URLs of keyframe JPEGs as the schema returns them: `<base>/keyframes/<clip>/<file>.jpg`. With API keys
// configured the server needs a key for them too, and an <img> cannot send one: the URL then carries an
// expiring HMAC signature (`?exp=…&sig=…`) made with a secret derived from the configured keys, so it keeps
// working across restarts and stops working when the keys change.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const KEYFRAME_ROUTE = "/keyframes";
const URL_LIFETIME_S = 24 * 3600;

export class KeyframeUrls {
  private readonly secret: Buffer | undefined;

  constructor(keys: string[]) {
    this.secret =
      keys.length > 0
        ? createHash("sha256")
            .update(`cinerag-keyframes\0${[...keys].sort().join("\0")}`)
            .digest()
        : undefined;
  }

  get signed(): boolean {
    return this.secret !== undefined;
  }

  /** `filePath` is relative to the data directory (`keyframes/<clip>/<file>.jpg`) */
  url(filePath: string, baseUrl = "", now = Date.now()): string {
    const rel = filePath.split(/[\\/]+/).filter(Boolean);
    if (rel[0] === "keyframes") rel.shift();
    const urlPath = `${KEYFRAME_ROUTE}/${rel.map(encodeURIComponent).join("/")}`;
    if (!this.secret) return `${baseUrl}${urlPath}`;
    const exp = Math.floor(now / 1000 / 3600) * 3600 + URL_LIFETIME_S; // stable for an hour: cacheable
    return `${baseUrl}${urlPath}?exp=${exp}&sig=${this.sign(urlPath, exp)}`;
  }

  /** `urlPath` with a signature when keys are configured (other routes served like keyframes: reels) */
  signPath(urlPath: string, now = Date.now()): string {
    if (!this.secret) return urlPath;
    const exp = Math.floor(now / 1000 / 3600) * 3600 + URL_LIFETIME_S;
    return `${urlPath}?exp=${exp}&sig=${this.sign(urlPath, exp)}`;
  }

  /** checks `exp`/`sig` of a request for `urlPath` (as served, e.g. /keyframes/abc/000001.jpg) */
  verify(urlPath: string, exp: unknown, sig: unknown, now = Date.now()): boolean {
    if (!this.secret) return true;
    if (typeof exp !== "string" || typeof sig !== "string" || !/^\d{1,12}$/.test(exp)) return false;
    if (Number(exp) * 1000 < now) return false;
    const expected = Buffer.from(this.sign(urlPath, Number(exp)));
    const given = Buffer.from(sig);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private sign(urlPath: string, exp: number): string {
    return createHmac("sha256", this.secret!).update(`${urlPath}\n${exp}`).digest("base64url");
  }
}
