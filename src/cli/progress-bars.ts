// One progress bar per ingest stage on a terminal; nothing when stderr is not a TTY (logs and --json stay clean).
import cliProgress from "cli-progress";
import type { IngestProgress } from "../ingest/progress.js";
import { INGEST_STAGES } from "../ingest/progress.js";

export class IngestProgressBars {
  private readonly multi?: cliProgress.MultiBar;
  private readonly bars = new Map<string, cliProgress.SingleBar>();

  constructor(
    private readonly label: string,
    enabled = Boolean(process.stderr.isTTY),
  ) {
    if (!enabled) return;
    this.multi = new cliProgress.MultiBar(
      {
        format: " {stage} |{bar}| {percentage}% {message}",
        hideCursor: true,
        clearOnComplete: false,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    process.stderr.write(`${this.label}\n`);
  }

  update(progress: IngestProgress): void {
    if (!this.multi) return;
    let bar = this.bars.get(progress.stage);
    if (!bar) {
      const stage = progress.stage.padEnd(Math.max(...INGEST_STAGES.map((s) => s.length)));
      bar = this.multi.create(100, 0, { stage, message: "" });
      this.bars.set(progress.stage, bar);
    }
    bar.update(Math.round(progress.percent), { message: progress.message ?? "" });
  }

  stop(): void {
    this.multi?.stop();
  }
}
