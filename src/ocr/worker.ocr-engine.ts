// PP-OCR on a worker thread, behind the same OcrEngine port: the burned-in reader hands it each run of band
// text while the frame pass goes on decoding, and the reads overlap the decode instead of following it
// (onnxruntime-node runs a model synchronously on the thread that calls it). One worker, started at the
// first read; it holds the process open only while a read is pending. A worker that dies fails the reads
// it held, and the next read starts another.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { AppError, type ErrorCode } from "../errors/app-error.js";
import type { GreyImage, OcrEngine, OcrLine, OcrModelInfo, ReadOptions } from "./ocr.port.js";
import { PpOcrEngine, type PpOcrOptions } from "./ppocr.engine.js";

type Line = Omit<OcrLine, "box">;

type OcrCall =
  | { op: "lines"; image: GreyImage; language: string | undefined; options?: ReadOptions }
  | { op: "line"; image: GreyImage; language: string | undefined };

export type OcrRequest = OcrCall & { id: number };

export type OcrResponse =
  | { id: number; lines: OcrLine[] }
  | { id: number; line: Line }
  | { id: number; error: { code: ErrorCode | undefined; message: string } };

interface Pending {
  resolve: (response: OcrResponse) => void;
  reject: (error: Error) => void;
}

/**
 * The worker's script: beside this module in the build; run from the TypeScript sources (vitest, which
 * `npm test` runs after the build), the build's copy. Undefined without a build: the reads stay on this thread.
 */
export function ocrWorkerScript(): URL | undefined {
  if (!import.meta.url.endsWith(".ts")) return new URL("./ocr.worker.js", import.meta.url);
  const built = new URL("../../dist/src/ocr/ocr.worker.js", import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export class WorkerOcrEngine implements OcrEngine {
  readonly name: string;
  /** answers modelFor, and reads when there is no worker script */
  private readonly local: PpOcrEngine;
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    private readonly options: PpOcrOptions = {},
    private readonly script: URL | undefined = ocrWorkerScript(),
  ) {
    this.local = new PpOcrEngine(options);
    this.name = this.local.name;
  }

  modelFor(language: string | undefined): OcrModelInfo | undefined {
    return this.local.modelFor(language);
  }

  async readLines(image: GreyImage, language: string | undefined, options?: ReadOptions): Promise<OcrLine[]> {
    if (!this.script) return this.local.readLines(image, language, options);
    const response = await this.call({ op: "lines", image, language, options });
    if (!("lines" in response)) throw new AppError("MODEL_UNAVAILABLE", "the OCR worker answered out of turn");
    return response.lines;
  }

  async readLine(image: GreyImage, language: string | undefined): Promise<Line> {
    if (!this.script) return this.local.readLine(image, language);
    const response = await this.call({ op: "line", image, language });
    if (!("line" in response)) throw new AppError("MODEL_UNAVAILABLE", "the OCR worker answered out of turn");
    return response.line;
  }

  /** Stops the worker; a later read starts another. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new AppError("CANCELLED", "the OCR engine was closed"));
    await worker?.terminate();
  }

  private call(request: OcrCall): Promise<OcrResponse> {
    const worker = this.started();
    const id = this.nextId++;
    // the image is copied into a buffer of its own and moved, not cloned: the caller keeps its own
    const data = request.image.data.slice();
    const message: OcrRequest = { ...request, id, image: { ...request.image, data } };
    return new Promise<OcrResponse>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage(message, [data.buffer]);
    }).then((response) => {
      if ("error" in response) throw new AppError(response.error.code ?? "MODEL_UNAVAILABLE", response.error.message);
      return response;
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // not the parent's node options: a worker given `--input-type` or `-e` (a script run with node -e) dies
    const worker = new Worker(this.script!, { workerData: this.options, execArgv: [] });
    worker.unref();
    worker.on("message", (response: OcrResponse) => {
      const pending = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (this.pending.size === 0) worker.unref();
      pending?.resolve(response);
    });
    const died = (why: string) => {
      if (this.worker !== worker) return; // closed: its reads were failed then
      this.worker = undefined;
      this.failAll(new AppError("MODEL_UNAVAILABLE", `the OCR worker stopped: ${why}`));
    };
    worker.on("error", (error) => died(error.message));
    worker.on("exit", (code) => died(`exit ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(error);
    }
  }
}
