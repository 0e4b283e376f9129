// Cancelling a generate call in the middle. transformers.js runs its logits processors before every decoder
// step; one that raises the signal's abort reason ends the call within one step, so a cancelled ingest or
// answer does not run a whole 30 s window or 400 tokens to the end. (Its InterruptableStoppingCriteria would
// be the documented way, but in 4.3.2 Whisper's generate drops `stopping_criteria` before generating; every
// generate path passes `logits_processor` on.)
import type { LogitsLike } from "./tensors.js";

export type LogitsProcessorFn = (ids: bigint[][], logits: LogitsLike) => LogitsLike;

/** A logits processor that throws the abort reason once `signal` has fired (none without a signal). */
export function abortCheck(signal: AbortSignal | undefined): LogitsProcessorFn[] {
  if (!signal) return [];
  return [
    (_ids, logits) => {
      signal.throwIfAborted();
      return logits;
    },
  ];
}
