// URLs of reference reels: `<base>/reels/<file>.mp4`, signed like keyframe URLs when API keys are set
// (a <video> element cannot send a key).
import type { KeyframeUrls } from "../../services/keyframe-url.js";

export const REEL_ROUTE = "/reels";

export function reelUrl(urls: KeyframeUrls, relPath: string, baseUrl = ""): string {
  const file = relPath.split(/[\\/]+/).pop() ?? "";
  return `${baseUrl}${urls.signPath(`${REEL_ROUTE}/${encodeURIComponent(file)}`)}`;
}
