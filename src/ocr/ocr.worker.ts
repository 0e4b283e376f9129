// The OCR thread of worker.ocr-engine.ts: PP-OCR runs here because onnxruntime-node's inference is
// synchronous, and on the main thread it stalled the decoder's frames for the length of every read.
import { parentPort, workerData } from "node:worker_threads";
import { isAppError } from "../errors/app-error.js";
import { PpOcrEngine, type PpOcrOptions } from "./ppocr.engine.js";
import type { OcrRequest, OcrResponse } from "./worker.ocr-engine.js";

const engine = new PpOcrEngine(workerData as PpOcrOptions);
const port = parentPort!;

async function answer(request: OcrRequest): Promise<OcrResponse> {
  try {
    return request.op === "lines"
      ? { id: request.id, lines: await engine.readLines(request.image, request.language, request.options) }
      : { id: request.id, line: await engine.readLine(request.image, request.language) };
  } catch (error) {
    const code = isAppError(error) ? error.code : undefined;
    return { id: request.id, error: { code, message: (error as Error).message } };
  }
}

port.on("message", (request: OcrRequest) => {
  void answer(request).then((response) => port.postMessage(response));
});
