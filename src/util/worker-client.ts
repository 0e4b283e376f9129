// One worker thread answering requests in turn, for work that must leave the main thread: onnxruntime-node's
// synchronous inference (the OCR worker) and better-sqlite3's synchronous reads (the keyword side of a
// hybrid search). The worker starts at the first call and holds the process open only while a call is
// pending; one that dies fails the calls it held, and the next call starts another.
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { parentPort, Worker, type Transferable } from "node:worker_threads";
import { AppError, isAppError, type ErrorCode } from "../errors/app-error.js";

/** What a worker answers: the request's id and its result, or the error it threw. */
export type WorkerReply<Res> =
  { id: number; result: Res } | { id: number; error: { code: ErrorCode | undefined; message: string } };

export type WorkerRequest<Req> = Req & { id: number };

interface Pending<Res> {
  resolve: (result: Res) => void;
  reject: (error: Error) => void;
}

/**
 * A worker's script: beside the calling module in the build; run from the TypeScript sources (vitest, which
 * `npm test` runs after the build), the build's copy. Undefined without a build: the caller works in place.
 */
export function workerScript(caller: string, relative: string): URL | undefined {
  if (!caller.endsWith(".ts")) return new URL(`./${relative}`, caller);
  const source = fileURLToPath(new URL(".", caller));
  const dir = source.slice(source.lastIndexOf("/src/") + 1); // "src/<feature>/"
  const built = new URL(`../../dist/${dir}${relative}`, caller);
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export class WorkerClient<Req extends object, Res> {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending<Res>>();
  private nextId = 1;

  constructor(
    private readonly script: URL,
    private readonly workerData: unknown,
    /** how errors name it ("the OCR worker") */
    private readonly name: string,
    /** the code of the error a call gets when the worker dies under it */
    private readonly diedCode: ErrorCode,
  ) {}

  call(request: Req, transfer: Transferable[] = []): Promise<Res> {
    const worker = this.started();
    const id = this.nextId++;
    const message: WorkerRequest<Req> = { ...request, id };
    return new Promise<Res>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage(message, transfer);
    });
  }

  /** Stops the worker, failing what it held with `error`; a later call starts another. */
  async close(error: Error): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(error);
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // not the parent's node options: a worker given `--input-type` or `-e` (a script run with node -e) dies
    const worker = new Worker(this.script, { workerData: this.workerData, execArgv: [] });
    worker.unref();
    worker.on("message", (reply: WorkerReply<Res>) => {
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if (!pending) return;
      if ("error" in reply) pending.reject(new AppError(reply.error.code ?? this.diedCode, reply.error.message));
      else pending.resolve(reply.result);
    });
    const died = (why: string) => {
      if (this.worker !== worker) return; // closed: its calls were failed then
      this.worker = undefined;
      this.failAll(new AppError(this.diedCode, `${this.name} stopped: ${why}`));
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

/** The worker's side: answers each request with `handle`'s result, or the error it threw. */
export function serveRequests<Req, Res>(handle: (request: WorkerRequest<Req>) => Res | Promise<Res>): void {
  const port = parentPort!;
  port.on("message", (request: WorkerRequest<Req>) => {
    void (async (): Promise<WorkerReply<Res>> => {
      try {
        return { id: request.id, result: await handle(request) };
      } catch (error) {
        const code = isAppError(error) ? error.code : undefined;
        return { id: request.id, error: { code, message: (error as Error).message } };
      }
    })().then((reply) => port.postMessage(reply));
  });
}
