// API keys (CINERAG_API_KEYS): readers query and subscribe, editors also mutate. With no key configured the
// server is in local single-user mode: everyone is an editor (said so in the log at start-up).
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { ApiKey, ApiRole } from "../config.js";
import { AppError } from "../errors/app-error.js";

const digest = (key: string) => createHash("sha256").update(key).digest();

export class ApiKeyAuth {
  private readonly keys: Array<{ role: ApiRole; digest: Buffer }>;

  constructor(keys: ApiKey[]) {
    this.keys = keys.map((k) => ({ role: k.role, digest: digest(k.key) }));
  }

  get localMode(): boolean {
    return this.keys.length === 0;
  }

  /** the role of a key, or undefined when it is not one of ours (constant time per configured key) */
  roleOf(key: string): ApiRole | undefined {
    const d = digest(key);
    let role: ApiRole | undefined;
    for (const k of this.keys) if (timingSafeEqual(k.digest, d)) role = role === "editor" ? role : k.role;
    return role;
  }

  /** the key carried by HTTP headers or a WebSocket connection_init payload, if any */
  static keyFrom(source: IncomingHttpHeaders | Record<string, unknown> | null | undefined): string | undefined {
    if (!source) return undefined;
    const get = (name: string): unknown => {
      for (const [k, v] of Object.entries(source)) if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v;
      return undefined;
    };
    const auth = get("authorization");
    if (typeof auth === "string") {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (m) return m[1];
    }
    for (const name of ["x-api-key", "apikey", "api_key"]) {
      const v = get(name);
      if (typeof v === "string" && v.length > 0) return v;
    }
    const headers = get("headers"); // GraphiQL-style { headers: { ... } } in connection params
    if (headers && typeof headers === "object" && headers !== source)
      return ApiKeyAuth.keyFrom(headers as Record<string, unknown>);
    return undefined;
  }

  /**
   * The role for a request: local mode → editor; otherwise the key's role. Throws UNAUTHENTICATED without a
   * key or with one that is not configured.
   */
  authenticate(key: string | undefined): ApiRole {
    if (this.localMode) return "editor";
    if (!key)
      throw new AppError(
        "UNAUTHENTICATED",
        "an API key is required: send `Authorization: Bearer <key>` or `x-api-key: <key>`",
      );
    const role = this.roleOf(key);
    if (!role) throw new AppError("UNAUTHENTICATED", "the API key is not valid");
    return role;
  }
}
