// Multinomial logistic regression (softmax over classes) with an L2 penalty, fitted by full-batch gradient
// descent (Adam). The emotion fallback's sentence classifier is this small (a few hundred lines, ~110
// features, 7 classes), and training it must be reproducible bit for bit from a script, so it is written
// here rather than pulling in a numerical library: the fit is deterministic (zero start, fixed steps).
// Features are standardised with the training set's mean and spread, which the model keeps.

export interface SoftmaxModel {
  classes: string[];
  /** per feature: the training mean and standard deviation used to standardise it */
  mean: number[];
  std: number[];
  /** classes.length rows of features.length weights */
  weights: number[][];
  bias: number[];
}

export interface FitOptions {
  /** the L2 penalty on the weights (not the bias), against the mean cross-entropy; default 0.1 */
  l2?: number;
  /** gradient steps; default 600 */
  steps?: number;
  /** Adam's step size; default 0.05 */
  rate?: number;
}

export function fitSoftmax(x: number[][], y: number[], classes: string[], options: FitOptions = {}): SoftmaxModel {
  const l2 = options.l2 ?? 0.1;
  const steps = options.steps ?? 600;
  const rate = options.rate ?? 0.05;
  const dims = x[0]?.length ?? 0;
  const { mean, std } = spread(x, dims);
  const z = x.map((row) => standardise(row, mean, std));
  const k = classes.length;
  const w = Array.from({ length: k }, () => new Float64Array(dims + 1)); // last column: bias
  const adam = new Adam(k * (dims + 1), rate);
  for (let step = 0; step < steps; step++) {
    const grad = Array.from({ length: k }, () => new Float64Array(dims + 1));
    z.forEach((row, i) => {
      const p = softmax(w.map((wc) => linear(wc, row)));
      for (let c = 0; c < k; c++) {
        const g = (p[c]! - (y[i] === c ? 1 : 0)) / z.length;
        for (let d = 0; d < dims; d++) grad[c]![d]! += g * row[d]!;
        grad[c]![dims]! += g;
      }
    });
    for (let c = 0; c < k; c++) for (let d = 0; d < dims; d++) grad[c]![d]! += l2 * w[c]![d]!;
    adam.step(w, grad);
  }
  return {
    classes,
    mean,
    std,
    weights: w.map((wc) => Array.from(wc.subarray(0, dims))),
    bias: w.map((wc) => wc[dims]!),
  };
}

/** The class probabilities of one feature row. */
export function predictSoftmax(model: SoftmaxModel, row: ArrayLike<number>): number[] {
  const z = standardise(row, model.mean, model.std);
  return softmax(model.weights.map((wc, c) => linear(wc, z) + model.bias[c]!));
}

function linear(w: ArrayLike<number>, row: number[]): number {
  let s = w.length > row.length ? w[row.length]! : 0; // a bias column when present
  for (let d = 0; d < row.length; d++) s += w[d]! * row[d]!;
  return s;
}

function softmax(logits: number[]): number[] {
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function spread(x: number[][], dims: number): { mean: number[]; std: number[] } {
  const mean = new Array<number>(dims).fill(0);
  const std = new Array<number>(dims).fill(0);
  for (const row of x) for (let d = 0; d < dims; d++) mean[d]! += row[d]! / x.length;
  for (const row of x) for (let d = 0; d < dims; d++) std[d]! += (row[d]! - mean[d]!) ** 2 / x.length;
  // a constant feature keeps spread 1, so it standardises to zero rather than to NaN
  return { mean, std: std.map((v) => (v > 1e-12 ? Math.sqrt(v) : 1)) };
}

function standardise(row: ArrayLike<number>, mean: number[], std: number[]): number[] {
  return mean.map((m, d) => (Number.isFinite(row[d]!) ? (row[d]! - m) / std[d]! : 0));
}

class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(
    size: number,
    private readonly rate: number,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  step(w: Float64Array[], grad: Float64Array[]): void {
    this.t++;
    const [b1, b2] = [0.9, 0.999];
    let i = 0;
    for (let c = 0; c < w.length; c++)
      for (let d = 0; d < w[c]!.length; d++, i++) {
        const g = grad[c]![d]!;
        this.m[i] = b1 * this.m[i]! + (1 - b1) * g;
        this.v[i] = b2 * this.v[i]! + (1 - b2) * g * g;
        const mh = this.m[i]! / (1 - b1 ** this.t);
        const vh = this.v[i]! / (1 - b2 ** this.t);
        w[c]![d]! -= (this.rate * mh) / (Math.sqrt(vh) + 1e-8);
      }
  }
}
