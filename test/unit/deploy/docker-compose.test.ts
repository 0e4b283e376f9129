// docker-compose.yml, checked by structure: Docker cannot run here, so the cluster file is parsed (with
// its YAML merge keys and `${VAR:-default}` interpolation resolved as Compose does with no .env) and its
// wiring compared with what cinerag reads: every cinerag service's environment passes src/config.ts
// without a warning and points at the services of the file; the keyframes and model cache volumes are
// mounted where the configuration puts those directories, in every cinerag container; the commands are
// ones the CLI has; the engines the servers wait for have health checks. Not proven here: that the images
// build and the containers start (see the README).
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadConfig } from "../../../src/config.js";

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string> | string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const root = path.resolve(import.meta.dirname, "../../..");
const text = readFileSync(path.join(root, "docker-compose.yml"), "utf8");
/** Compose's interpolation with no variables set: `${X:-default}` is the default, `${X}` is empty */
const interpolated = text.replace(
  /\$\{(\w+)(?::?-([^}]*))?\}/g,
  (_m, _name: string, fallback?: string) => fallback ?? "",
);
const compose = parse(interpolated, { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const CINERAG = ["api-a", "api-b", "worker"];
const envOf = (s: Service): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]))
    : Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
const dockerfile = readFileSync(path.join(root, "Dockerfile"), "utf8");
/** the ENV lines of the Dockerfile (the image's defaults under the compose environment) */
const imageEnv = Object.fromEntries(
  [...dockerfile.matchAll(/\b(CINERAG_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/\\$/, "")]),
);

describe("docker-compose.yml: the whole cluster in one file", () => {
  it("has PostgreSQL, Redis, Elasticsearch, two API servers and a worker", () => {
    expect(Object.keys(services).sort()).toEqual(
      ["api-a", "api-b", "elasticsearch", "postgres", "redis", "worker"].sort(),
    );
    expect(services.postgres!.image).toMatch(/^postgres:/);
    expect(services.redis!.image).toMatch(/^redis:/);
    expect(services.elasticsearch!.image).toMatch(/elasticsearch:9\./);
    expect(services["api-a"]!.command?.[0]).toBe("serve");
    expect(services["api-b"]!.command?.[0]).toBe("serve");
    expect(services.worker!.command?.[0]).toBe("worker");
    for (const name of CINERAG) expect(services[name]!.build, name).toBe(".");
  });

  it("the two servers publish different host ports", () => {
    const published = ["api-a", "api-b"].map((n) => services[n]!.ports?.[0]?.split(":").slice(0, -1).join(":"));
    expect(new Set(published).size).toBe(2);
  });

  it("every cinerag container's environment is a valid configuration wired to this file's services", () => {
    const pg = envOf(services.postgres!);
    for (const name of CINERAG) {
      const env = { ...imageEnv, ...envOf(services[name]!) };
      const config = loadConfig(env);
      expect(config.warnings, name).toEqual([]);
      expect(config.database.provider, name).toBe("postgresql");
      const db = new URL(config.database.provider === "postgresql" ? config.database.url : "");
      expect([db.hostname, db.port, db.username, decodeURIComponent(db.password), db.pathname.slice(1)], name).toEqual([
        "postgres",
        "5432",
        pg.POSTGRES_USER,
        pg.POSTGRES_PASSWORD,
        pg.POSTGRES_DB,
      ]);
      expect(new URL(config.redisUrl!).hostname, name).toBe("redis");
      expect(config.jobs.driver, name).toBe("bullmq");
      expect(config.search.kind, name).toBe("elasticsearch");
      expect(new URL(config.search.elasticsearchUrl!).hostname, name).toBe("elasticsearch");
      expect(config.host, name).toBe("0.0.0.0");
      expect(config.apiKeyList.length, name).toBeGreaterThan(0);
    }
  });

  it("keyframes and the model cache are shared volumes, mounted where every container looks for them", () => {
    for (const name of CINERAG) {
      const config = loadConfig({ ...imageEnv, ...envOf(services[name]!) });
      const mounts: Record<string, string> = Object.fromEntries(
        (services[name]!.volumes ?? []).map((v) => [v.split(":")[1] ?? "", v.split(":")[0] ?? ""]),
      );
      expect(mounts[config.keyframeDir], `${name}: keyframes at ${config.keyframeDir}`).toBe("keyframes");
      expect(mounts[config.models.cacheDir], `${name}: models at ${config.models.cacheDir}`).toBe("models");
      // the archive, read-only, inside the media roots the API servers accept
      const media = (services[name]!.volumes ?? []).find((v) => v.endsWith(":ro"))?.split(":")[1];
      expect(config.mediaRoots, name).toContain(media);
      // no volume for the data directory itself: no SQLite file or embedded index is shared
      expect(mounts[config.dataDir], name).toBeUndefined();
    }
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(["keyframes", "models", "pgdata", "esdata"]));
  });

  it("the servers and the worker wait for healthy engines", () => {
    for (const name of CINERAG) {
      const deps = services[name]!.depends_on ?? {};
      for (const engine of ["postgres", "redis", "elasticsearch"]) {
        expect(deps[engine]?.condition, `${name} → ${engine}`).toBe("service_healthy");
        expect(services[engine]!.healthcheck?.test.length, engine).toBeGreaterThan(0);
      }
    }
    for (const name of ["api-a", "api-b"]) expect(services[name]!.healthcheck?.test.join(" ")).toContain("/readyz");
  });

  it("the image runs the CLI with the data directory the volumes are mounted under", () => {
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/cinerag\.js"\]/);
    expect(imageEnv.CINERAG_DATA_DIR).toBe("/data");
    expect(dockerfile).toMatch(/apt-get install[^\n]*ffmpeg/);
  });
});

describe("README: Running a cluster", () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Running a cluster"));
  it("exists and says what is shared and what is not", () => {
    expect(readme).toContain("## Running a cluster");
    for (const word of [
      "keyframes",
      "model cache",
      "embedded search index",
      "SQLite",
      "Elasticsearch",
      "docker compose",
    ])
      expect(section, word).toContain(word);
  });
});
