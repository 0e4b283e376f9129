// Redis pub/sub (scale-out): every process publishes to Redis and receives what any process published, so
// a client subscribed on one API server sees the job progress of a worker on another machine. Locally the
// events fan out through an InProcessPubSub (same bounded buffers and slow-subscriber policy); each Redis
// channel is subscribed once per process while it has local subscribers.
//
// Channels: `<prefix><topic>` or `<prefix><topic>:<id>`; messages are the payloads as JSON.
import { Redis } from "ioredis";
import type { Logger } from "../logging/logger.js";
import { InProcessPubSub } from "./in-process.pubsub.js";
import { asError, routingKey, type PubSub } from "./pubsub.port.js";

export interface RedisPubSubOptions {
  url: string;
  /** channel prefix, so that several deployments can share one Redis (default "cinerag:") */
  prefix?: string;
  bufferSize?: number;
  logger?: Logger;
}

/** Resolves when the connection is ready; rejects with the first error while connecting (no endless retry wait). */
export function connected(connection: Redis): Promise<void> {
  if (connection.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      connection.off("error", onError);
      resolve();
    };
    const onError = (error: Error) => {
      connection.off("ready", onReady);
      reject(error);
    };
    connection.once("ready", onReady);
    connection.once("error", onError);
  });
}

export class RedisPubSub implements PubSub {
  private readonly local: InProcessPubSub;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly prefix: string;
  /** channel → number of local iterators reading it */
  private readonly channels = new Map<string, number>();
  private closed = false;
  private readonly connectedOnce = new Set<"publisher" | "subscriber">();

  constructor(private readonly options: RedisPubSubOptions) {
    this.prefix = options.prefix ?? "cinerag:";
    this.local = new InProcessPubSub({ bufferSize: options.bufferSize, logger: options.logger });
    // Events are ephemeral (the Job row is the record): while Redis is away a publish is dropped, not queued
    // without bound; the subscriber connection resubscribes its channels when it is back.
    const common = { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false } as const;
    this.publisher = new Redis(options.url, { ...common, connectionName: "cinerag-pub" });
    this.subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true, connectionName: "cinerag-sub" });
    for (const [name, connection] of [
      ["publisher", this.publisher],
      ["subscriber", this.subscriber],
    ] as const) {
      connection.on("error", (error: Error) => {
        // before the first connect, a failure is ready()'s to report (one line and exit 69 at start-up);
        // a warning logged then would land after that line
        if (this.connectedOnce.has(name))
          options.logger?.warn({ connection: name, err: error.message }, "redis pub/sub connection problem");
      });
      connection.once("ready", () => this.connectedOnce.add(name));
    }
    this.subscriber.on("message", (channel: string, message: string) => this.deliver(channel, message));
  }

  /** resolves when both connections are up; rejects with the first connection error */
  async ready(): Promise<void> {
    await Promise.all([connected(this.publisher), connected(this.subscriber)]);
  }

  publish(topic: string, ...args: unknown[]): void {
    if (this.closed) return;
    const [channel, payload] =
      args.length >= 2 ? [this.channel(topic, args[0]), args[1]] : [this.channel(topic), args[0]];
    this.publisher.publish(channel, JSON.stringify(payload ?? null)).catch((error: Error) => {
      this.options.logger?.warn({ channel, err: error.message }, "redis publish failed: event dropped");
    });
  }

  subscribe(topic: string, id?: unknown): AsyncIterableIterator<unknown> {
    const channel = this.channel(topic, id);
    const inner = this.local.subscribe(this.localKey(channel));
    if (this.closed) return inner;
    this.retain(channel);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.releaseChannel(channel);
    };
    const iterator: AsyncIterableIterator<unknown> = {
      next: async () => {
        const result = await inner.next();
        if (result.done) release();
        return result;
      },
      return: async () => {
        release();
        return inner.return ? inner.return() : { value: undefined, done: true };
      },
      throw: async (error?: unknown) => {
        release();
        return inner.throw ? inner.throw(error) : Promise.reject(asError(error));
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  subscriberCount(topic?: string): number {
    return this.local.subscriberCount(topic === undefined ? undefined : this.localKey(this.channel(topic)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.local.close();
    this.channels.clear();
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private channel(topic: string, id?: unknown): string {
    return `${this.prefix}${routingKey(topic, id)}`;
  }

  /** the local fan-out's key for a channel (the channel without the prefix) */
  private localKey(channel: string): string {
    return channel.slice(this.prefix.length);
  }

  private deliver(channel: string, message: string): void {
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch {
      this.options.logger?.warn({ channel }, "redis pub/sub: a message that is not JSON was ignored");
      return;
    }
    this.local.publish(this.localKey(channel), payload);
  }

  private retain(channel: string): void {
    const n = this.channels.get(channel) ?? 0;
    this.channels.set(channel, n + 1);
    if (n === 0)
      this.subscriber.subscribe(channel).catch((error: Error) => {
        this.options.logger?.warn({ channel, err: error.message }, "redis subscribe failed");
      });
  }

  private releaseChannel(channel: string): void {
    const n = (this.channels.get(channel) ?? 1) - 1;
    if (n > 0) return void this.channels.set(channel, n);
    this.channels.delete(channel);
    if (!this.closed)
      this.subscriber.unsubscribe(channel).catch((error: Error) => {
        this.options.logger?.warn({ channel, err: error.message }, "redis unsubscribe failed");
      });
  }
}

/**
 * For `cinerag doctor`: one connection (no retry loop) given to `use` with Redis's version, disconnected after;
 * rejects when Redis cannot be reached.
 */
export async function withProbeConnection<T>(
  url: string,
  timeoutMs: number,
  use: (connection: Redis, version: string) => Promise<T>,
): Promise<T> {
  const connection = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  connection.on("error", () => undefined); // the rejected connect() says it
  try {
    await connection.connect();
    const info = await connection.info("server");
    return await use(connection, /redis_version:(\S+)/.exec(info)?.[1] ?? "?");
  } finally {
    connection.disconnect();
  }
}

/** For `cinerag doctor`: Redis's version; rejects when unreachable. */
export async function describeRedis(url: string, timeoutMs = 3000): Promise<{ version: string }> {
  return withProbeConnection(url, timeoutMs, (_connection, version) => Promise.resolve({ version }));
}
