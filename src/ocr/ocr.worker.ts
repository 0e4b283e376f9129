// The OCR thread of worker.ocr-engine.ts: PP-OCR runs here because onnxruntime-node's inference is
// synchronous, and on the main thread it stalled the decoder's frames for the length of every read.
import { workerData } from "node:worker_threads";
import { serveRequests } from "../util/worker-client.js";
import { PpOcrEngine, type PpOcrOptions } from "./ppocr.engine.js";
import type { OcrRequest, OcrResult } from "./worker.ocr-engine.js";

const engine = new PpOcrEngine(workerData as PpOcrOptions);

serveRequests<OcrRequest, OcrResult>((request) =>
  request.op === "lines"
    ? engine.readLines(request.image, request.language, request.options)
    : engine.readLine(request.image, request.language),
);
