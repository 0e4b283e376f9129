// The OCR port: what the subtitle stages ask of an optical character recognition engine. Images are 8-bit
// grey, text bright on a dark ground (what a subtitle bitmap composited on black, or a video band, gives);
// an engine converts to what its model expects.

export interface GreyImage {
  width: number;
  height: number;
  /** width * height bytes, row-major */
  data: Uint8Array;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface OcrLine {
  text: string;
  /** mean probability of the characters read, in [0, 1] */
  confidence: number;
  /** where the line is, in the image's pixels */
  box: Box;
}

/** Which engine and model read a language: the provenance every OCR'd cue carries. */
export interface OcrModelInfo {
  engine: string;
  model: string;
}

export interface ReadOptions {
  stopBelow?: number;
}

export interface OcrEngine {
  readonly name: string;
  /** the model that reads `language` (a BCP 47 tag or ISO 639-2 code), or undefined when none does */
  modelFor(language: string | undefined): OcrModelInfo | undefined;
  /**
   * the lines of text in the image, top to bottom. `stopBelow`: stop at the first line read with a lower
   * confidence (returned last): the callers drop a read whose least sure line is below their floor, so the
   * lines after it would be read for nothing (a 960 px band of texture held 13 "lines" of 125 ms each)
   */
  readLines(image: GreyImage, language: string | undefined, options?: ReadOptions): Promise<OcrLine[]>;
  /** the text of one image that holds a single line (no detection step) */
  readLine(image: GreyImage, language: string | undefined): Promise<Omit<OcrLine, "box">>;
}
