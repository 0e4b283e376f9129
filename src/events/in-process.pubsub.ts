// In-process pub/sub: a set of bounded queues per routing key. Publishing never blocks: a subscriber that
// does not keep up loses its oldest buffered events (progress events supersede each other) and is told so
// once in the log.
import type { Logger } from "../logging/logger.js";
import { asError, routingKey, type PubSub } from "./pubsub.port.js";

interface Subscriber {
  push(value: unknown): void;
  end(): void;
}

const DEFAULT_BUFFER = 256;

export class InProcessPubSub implements PubSub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private closed = false;

  constructor(private readonly options: { bufferSize?: number; logger?: Logger } = {}) {}

  publish(topic: string, ...args: unknown[]): void {
    if (this.closed) return;
    const [key, payload] = args.length >= 2 ? [routingKey(topic, args[0]), args[1]] : [topic, args[0]];
    const set = this.subscribers.get(key);
    if (!set) return;
    for (const subscriber of [...set]) subscriber.push(payload);
  }

  subscribe(topic: string, id?: unknown): AsyncIterableIterator<unknown> {
    const key = routingKey(topic, id);
    const limit = this.options.bufferSize ?? DEFAULT_BUFFER;
    const buffer: unknown[] = [];
    const waiting: Array<(r: IteratorResult<unknown>) => void> = [];
    let done = this.closed;
    let warned = false;
    const set = this.subscribers.get(key) ?? new Set<Subscriber>();
    const logger = this.options.logger;

    const finish = () => {
      if (done) return;
      done = true;
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(key) === set) this.subscribers.delete(key);
      buffer.length = 0;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
    };
    const subscriber: Subscriber = {
      push(value) {
        if (done) return;
        const next = waiting.shift();
        if (next) return next({ value, done: false });
        if (buffer.length >= limit) {
          buffer.shift();
          if (!warned) logger?.warn({ topic: key }, "slow subscriber: dropping its oldest events");
          warned = true;
        }
        buffer.push(value);
      },
      end: finish,
    };
    if (!done) {
      set.add(subscriber);
      this.subscribers.set(key, set);
    }

    const iterator: AsyncIterableIterator<unknown> = {
      next() {
        if (buffer.length > 0) return Promise.resolve({ value: buffer.shift(), done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return() {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw(error?: unknown) {
        finish();
        return Promise.reject(asError(error));
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  subscriberCount(topic?: string): number {
    let n = 0;
    for (const [key, set] of this.subscribers)
      if (topic === undefined || key === topic || key.startsWith(`${topic}:`)) n += set.size;
    return n;
  }

  /** ends every subscription (server shutdown) */
  close(): void {
    this.closed = true;
    for (const set of [...this.subscribers.values()]) for (const s of [...set]) s.end();
    this.subscribers.clear();
  }
}
