// PP-OCR on a worker thread, behind the same OcrEngine port: the burned-in reader hands it each run of band
// text while the frame pass goes on decoding, and the reads overlap the decode instead of following it
// (onnxruntime-node runs a model synchronously on the thread that calls it). One worker, started at the
// first read; it holds the process open only while a read is pending. A worker that dies fails the reads
// it held, and the next read starts another.
import { AppError } from "../errors/app-error.js";
import { WorkerClient, workerScript } from "../util/worker-client.js";
import type { GreyImage, OcrEngine, OcrLine, OcrModelInfo, ReadOptions } from "./ocr.port.js";
import { PpOcrEngine, type PpOcrOptions } from "./ppocr.engine.js";

export type OcrLineRead = Omit<OcrLine, "box">;

export type OcrRequest =
  | { op: "lines"; image: GreyImage; language: string | undefined; options?: ReadOptions }
  | { op: "line"; image: GreyImage; language: string | undefined };

/** what the worker answers: the lines of an image, or one line's read */
export type OcrResult = OcrLine[] | OcrLineRead;

/** The worker's script (see workerScript); undefined without a build: the reads stay on this thread. */
export function ocrWorkerScript(): URL | undefined {
  return workerScript(import.meta.url, "ocr.worker.js");
}

export class WorkerOcrEngine implements OcrEngine {
  readonly name: string;
  /** answers modelFor, and reads when there is no worker script */
  private readonly local: PpOcrEngine;
  private readonly worker?: WorkerClient<OcrRequest, OcrResult>;

  constructor(options: PpOcrOptions = {}, script: URL | undefined = ocrWorkerScript()) {
    this.local = new PpOcrEngine(options);
    this.name = this.local.name;
    if (script) this.worker = new WorkerClient(script, options, "the OCR worker", "MODEL_UNAVAILABLE");
  }

  modelFor(language: string | undefined): OcrModelInfo | undefined {
    return this.local.modelFor(language);
  }

  async readLines(image: GreyImage, language: string | undefined, options?: ReadOptions): Promise<OcrLine[]> {
    if (!this.worker) return this.local.readLines(image, language, options);
    const result = await this.call({ op: "lines", image, language, options });
    if (!Array.isArray(result)) throw new AppError("MODEL_UNAVAILABLE", "the OCR worker answered out of turn");
    return result;
  }

  async readLine(image: GreyImage, language: string | undefined): Promise<OcrLineRead> {
    if (!this.worker) return this.local.readLine(image, language);
    const result = await this.call({ op: "line", image, language });
    if (Array.isArray(result)) throw new AppError("MODEL_UNAVAILABLE", "the OCR worker answered out of turn");
    return result;
  }

  /** Stops the worker; a later read starts another. */
  async close(): Promise<void> {
    await this.worker?.close(new AppError("CANCELLED", "the OCR engine was closed"));
  }

  private call(request: OcrRequest): Promise<OcrResult> {
    // the image is copied into a buffer of its own and moved, not cloned: the caller keeps its own
    const data = request.image.data.slice();
    return this.worker!.call({ ...request, image: { ...request.image, data } }, [data.buffer]);
  }
}
