// The pub/sub contract, run on the in-process driver and on Redis (a real redis-server started here): routing,
// unsubscribe, close, JSON payloads, the slow-subscriber policy; and for Redis what only it can do: events
// cross processes (two instances = two connections), a restarted Redis is resubscribed, an unreachable one
// fails `ready()` with a clear error.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InProcessPubSub } from "../../../src/events/in-process.pubsub.js";
import type { PubSub } from "../../../src/events/pubsub.port.js";
import { RedisPubSub } from "../../../src/events/redis.pubsub.js";
import { freePort, REDIS_MISSING, startRedis, type TestRedis } from "../../helpers/redis-server.js";

if (REDIS_MISSING) console.warn(`skipping the Redis pub/sub contract: ${REDIS_MISSING}`);

interface Pair {
  /** where events are published */
  a: PubSub;
  /** where they are read (the same object for one process, another process's for Redis) */
  b: PubSub;
  /** resolves once b's subscription on the channel is in place */
  subscribed(channel: string): Promise<void>;
  close(): void;
}

const take = async (it: AsyncIterableIterator<unknown>, n: number): Promise<unknown[]> => {
  const out: unknown[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
};

function contract(name: string, make: (bufferSize?: number) => Promise<Pair>, skip = false): void {
  describe.skipIf(skip)(`pub/sub contract: ${name}`, () => {
    it("routes by id: a subscriber gets its id's events, in order, and no other's", async () => {
      const p = await make();
      const sub = p.b.subscribe("JOB_PROGRESS", "job-1");
      await p.subscribed("JOB_PROGRESS:job-1");
      p.a.publish("JOB_PROGRESS", "job-2", { n: -1 });
      for (let n = 0; n < 5; n++) p.a.publish("JOB_PROGRESS", "job-1", { n, nested: { ok: true } });
      expect(await take(sub, 5)).toEqual([0, 1, 2, 3, 4].map((n) => ({ n, nested: { ok: true } })));
      await sub.return?.();
      p.close();
    });

    it("delivers unrouted topics to every subscriber", async () => {
      const p = await make();
      const s1 = p.b.subscribe("CLIP_UPDATED");
      const s2 = p.b.subscribe("CLIP_UPDATED");
      await p.subscribed("CLIP_UPDATED");
      p.a.publish("CLIP_UPDATED", { clipId: "c", change: "READY" });
      expect(await take(s1, 1)).toEqual([{ clipId: "c", change: "READY" }]);
      expect(await take(s2, 1)).toEqual([{ clipId: "c", change: "READY" }]);
      expect(p.b.subscriberCount("CLIP_UPDATED")).toBe(2);
      await s1.return?.();
      await s2.return?.();
      expect(p.b.subscriberCount("CLIP_UPDATED")).toBe(0);
      p.close();
    });

    it("return() unsubscribes and close() ends the iterators that are still open", async () => {
      const p = await make();
      const ended = p.b.subscribe("JOB_PROGRESS", "x");
      await p.subscribed("JOB_PROGRESS:x");
      expect(await ended.return?.()).toEqual({ value: undefined, done: true });
      expect(p.b.subscriberCount()).toBe(0);
      const open = p.b.subscribe("JOB_PROGRESS", "y");
      const pending = open.next();
      p.b.close();
      expect(await pending).toEqual({ value: undefined, done: true });
      p.close();
    });

    it("drops a slow subscriber's oldest events beyond its buffer", async () => {
      const p = await make(3);
      const sub = p.b.subscribe("JOB_PROGRESS", "slow");
      await p.subscribed("JOB_PROGRESS:slow");
      for (let n = 0; n < 10; n++) p.a.publish("JOB_PROGRESS", "slow", n);
      // the last published event has arrived once a sentinel sent after it arrives elsewhere
      const probe = p.b.subscribe("JOB_PROGRESS", "probe");
      await p.subscribed("JOB_PROGRESS:probe");
      p.a.publish("JOB_PROGRESS", "probe", "done");
      expect(await take(probe, 1)).toEqual(["done"]);
      expect(await take(sub, 3)).toEqual([7, 8, 9]);
      p.close();
    });
  });
}

contract("in-process", (bufferSize) => {
  const one = new InProcessPubSub({ bufferSize });
  return Promise.resolve({ a: one, b: one, subscribed: () => Promise.resolve(), close: () => one.close() });
});

let redis: TestRedis | undefined;
let admin: Redis | undefined;
const redisSuites = describe.skipIf(Boolean(REDIS_MISSING));

/** subscribers Redis counts on a channel (PUBSUB NUMSUB) */
async function subscribers(channel: string): Promise<number> {
  const [, n] = (await admin!.pubsub("NUMSUB", channel)) as [string, number];
  return n;
}

/** waits until the channel's subscriber count satisfies `ok` (at most ~4 s) */
async function untilSubscribers(channel: string, ok: (n: number) => boolean): Promise<number> {
  let n = await subscribers(channel);
  for (let i = 0; i < 400 && !ok(n); i++) {
    await new Promise((r) => setTimeout(r, 10));
    n = await subscribers(channel);
  }
  return n;
}

async function waitForSubscriber(channel: string, prefix: string): Promise<void> {
  if ((await untilSubscribers(`${prefix}${channel}`, (n) => n > 0)) === 0)
    throw new Error(`no Redis subscriber on ${channel}`);
}

redisSuites("Redis pub/sub", () => {
  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  let n = 0;
  contract("redis (two processes' connections)", async (bufferSize) => {
    const prefix = `t${++n}:`;
    const a = new RedisPubSub({ url: redis!.url, prefix, bufferSize });
    const b = new RedisPubSub({ url: redis!.url, prefix, bufferSize });
    await Promise.all([a.ready(), b.ready()]);
    return {
      a,
      b,
      subscribed: (channel) => waitForSubscriber(channel, prefix),
      close: () => {
        a.close();
        b.close();
      },
    };
  });

  it("subscribes a channel once per process and unsubscribes it with its last reader", async () => {
    const ps = new RedisPubSub({ url: redis!.url, prefix: "once:" });
    await ps.ready();
    const s1 = ps.subscribe("JOB_PROGRESS", "j");
    const s2 = ps.subscribe("JOB_PROGRESS", "j");
    await waitForSubscriber("JOB_PROGRESS:j", "once:");
    expect(await subscribers("once:JOB_PROGRESS:j")).toBe(1);
    await s1.return?.();
    await s2.return?.();
    expect(await untilSubscribers("once:JOB_PROGRESS:j", (n) => n === 0)).toBe(0);
    ps.close();
  });

  it("keeps its subscriptions across a Redis restart: events published after it come through", async () => {
    const a = new RedisPubSub({ url: redis!.url, prefix: "restart:" });
    const b = new RedisPubSub({ url: redis!.url, prefix: "restart:" });
    await Promise.all([a.ready(), b.ready()]);
    const sub = b.subscribe("JOB_PROGRESS", "r");
    await waitForSubscriber("JOB_PROGRESS:r", "restart:");
    await redis!.stop();
    await redis!.start();
    admin!.disconnect();
    admin = new Redis(redis!.url);
    await waitForSubscriber("JOB_PROGRESS:r", "restart:");
    for (let i = 0; i < 100; i++) {
      try {
        await a.ready();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    a.publish("JOB_PROGRESS", "r", { after: "restart" });
    expect(await take(sub, 1)).toEqual([{ after: "restart" }]);
    a.close();
    b.close();
  });

  it("says clearly when Redis cannot be reached", async () => {
    const port = await freePort();
    const ps = new RedisPubSub({ url: `redis://127.0.0.1:${port}` });
    await expect(ps.ready()).rejects.toThrow(/ECONNREFUSED|connect|Connection is closed|enableOfflineQueue/i);
    ps.close();
  });
});
