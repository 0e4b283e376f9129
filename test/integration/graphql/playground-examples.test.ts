// Every operation preloaded in the playground must run as it stands under the server's default limits:
// an analyst's first click should not meet a validation or cost error.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kind, parse } from "graphql";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { cineragSchema } from "../../../src/schema/build-schema.js";
import { createProtection } from "../../../src/server/protection.js";
import { EXAMPLE_OPERATIONS, analysisExamples, exampleOperations } from "../../../src/server/playground.js";
import { MediaRootGuard } from "../../../src/services/media-root.guard.js";

describe("playground tabs", () => {
  it("all validate against the schema within the default depth, alias and cost limits", async () => {
    const schema = await cineragSchema();
    const protection = createProtection(loadConfig({}).graphql);
    const tabs = [...EXAMPLE_OPERATIONS, ...analysisExamples()];
    expect(tabs.length).toBeGreaterThan(8);
    for (const tab of tabs) {
      const errors = protection.validate(schema, parse(tab.query));
      expect(
        errors.map((e) => e.message),
        tab.title,
      ).toEqual([]);
    }
  });

  it("under limits that still refuse an abusive query", async () => {
    const schema = await cineragSchema();
    const protection = createProtection(loadConfig({}).graphql);
    let nested = "startTime";
    for (let i = 0; i < 5; i++) nested = `clip { scenes { nodes { ${nested} } } }`;
    const messages = protection.validate(schema, parse(`{ scenes { nodes { ${nested} } } }`)).map((e) => e.message);
    expect(messages.join("\n")).toMatch(/depth/i);
  });

  it("has a tab for every subscription root field the examples promise: answerStream too", () => {
    const names = [...EXAMPLE_OPERATIONS, ...analysisExamples()].map((t) => parse(t.query));
    const fields = names.flatMap((d) =>
      d.definitions.flatMap((def) =>
        def.kind === Kind.OPERATION_DEFINITION
          ? def.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : ""))
          : [],
      ),
    );
    expect(fields).toEqual(expect.arrayContaining(["answerStream", "jobProgress", "clipUpdated", "analysisCompleted"]));
  });

  it("names only tabs that exist in its comments (GraphiQL titles a tab by its operation name)", () => {
    const tabs = [...EXAMPLE_OPERATIONS, ...analysisExamples()];
    const operationNames = new Set(
      tabs.flatMap((t) =>
        parse(t.query).definitions.flatMap((d) =>
          d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : [],
        ),
      ),
    );
    const named = tabs.flatMap((t) => [...t.query.matchAll(/the "?(\w[\w ]*?)"? tab/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(operationNames, name).toContain(name);
  });

  it("presets the Ingest tab with a path the server accepts: inside the configured media root", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "cinerag-roots-"));
    try {
      const ingest = exampleOperations([root]).find((t) => /ingestClip/.test(t.query))!;
      const preset = (JSON.parse(ingest.variables!) as { path: string }).path;
      await writeFile(preset, "x");
      const guard = new MediaRootGuard([root]);
      await expect(guard.resolve(preset)).resolves.toContain("film.mkv");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
