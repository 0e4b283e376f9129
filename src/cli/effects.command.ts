// `cinerag effects <script> [--csv] [--table effects|references] [--json] [--no-reel] [--clip <id...>]`: the
// effects breakdown of a screenplay file (Fountain or plain text) against the archive, printed as text, as
// CSV of one of its flat tables, or as JSON.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import type { App } from "../app.js";
import { AppError } from "../errors/app-error.js";
import { MAX_SCRIPT_BYTES } from "../analysis/effects/screenplay.js";
import type { EffectsBreakdown } from "../analysis/effects/effects.types.js";
import { parseGlobalId } from "../services/global-id.js";
import { printError } from "./cli-error.js";

interface EffectsOptions {
  csv?: boolean;
  table: string;
  json?: boolean;
  reel: boolean;
  clip?: string[];
}

export function registerEffects(program: Command, openApp: () => Promise<App>): void {
  program
    .command("effects <script>")
    .description("VFX breakdown of a screenplay (Fountain or plain text) with reference shots and a reel")
    .option("--csv", "print a flat table as CSV")
    .option("--table <name>", "the table for --csv: effects or references", "effects")
    .option("--json", "print the whole result as JSON")
    .option("--no-reel", "do not assemble the reference reel")
    .option("-c, --clip <id...>", "reference shots from these clips only (default: every READY clip)")
    .action(async (file: string, options: EffectsOptions) => {
      let app: App | undefined;
      try {
        const script = await readScript(file);
        app = await openApp();
        const service = app.api.effects;
        if (!service) throw new AppError("CONFIG_INVALID", "the effects service is not configured");
        const result = await service.breakdown(
          script,
          { clipIds: (options.clip ?? []).map(clipIdOf) },
          { reel: options.reel },
        );
        if (result.reel) result.reel.url = path.join(app.config.dataDir, result.reel.path);
        process.stdout.write(
          options.json ? `${JSON.stringify(result)}\n` : options.csv ? csvOf(result, options.table) : textOf(result),
        );
        process.exitCode = 0;
      } catch (error) {
        process.exitCode = printError(error);
      } finally {
        await app?.close();
      }
    });
}

async function readScript(file: string): Promise<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw new AppError("BAD_INPUT", `cannot read the script ${file}`);
  }
  if (size > MAX_SCRIPT_BYTES)
    throw new AppError("BAD_INPUT", `the script is over the size limit of ${MAX_SCRIPT_BYTES / 1024} KiB`);
  return readFile(file, "utf8");
}

function clipIdOf(value: string): string {
  const parsed = parseGlobalId(value);
  return parsed?.type === "Clip" ? parsed.id : value;
}

function csvOf(result: EffectsBreakdown, name: string): string {
  const t = result.tables.find((x) => x.name === name);
  if (!t) throw new AppError("BAD_INPUT", `--table must be one of ${result.tables.map((x) => x.name).join(", ")}`);
  const cell = (v: unknown) => {
    const s =
      typeof v === "string"
        ? v
        : typeof v === "number" || typeof v === "boolean"
          ? String(v)
          : v == null
            ? ""
            : JSON.stringify(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [t.columns, ...t.rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

function textOf(result: EffectsBreakdown): string {
  const out = [`${result.readingNote} (method: ${result.method})`];
  for (const s of result.scenes) {
    out.push(`scene ${s.number}: ${s.heading}${s.effects.length ? "" : " — no effects"}`);
    for (const e of s.effects) {
      out.push(`  ${e.label} [${e.complexity}]: ${e.description}`);
      for (const r of e.references)
        out.push(
          `    ref ${r.clipTitle} ${r.startTime.toFixed(2)}-${r.endTime.toFixed(2)}s (${r.matchedBy}) ${r.keyframePath ?? ""}`,
        );
    }
  }
  out.push(
    result.reel
      ? `reel: ${result.reel.url} (${result.reel.shots} shots, ${result.reel.duration}s)`
      : `no reel: ${result.reelUnavailable}`,
  );
  return out.join("\n") + "\n";
}
