// Zero-shot classification (NLI) on a transformers.js zero-shot-classification pipeline's tokenizer and
// model: the model scores "This example is {label}." as entailed by each text. Done here rather than by the
// pipeline's own call, which (transformers.js 4.3) runs one forward pass per (text, label) pair and, when a
// pair is too long, cuts its END: a scene of 180 s of dialogue loses the hypothesis and every label scores
// the same. Here the premise is shortened first (the hypothesis always survives), pairs go to the model in
// batches, and the abort signal is checked between batches.
import type { Provenance, ZeroShotClassifier, ZeroShotResult } from "../model-ports.js";
import type { PipelineLike } from "./runtime.js";

interface Tensor {
  data: ArrayLike<number | bigint>;
  dims: number[];
}

interface NliTokenizer {
  (texts: string[], options: Record<string, unknown>): Record<string, Tensor>;
  encode(text: string, options?: { text_pair?: string; add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  model_max_length?: number;
}

interface NliModel {
  (inputs: Record<string, Tensor>): Promise<{ logits: Tensor }>;
  config?: { label2id?: Record<string, number>; max_position_embeddings?: number };
}

/** The parts of the pipeline this class drives; absent parts mean the pipeline is not an NLI one. */
function nliParts(pipe: PipelineLike): { tokenizer: NliTokenizer; model: NliModel } {
  const { tokenizer, model } = pipe as { tokenizer?: NliTokenizer; model?: NliModel };
  if (typeof tokenizer !== "function" || typeof model !== "function")
    throw new Error("zero-shot: the pipeline has no tokenizer or model");
  return { tokenizer, model };
}

/** the label id whose name starts with `prefix` (entail..., contradict...), as the pipeline finds them */
function labelId(label2id: Record<string, number>, prefix: string): number | undefined {
  const key = Object.keys(label2id).find((k) => k.toLowerCase().startsWith(prefix));
  return key === undefined ? undefined : label2id[key];
}

const DEFAULT_TEMPLATE = "This example is {}.";

export class TransformersZeroShotClassifier implements ZeroShotClassifier {
  readonly provenance: Provenance;
  /** forward passes made (tests: batching) */
  calls = 0;
  private readonly tokenizer: NliTokenizer;
  private readonly model: NliModel;
  private readonly entailment: number;
  private readonly contradiction: number;
  private readonly maxTokens: number;

  constructor(
    pipe: PipelineLike,
    private readonly options: { model: string; batchSize?: number },
  ) {
    this.provenance = { method: "model", model: options.model };
    ({ tokenizer: this.tokenizer, model: this.model } = nliParts(pipe));
    const label2id = this.model.config?.label2id ?? {};
    this.entailment = labelId(label2id, "entail") ?? 2;
    this.contradiction = labelId(label2id, "contradict") ?? 0;
    // tokenizers without a limit say so with a huge number (1e30): the position table is the real bound
    const declared = this.tokenizer.model_max_length ?? Infinity;
    this.maxTokens = Math.min(declared, this.model.config?.max_position_embeddings ?? 512, 4096);
  }

  async classify(
    texts: string[],
    labels: string[],
    options: { multiLabel?: boolean; hypothesisTemplate?: string; signal?: AbortSignal } = {},
  ): Promise<ZeroShotResult[]> {
    if (labels.length === 0) return texts.map(() => ({ labels: [] }));
    const template = options.hypothesisTemplate ?? DEFAULT_TEMPLATE;
    const hypotheses = labels.map((l) => template.replace("{}", l));
    // one premise per text, cut (if at all) to fit beside the longest hypothesis: every label is scored
    // against the same words, and the text is tokenized once, not once per label
    const lengths = hypotheses.map((h) => this.tokenizer.encode(h, { add_special_tokens: false }).length);
    const longest = hypotheses[lengths.indexOf(Math.max(...lengths))]!;
    const pairs = texts.flatMap((text) => {
      const premise = this.fit(text, longest);
      return hypotheses.map((hypothesis) => ({ premise, hypothesis }));
    });
    const rows: number[][] = [];
    const batch = Math.max(1, this.options.batchSize ?? 16);
    for (let i = 0; i < pairs.length; i += batch) {
      options.signal?.throwIfAborted();
      rows.push(...(await this.forward(pairs.slice(i, i + batch))));
    }
    // as the pipeline: several labels compete through a softmax over their entailment logits; one label,
    // or multi-label, is entailment against contradiction per label
    const softmaxEach = options.multiLabel === true || labels.length === 1;
    return texts.map((_, t) => {
      const mine = rows.slice(t * labels.length, (t + 1) * labels.length);
      const scores = softmaxEach
        ? mine.map((r) => softmax([r[this.contradiction]!, r[this.entailment]!])[1]!)
        : softmax(mine.map((r) => r[this.entailment]!));
      return {
        labels: labels.map((label, i) => ({ label, score: scores[i] ?? 0 })).sort((a, b) => b.score - a.score),
      };
    });
  }

  /** The premise cut (from its end) so that premise + `hypothesis` + special tokens fit the model. */
  private fit(premise: string, hypothesis: string): string {
    let text = premise;
    for (let attempt = 0; attempt < 4; attempt++) {
      const total = this.tokenizer.encode(text, { text_pair: hypothesis }).length;
      if (total <= this.maxTokens) return text;
      const ids = this.tokenizer.encode(text, { add_special_tokens: false });
      // decoding and encoding again can merge or split a token: cut a little more on each attempt
      const keep = Math.max(0, ids.length - (total - this.maxTokens) - attempt * 4);
      text = this.tokenizer.decode(ids.slice(0, keep), { skip_special_tokens: true });
    }
    return text;
  }

  private async forward(pairs: Array<{ premise: string; hypothesis: string }>): Promise<number[][]> {
    const inputs = this.tokenizer(
      pairs.map((p) => p.premise),
      { text_pair: pairs.map((p) => p.hypothesis), padding: true, truncation: true, max_length: this.maxTokens },
    );
    this.calls++;
    const { logits } = await this.model(inputs);
    const width = logits.dims[logits.dims.length - 1]!;
    return pairs.map((_, i) => Array.from({ length: width }, (__, j) => Number(logits.data[i * width + j])));
  }
}

function softmax(values: number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
