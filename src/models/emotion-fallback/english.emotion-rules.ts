// Reading one English line with the grown lexicon: seed words count 1, grown words their similarity times
// `grownWeight`; a negation up to three words before flips joy into sadness (at half weight: "I'm not
// happy") and cancels the others ("not afraid"); an intensifier before a word raises it; the hand-written
// phrases of ./english-seeds.ts add theirs; an exclamation mark raises the aroused emotions. A line whose
// best emotion scores under `neutralBelow` is neutral.
import { splitContraction } from "../wordvec/tokens.js";
import { EKMAN6, PHRASES, SEEDS, type Ekman6 } from "./english-seeds.js";
import { GROWN } from "./english-grown.js";

export interface EnglishRulesOptions {
  grownWeight?: number;
  neutralBelow?: number;
}

export type RawScores = Record<Ekman6, number>;

const NEGATORS = new Set(["not", "n't", "never", "no", "without", "hardly"]);
const INTENSIFIERS = new Set([
  "so",
  "very",
  "really",
  "too",
  "extremely",
  "absolutely",
  "totally",
  "completely",
  "such",
  "utterly",
]);
const AROUSED: Ekman6[] = ["anger", "fear", "joy", "surprise"];
const WORD = /[\p{L}]+(?:'[\p{L}]+)*/gu;

/** word → [emotion, weight], seeds over grown words. */
function buildLexicon(grownWeight: number): Map<string, [Ekman6, number]> {
  const map = new Map<string, [Ekman6, number]>();
  for (const e of EKMAN6) for (const [w, sim] of GROWN[e]) map.set(w, [e, sim * grownWeight]);
  for (const e of EKMAN6) for (const w of SEEDS[e]) map.set(w, [e, 1]);
  return map;
}

export class EnglishEmotionRules {
  private readonly lexicon: Map<string, [Ekman6, number]>;
  readonly neutralBelow: number;

  constructor(options: EnglishRulesOptions = {}) {
    this.lexicon = buildLexicon(options.grownWeight ?? 0.6);
    this.neutralBelow = options.neutralBelow ?? 0.5;
  }

  /**
   * The line without its negated emotion words ("I'm not happy at all" → "i 'm not at all"), for a reader
   * that averages word meanings and would otherwise count "happy" for joy; the rules score the negation.
   */
  withoutNegated(text: string): string {
    const tokens = this.tokens(text);
    return tokens.filter((t, i) => !(this.lookup(t) && this.negated(tokens, i))).join(" ");
  }

  private tokens(text: string): string[] {
    const lower = text.normalize("NFKC").toLowerCase().replace(/’/g, "'");
    return [...lower.matchAll(WORD)].flatMap((m) => splitContraction(m[0]));
  }

  private negated(tokens: string[], i: number): boolean {
    return tokens.slice(Math.max(0, i - 3), i).some((b) => NEGATORS.has(b));
  }

  score(text: string): RawScores {
    const lower = text.normalize("NFKC").toLowerCase().replace(/’/g, "'");
    const tokens = this.tokens(text);
    const scores = Object.fromEntries(EKMAN6.map((e) => [e, 0])) as RawScores;
    tokens.forEach((t, i) => {
      const hit = this.lookup(t);
      if (!hit) return;
      const [emotion, weight] = hit;
      const before = tokens.slice(Math.max(0, i - 3), i);
      const boost = before.length && INTENSIFIERS.has(before[before.length - 1]!) ? 1.5 : 1;
      if (this.negated(tokens, i)) {
        if (emotion === "joy") scores.sadness += 0.5 * weight;
        return;
      }
      scores[emotion] += weight * boost;
    });
    for (const e of EKMAN6) for (const [re, w] of PHRASES[e]) if (re.test(lower)) scores[e] += w;
    if (lower.includes("!")) for (const e of AROUSED) scores[e] *= 1.3;
    return scores;
  }

  private lookup(token: string): [Ekman6, number] | undefined {
    const direct = this.lexicon.get(token);
    if (direct) return direct;
    // plain inflections: "screaming" → "scream", "stabbed" → "stab", "tears" → "tear"
    for (const stem of stems(token)) {
      const hit = this.lexicon.get(stem);
      if (hit) return hit;
    }
    return undefined;
  }
}

function stems(token: string): string[] {
  const out: string[] = [];
  for (const suffix of ["ing", "ed", "es", "s", "ly"]) {
    if (token.length > suffix.length + 2 && token.endsWith(suffix)) {
      const base = token.slice(0, -suffix.length);
      out.push(base, base + "e");
      if (/(.)\1$/.test(base)) out.push(base.slice(0, -1));
    }
  }
  return out;
}
