// After `cinerag ingest` stored its clips: a short, bounded drain of the search outbox so the new scenes
// are searchable at once. The clips are stored whatever happens here; if the index is down (or needs a
// reindex), one line on stderr says so and the rows wait in the outbox for the next drain.
import type { Core } from "../app.js";

export async function catchUpSearchIndex(app: Core, signal: AbortSignal, timeoutMs = 60_000): Promise<void> {
  try {
    const result = await app.search.outbox.drain({ timeoutMs, signal });
    if (result.error?.code === "REINDEX_REQUIRED") {
      process.stderr.write(
        `cinerag: the clips are stored, but the search index needs a rebuild for the current embedding model: run \`cinerag reindex\`\n`,
      );
    } else if (result.error) {
      process.stderr.write(
        `cinerag: the clips are stored, but the search index is unavailable (${oneLine(result.error.message)}); ${result.remaining} scene updates are queued and will be indexed when it is back\n`,
      );
    } else if (result.leaseHeldElsewhere) {
      // a running `cinerag serve` (here or on another machine) drains the outbox: it indexes these rows
      app.logger.info({ remaining: result.remaining }, "search outbox: drained by the process holding its lease");
    } else if (result.remaining > 0 && !signal.aborted) {
      app.logger.info({ remaining: result.remaining }, "search outbox: rows left for the next drain");
    }
  } catch (error) {
    process.stderr.write(
      `cinerag: the clips are stored, but indexing them for search failed (${oneLine(error instanceof Error ? error.message : String(error))}); they stay queued\n`,
    );
  }
}

function oneLine(s: string): string {
  const line = s.replace(/\s*\n\s*/g, " ");
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
