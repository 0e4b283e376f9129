// The burned-in band is cropped in whole source pixels: a fraction of `ih` is 0 rows on a tiny frame, and
// ffmpeg refused the filter graph, failing the whole ingest of a 2x2 clip (found by the attack suite).
import { describe, expect, it } from "vitest";
import { bandCrop } from "../../../src/media/ffmpeg/band-decoder.js";

describe("bandCrop", () => {
  it("takes the lower share of the frame, an even number of rows", () => {
    expect(bandCrop({ width: 1920, height: 1080 }, 0.3)).toEqual({ height: 324, y: 756 });
    expect(bandCrop({ width: 4000, height: 16 }, 0.3)).toEqual({ height: 4, y: 12 });
  });

  it("never crops to 0 rows nor past the frame", () => {
    expect(bandCrop({ width: 2, height: 2 }, 0.3)).toEqual({ height: 2, y: 0 });
    expect(bandCrop({ width: 3, height: 3 }, 0.3)).toEqual({ height: 2, y: 1 });
    expect(bandCrop({ width: 4, height: 1 }, 0.3)).toEqual({ height: 1, y: 0 });
    expect(bandCrop({ width: 16, height: 16 }, 1)).toEqual({ height: 16, y: 0 });
  });
});
