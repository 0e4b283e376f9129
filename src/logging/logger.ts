import pino, { type Logger } from "pino";

export type { Logger };

/** Logs go to stderr so that stdout stays clean for `--json` and `query` output. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}
