// Training and cross-validating the English sentence classifier (./english-sentence.model.ts) on labelled
// lines: the helpers of ./train.cli.ts, kept apart so tests can train on one set and measure on another.
import { EMOTIONS, type Emotion } from "../model-ports.js";
import type { EnglishEmotionRules } from "./english.emotion-rules.js";
import { englishFeatures, type FeatureGroup } from "./english-features.js";
import { fitSoftmax, predictSoftmax, type FitOptions, type SoftmaxModel } from "./softmax-regression.js";

export interface TrainOptions extends FitOptions {
  groups: FeatureGroup[];
  /** the sentence vector leaves out negated emotion words (EnglishEmotionRules.withoutNegated) */
  dropNegated: boolean;
}

export interface Example {
  line: { label: Emotion; text: string };
  /** the line's sentence vector (WordVecEmbedder.sentenceVectors), of the line as options.dropNegated says */
  vector: Float32Array;
}

/** The text whose sentence vector the classifier reads. */
export function vectorText(text: string, dropNegated: boolean, rules: EnglishEmotionRules): string {
  return dropNegated ? rules.withoutNegated(text) : text;
}

export function train(examples: Example[], options: TrainOptions, rules: EnglishEmotionRules): SoftmaxModel {
  const m = matrix(examples, options, rules);
  return fitSoftmax(m.x, m.y, [...EMOTIONS], options);
}

function matrix(examples: Example[], options: TrainOptions, rules: EnglishEmotionRules) {
  return {
    x: examples.map((e) => englishFeatures(e.line.text, e.vector, rules, options.groups)),
    y: examples.map((e) => EMOTIONS.indexOf(e.line.label)),
  };
}

export function accuracy(
  trainSet: Example[],
  test: Example[],
  options: TrainOptions,
  rules: EnglishEmotionRules,
): number {
  const model = train(trainSet, options, rules);
  const b = matrix(test, options, rules);
  const right = b.x.filter((row, i) => argmax(predictSoftmax(model, row)) === b.y[i]).length;
  return right / test.length;
}

/** Stratified folds: each label's examples dealt round-robin in file order (the files are grouped by label). */
function folds(examples: Example[], k: number): Example[][] {
  const out: Example[][] = Array.from({ length: k }, () => []);
  const seen = new Map<string, number>();
  for (const e of examples) {
    const n = seen.get(e.line.label) ?? 0;
    seen.set(e.line.label, n + 1);
    out[n % k]!.push(e);
  }
  return out;
}

export function crossValidate(examples: Example[], options: TrainOptions, rules: EnglishEmotionRules, k = 5): number {
  const parts = folds(examples, k);
  let right = 0;
  parts.forEach((test, i) => {
    right += accuracy(parts.filter((_, j) => j !== i).flat(), test, options, rules) * test.length;
  });
  return right / examples.length;
}

/** The final model's case: trained on all tuning lines and 4/5 of validation, measured on the other fifth. */
export function validationFolds(
  tuning: Example[],
  validation: Example[],
  options: TrainOptions,
  rules: EnglishEmotionRules,
  k = 5,
) {
  const parts = folds(validation, k);
  let right = 0;
  parts.forEach((test, i) => {
    right += accuracy([...tuning, ...parts.filter((_, j) => j !== i).flat()], test, options, rules) * test.length;
  });
  return right / validation.length;
}

function argmax(p: number[]): number {
  return p.indexOf(Math.max(...p));
}
