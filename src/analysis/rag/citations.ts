// The citation checker: an answer cites scenes with markers [S1]..[Sn] (also [S1, S3] or [1]); a marker is
// kept only if it names a scene that was retrieved and given to the generator. An invented marker is
// removed and reported; a sentence that rested only on invented markers is removed with it (its claim has
// no evidence). An answer left with no valid citation at all is replaced by NO_SUPPORTED_ANSWER.
import type { RemovedCitation } from "./rag.types.js";

export const NO_SUPPORTED_ANSWER =
  "The retrieved scenes do not support an answer: no claim could be tied to a retrieved scene.";

export type { RemovedCitation };

export interface CheckedAnswer {
  text: string;
  /** valid scene markers (1-based), in order of first citation */
  cited: number[];
  /** per valid marker, the sentences that cite it (for the quote) */
  sentencesOf: Map<number, string[]>;
  removed: RemovedCitation[];
}

const GROUP = /\[\s*S?\d+(?:\s*[,;]\s*S?\d+)*\s*\]/gi;
const LEADING = /^\s*(?:\[\s*S?\d+(?:\s*[,;]\s*S?\d+)*\s*\]\s*)+/i;

function numbersOf(group: string): number[] {
  return [...group.matchAll(/\d+/g)].map((m) => Number(m[0]));
}

/** Sentences with markers that open a sentence moved to the sentence before ("… night. [S1] Then …"). */
function segments(text: string): string[] {
  const segs: string[] = [];
  for (const line of text.split(/(?<=\n)/)) {
    // a list item is one claim, whatever sentences its quote has
    for (const s of /^\s*(?:[-*•]|\d+[.)])\s/.test(line) ? [line] : splitKeepingSpace(line)) {
      const lead = LEADING.exec(s);
      if (lead && segs.length > 0 && !segs[segs.length - 1]!.endsWith("\n")) {
        segs[segs.length - 1] = segs[segs.length - 1]!.replace(/\s*$/, (ws) => ` ${lead[0].trim()}${ws || " "}`);
        const rest = s.slice(lead[0].length);
        if (rest) segs.push(rest);
      } else segs.push(s);
    }
  }
  return segs;
}

const SENTENCES = new Intl.Segmenter(undefined, { granularity: "sentence" });

/** Sentences of a line, verbatim (with their trailing spaces): they join back into the line. */
function splitKeepingSpace(line: string): string[] {
  return [...SENTENCES.segment(line)].map((s) => s.segment);
}

export function checkCitations(answer: string, retrievedCount: number): CheckedAnswer {
  const removed: RemovedCitation[] = [];
  const cited: number[] = [];
  const sentencesOf = new Map<number, string[]>();
  const kept: string[] = [];
  let anyMarker = false;
  for (const seg of segments(answer)) {
    const groups = seg.match(GROUP) ?? [];
    if (groups.length === 0) {
      kept.push(seg);
      continue;
    }
    anyMarker = true;
    const sentence = seg
      .replace(GROUP, "")
      .replace(/\s+([.,;:!?])/g, "$1")
      .replace(/\s{2,}/g, " ")
      .trim();
    let valid = 0;
    const rewritten = seg.replace(GROUP, (group) => {
      const good: number[] = [];
      for (const n of numbersOf(group)) {
        if (n >= 1 && n <= retrievedCount) good.push(n);
        else
          removed.push({
            marker: `S${n}`,
            sentence,
            reason: retrievedCount
              ? `S${n} is not one of the ${retrievedCount} retrieved scenes (S1–S${retrievedCount})`
              : `S${n}: no scene was retrieved`,
          });
      }
      valid += good.length;
      return good.map((n) => `[S${n}]`).join("");
    });
    if (valid === 0) {
      // the sentence rested on invented evidence only: it goes too
      continue;
    }
    for (const n of numbersOf((rewritten.match(GROUP) ?? []).join(" "))) {
      if (!cited.includes(n)) cited.push(n);
      const list = sentencesOf.get(n) ?? [];
      list.push(sentence);
      sentencesOf.set(n, list);
    }
    kept.push(rewritten.replace(/[ \t]+([.,;:!?])/g, "$1").replace(/[ \t]{2,}/g, " "));
  }
  let text = kept.join("").trim();
  if (cited.length === 0 && answer.trim()) {
    if (!anyMarker)
      removed.push({
        marker: null,
        sentence: answer.trim().slice(0, 500),
        reason: "the answer cites no retrieved scene",
      });
    text = NO_SUPPORTED_ANSWER;
  }
  return { text, cited, sentencesOf, removed };
}
