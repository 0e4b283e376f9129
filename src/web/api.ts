// The dashboard's only way to the server: the public GraphQL API over HTTP (queries, mutations) and
// graphql-ws (subscriptions). Whatever the dashboard does, a user's own client can do the same way.
import { createClient, type Client } from "graphql-ws";

/** An error the API returned, with its `extensions.code` (or a transport code such as HTTP_502). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const KEY_STORAGE = "cinerag.apiKey";
const ENDPOINT = "/graphql";

/** The API key lives only in this browser tab's session storage: gone when the tab closes. */
export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set(key: string | null): void {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
    resetSocket();
  },
};

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

function firstError<T>(body: GraphQLResponse<T>): ApiError | undefined {
  const e = body.errors?.[0];
  return e ? new ApiError(e.message, e.extensions?.code ?? "ERROR") : undefined;
}

export async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const key = apiKey.get();
  if (key) headers["x-api-key"] = key;
  let res: Response;
  try {
    res = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError("the server cannot be reached", "NETWORK_ERROR");
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError(`the server answered HTTP ${res.status} without a GraphQL response`, `HTTP_${res.status}`);
  }
  const error = firstError(body);
  if (error) throw error;
  if (!body.data) throw new ApiError("the server returned no data", "NO_DATA");
  return body.data;
}

// ---- subscriptions ---------------------------------------------------------------------------------
type ConnectionListener = (state: "connected" | "reconnecting" | "idle") => void;
const listeners = new Set<ConnectionListener>();
let socket: Client | undefined;
let active = 0;

export function onConnectionChange(listener: ConnectionListener): void {
  listeners.add(listener);
}

function notify(state: "connected" | "reconnecting" | "idle"): void {
  for (const l of listeners) l(state);
}

function resetSocket(): void {
  void socket?.dispose();
  socket = undefined;
}

function client(): Client {
  if (socket) return socket;
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${ENDPOINT}`;
  socket = createClient({
    url,
    lazy: true,
    connectionParams: () => {
      const key = apiKey.get();
      return key ? { "x-api-key": key } : {};
    },
    // a dropped connection comes back by itself; the header says so meanwhile
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(500 * 2 ** retries, 5000))),
    on: {
      connected: () => notify("connected"),
      closed: (event) => {
        const code = (event as CloseEvent | undefined)?.code;
        notify(code === 1000 ? "idle" : "reconnecting");
      },
    },
  });
  return socket;
}

/** Subscribes; returns the function that ends the subscription. */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onError: (error: ApiError) => void,
): () => void {
  active++;
  let released = false;
  // the last subscription gone: nothing needs the socket, so the header stops saying live or reconnecting
  const release = () => {
    if (released) return;
    released = true;
    if (--active === 0) notify("idle");
  };
  const end = client().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        const error = firstError(result as GraphQLResponse<T>);
        if (error) onError(error);
        else if (result.data) onData(result.data);
      },
      error: (e) => {
        release();
        onError(e instanceof Error ? new ApiError(e.message, "SUBSCRIPTION_ERROR") : errorOf(e));
      },
      complete: release,
    },
  );
  return () => {
    end();
    release();
  };
}

function errorOf(e: unknown): ApiError {
  if (Array.isArray(e)) {
    const first = e[0] as { message?: string; extensions?: { code?: string } } | undefined;
    return new ApiError(first?.message ?? "subscription failed", first?.extensions?.code ?? "ERROR");
  }
  const close = e as CloseEvent | undefined;
  return new ApiError(close?.reason || "the subscription was closed", `WS_${close?.code ?? "CLOSED"}`);
}
