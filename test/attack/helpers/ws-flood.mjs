// A WebSocket flood in its own process: `node ws-flood.mjs <wsUrl> <connections> <messagesEach>`.
// Each connection sends connection_init, then its messages (subscribe, alternating a subscription and a
// query) as fast as it can, and reads what comes back. Prints one JSON line: close codes, acknowledged
// subscriptions, refusals by code.
import WebSocket from "ws";

const [url, connections, each] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const summary = { closeCodes: {}, next: 0, errors: {}, complete: 0 };
await Promise.all(
  Array.from(
    { length: connections },
    (_, c) =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, "graphql-transport-ws");
        ws.on("open", () => ws.send(JSON.stringify({ type: "connection_init" })));
        ws.on("message", (raw) => {
          const msg = JSON.parse(raw.toString());
          if (msg.type === "connection_ack") {
            for (let i = 0; i < each && ws.readyState === ws.OPEN; i++)
              ws.send(
                JSON.stringify({
                  id: `${c}-${i}`,
                  type: "subscribe",
                  payload: { query: i % 2 ? "subscription { clipUpdated { clipId } }" : "{ clips { totalCount } }" },
                }),
              );
            // leave after a while, as a flood client does
            setTimeout(() => ws.terminate(), 3000);
          } else if (msg.type === "next") summary.next++;
          else if (msg.type === "complete") summary.complete++;
          else if (msg.type === "error") {
            const code = msg.payload?.[0]?.extensions?.code ?? "none";
            summary.errors[code] = (summary.errors[code] ?? 0) + 1;
          }
        });
        ws.on("error", () => {});
        ws.on("close", (code) => {
          summary.closeCodes[code] = (summary.closeCodes[code] ?? 0) + 1;
          resolve();
        });
      }),
  ),
);
process.stdout.write(`${JSON.stringify(summary)}\n`);
