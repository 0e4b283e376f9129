import { describe, expect, it } from "vitest";
import { v8FlagsFor } from "../../../src/cli/v8-flags.js";

describe("v8FlagsFor", () => {
  it("gives the commands that run once and exit Liftoff alone (no waiting at exit for TurboFan)", () => {
    for (const command of ["ingest", "query", "reindex", "effects", "doctor", "models"])
      expect(v8FlagsFor(command), command).toEqual(["--liftoff-only"]);
  });

  it("leaves V8's defaults to the long-running commands, to --help and to unknown commands", () => {
    for (const command of ["serve", "worker", "--help", "nonsense", undefined])
      expect(v8FlagsFor(command), String(command)).toEqual([]);
  });
});
