// Every operation preloaded in the playground must run as it stands under the server's default limits:
// an analyst's first click should not meet a validation or cost error.
import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.js";
import { cineragSchema } from "../../../src/schema/build-schema.js";
import { createProtection } from "../../../src/server/protection.js";
import { EXAMPLE_OPERATIONS, analysisExamples } from "../../../src/server/playground.js";

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
});
