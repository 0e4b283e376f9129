// WebSocket limits (issue 15 item 2) on the real server: subscriptions and operations per connection, the
// message rate, and subscriptions released the moment a socket goes (the leak a flood left behind).
import WebSocket from "ws";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({
    CINERAG_WS_MAX_SUBSCRIPTIONS: "3",
    CINERAG_WS_MAX_OPERATIONS: "2",
    CINERAG_WS_MESSAGE_RATE: "20",
    CINERAG_WS_MAX_CONNECTIONS_PER_IP: "4",
    CINERAG_GRAPHQL_MAX_ERRORS: "5",
  });
});
afterAll(async () => {
  await t?.stop();
});

interface Conn {
  ws: WebSocket;
  messages: Array<{ id?: string; type: string; payload?: Array<{ extensions?: { code?: string } }> }>;
  closed: Promise<number>;
}

async function open(): Promise<Conn> {
  const ws = new WebSocket(t.server.wsUrl, "graphql-transport-ws");
  const messages: Conn["messages"] = [];
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init" })));
    ws.on("message", (raw: Buffer) => {
      const msg = JSON.parse(raw.toString()) as Conn["messages"][number];
      messages.push(msg);
      if (msg.type === "connection_ack") resolve();
    });
    void closed.then(() => resolve());
  });
  return { ws, messages, closed };
}

const subscribe = (c: Conn, id: string, query = "subscription { clipUpdated { clipId } }") =>
  c.ws.send(JSON.stringify({ id, type: "subscribe", payload: { query } }));

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

it("refuses subscriptions over the per-connection limit with TOO_MANY_REQUESTS, and frees them on close", async () => {
  const baseline = t.app.events.subscriberCount();
  const c = await open();
  for (let i = 0; i < 5; i++) subscribe(c, `s${i}`);
  await until(() => c.messages.filter((m) => m.type === "error").length >= 2);
  await until(() => t.app.events.subscriberCount() === baseline + 3);
  const errors = c.messages.filter((m) => m.type === "error");
  expect(errors.map((e) => e.payload?.[0]?.extensions?.code)).toEqual(["TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS"]);
  c.ws.terminate();
  await c.closed;
  // the subscriptions were parked waiting for an event: they must still let go at once
  await until(() => t.app.events.subscriberCount() === baseline);
  expect(t.app.events.subscriberCount()).toBe(baseline);
});

it("closes a connection that sends faster than the message rate with 4429", async () => {
  const c = await open();
  for (let i = 0; i < 100; i++) c.ws.send(JSON.stringify({ type: "ping" }));
  expect(await c.closed).toBe(4429);
});

it("closes connections over the per-address limit with 4429", async () => {
  const conns = await Promise.all(Array.from({ length: 6 }, () => open()));
  const refused = conns.filter((c) => c.ws.readyState !== WebSocket.OPEN);
  expect(refused.length).toBe(2);
  expect(await refused[0]!.closed).toBe(4429);
  for (const c of conns) c.ws.terminate();
  await Promise.all(conns.map((c) => c.closed));
});

it("caps the errors of one response (HTTP and WebSocket)", async () => {
  const query = `{ __typename ${Array.from({ length: 60 }, (_, i) => `@d${i}`).join(" ")} }`;
  const body = (await t.gql(query)).body as { errors: Array<{ message: string }> };
  expect(body.errors).toHaveLength(5);
  expect(body.errors[4]!.message).toMatch(/more errors not shown.*CINERAG_GRAPHQL_MAX_ERRORS/);
  const c = await open();
  subscribe(c, "q", query);
  await until(() => c.messages.some((m) => m.type === "error"));
  expect(c.messages.find((m) => m.type === "error")!.payload!.length).toBeLessThanOrEqual(5);
  c.ws.terminate();
});
