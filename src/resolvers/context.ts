// The context every resolver gets, over HTTP, WebSocket and `cinerag query` alike.
import type { Logger } from "../logging/logger.js";
import type { ApiRole } from "../config.js";
import type { ClipService } from "../services/clip.service.js";
import type { SceneService } from "../services/scene.service.js";
import type { MediaRootGuard } from "../services/media-root.guard.js";
import type { KeyframeUrls } from "../services/keyframe-url.js";
import type { JobQueue } from "../jobs/job-queue.port.js";
import type { PubSub } from "../events/pubsub.port.js";
import { AppError } from "../errors/app-error.js";
import { createLoaders, type Loaders } from "./loaders.js";

export interface ApiServices {
  clips: ClipService;
  scenes: SceneService;
  jobs: JobQueue;
  pubsub: PubSub;
  mediaRoots: MediaRootGuard;
  keyframeUrls: KeyframeUrls;
}

/** A per-operation time limit: resolvers race it (see deadline.middleware.ts). */
export class Deadline {
  private promise: Promise<never> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly expiresAt: number,
    private readonly limitMs: number,
  ) {}

  get expired(): boolean {
    return Date.now() >= this.expiresAt;
  }

  error(): AppError {
    return new AppError("TIMEOUT", `the operation took longer than its time limit of ${this.limitMs / 1000} s`);
  }

  /** rejects when the time is up (created on first use) */
  get reached(): Promise<never> {
    this.promise ??= new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => reject(this.error()), Math.max(0, this.expiresAt - Date.now()));
      this.timer.unref();
    });
    this.promise.catch(() => undefined);
    return this.promise;
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

export interface GraphQLContext {
  requestId: string;
  /** "editor" in local single-user mode (no keys configured) */
  role: ApiRole;
  logger: Logger;
  services: ApiServices;
  loaders: Loaders;
  /** absolute origin for keyframe URLs (`http://host:port`); "" gives root-relative URLs */
  baseUrl: string;
  deadline?: Deadline;
}

export interface ContextInput {
  services: ApiServices;
  /** the app's logger: the context's is a child of it with the request id */
  logger: Logger;
  requestId: string;
  role: ApiRole;
  baseUrl?: string;
  timeoutMs?: number;
}

/**
 * Loaders and the request's child logger are made on first use: most requests need few or none of them.
 * The lazy parts are getters on the prototype, not own properties: Apollo shallow-copies the context of
 * each request (own properties only, prototype kept), which would otherwise run every getter.
 */
class RequestContext implements GraphQLContext {
  readonly requestId: string;
  readonly role: ApiRole;
  readonly services: ApiServices;
  readonly baseUrl: string;
  readonly deadline?: Deadline;
  private readonly appLogger: Logger;
  private lazyLoaders: Loaders | undefined;
  private lazyLogger: Logger | undefined;

  constructor(input: ContextInput) {
    this.requestId = input.requestId;
    this.role = input.role;
    this.services = input.services;
    this.baseUrl = input.baseUrl ?? "";
    this.appLogger = input.logger;
    if (input.timeoutMs) this.deadline = new Deadline(Date.now() + input.timeoutMs, input.timeoutMs);
  }

  get logger(): Logger {
    this.lazyLogger ??= this.appLogger.child({ requestId: this.requestId });
    return this.lazyLogger;
  }

  get loaders(): Loaders {
    this.lazyLoaders ??= createLoaders(this.services);
    return this.lazyLoaders;
  }

  set loaders(value: Loaders) {
    this.lazyLoaders = value;
  }
}

export function createContext(input: ContextInput): GraphQLContext {
  return new RequestContext(input);
}

/** new DataLoaders for the next event of a long-lived subscription (no stale cache) */
export function freshLoaders(ctx: GraphQLContext): void {
  ctx.loaders = createLoaders(ctx.services);
}
