// Which search engine serves the cluster, said by `cinerag doctor` and at the start of `cinerag serve` and
// `cinerag worker`. The embedded index (<dataDir>/search.db) serves the processes of one machine that share
// one data directory; it cannot be shared between machines (a SQLite file and an ANN snapshot: neither is
// safe on a network filesystem, and the outbox rows are drained once, by the lease holder, so a second
// machine's own index would never receive them). A configured PostgreSQL or Redis says the deployment means
// to span machines: then the embedded index is a warning, and Elasticsearch is the engine to use.
import type { Config } from "../config.js";
import type { Logger } from "../logging/logger.js";

/** the lease whose holder drains the search outbox (src/search/outbox.worker.ts, src/cluster/lease.ts) */
export const DRAIN_LEASE = "search-outbox";

export interface SearchTopology {
  /** embedded | elasticsearch */
  engine: Config["search"]["kind"];
  /** warn: machines on the shared database or Redis could not share this index */
  level: "ok" | "warn";
  detail: string;
}

export function searchTopology(
  config: Pick<Config, "search" | "searchFile" | "database" | "redisUrl">,
): SearchTopology {
  if (config.search.kind === "elasticsearch")
    return {
      engine: "elasticsearch",
      level: "ok",
      detail: `Elasticsearch (${config.search.elasticsearchUrl}) serves every machine; one process at a time drains the outbox into it (the drain lease)`,
    };
  const shared = [
    ...(config.database.provider === "postgresql" ? ["PostgreSQL"] : []),
    ...(config.redisUrl ? ["Redis"] : []),
  ];
  if (shared.length === 0)
    return {
      engine: "embedded",
      level: "ok",
      detail: `embedded index (${config.searchFile}): the processes of this machine that share this data directory`,
    };
  return {
    engine: "embedded",
    level: "warn",
    detail:
      `embedded index (${config.searchFile}) with ${shared.join(" and ")} configured: it serves only the processes ` +
      `of this machine that share this data directory; other machines cannot share it (their searches would miss ` +
      `what this machine indexed): set CINERAG_SEARCH=elasticsearch and ELASTICSEARCH_URL for a cluster`,
  };
}

/** The start-up line of `cinerag serve` and `cinerag worker`: a warning when machines could not share it. */
export function logSearchTopology(
  logger: Pick<Logger, "info" | "warn">,
  config: Parameters<typeof searchTopology>[0],
): void {
  const t = searchTopology(config);
  if (t.level === "warn") logger.warn({ search: t.engine }, `search: ${t.detail}`);
  else logger.info({ search: t.engine }, `search: ${t.detail}`);
}
