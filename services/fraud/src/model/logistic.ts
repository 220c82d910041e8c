/**
 * Logistic regression on standardized features: the model the score handler runs and the
 * training script fits. Pure functions over plain numbers.
 */
export interface LogisticModel {
  version: string;
  features: string[];
  /** per feature, subtracted before scaling */
  means: number[];
  /** per feature, divides after centring (1 for a constant feature) */
  scales: number[];
  weights: number[];
  bias: number;
}

export interface Contribution {
  feature: string;
  /** the feature's part of the log-odds, against an average transaction */
  contribution: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function standardized(model: LogisticModel, x: number[]): number[] {
  return model.features.map((_, i) => ((x[i] ?? 0) - model.means[i]!) / model.scales[i]!);
}

/** The probability of fraud and each feature's contribution to its log-odds. */
export function predict(
  model: LogisticModel,
  x: number[],
): { probability: number; contributions: Contribution[] } {
  const z = standardized(model, x);
  const contributions = model.features.map((feature, i) => ({
    feature,
    contribution: model.weights[i]! * z[i]!,
  }));
  const logit = contributions.reduce((sum, c) => sum + c.contribution, model.bias);
  return { probability: sigmoid(logit), contributions };
}

/** Solves a·x = b for a small dense system (Gaussian elimination with partial pivoting). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    for (let r = col + 1; r < n; r += 1)
      if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r += 1) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c += 1) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r -= 1) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c += 1) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/**
 * Fits the model by Newton's method (iteratively reweighted least squares) with a small L2
 * penalty on the weights, which keeps it finite when a feature separates the classes; a handful
 * of iterations converge, and the result depends on the data alone.
 */
export function fit(
  features: string[],
  rows: number[][],
  labels: number[],
  options: { l2?: number; iterations?: number } = {},
): Omit<LogisticModel, 'version'> {
  const l2 = options.l2 ?? 1;
  const d = features.length;
  const means = features.map((_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const scales = features.map((_, j) => {
    const variance = rows.reduce((s, r) => s + (r[j]! - means[j]!) ** 2, 0) / rows.length;
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  const z = rows.map((r) => [1, ...r.map((v, j) => (v - means[j]!) / scales[j]!)]);
  let beta = new Array<number>(d + 1).fill(0);
  for (let iteration = 0; iteration < (options.iterations ?? 25); iteration += 1) {
    const gradient = new Array<number>(d + 1).fill(0);
    const hessian = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    for (let i = 0; i < z.length; i += 1) {
      const zi = z[i]!;
      const p = sigmoid(zi.reduce((s, v, j) => s + v * beta[j]!, 0));
      const w = p * (1 - p);
      for (let j = 0; j <= d; j += 1) {
        gradient[j]! += (labels[i]! - p) * zi[j]!;
        for (let k = j; k <= d; k += 1) hessian[j]![k]! += w * zi[j]! * zi[k]!;
      }
    }
    for (let j = 0; j <= d; j += 1) {
      for (let k = 0; k < j; k += 1) hessian[j]![k] = hessian[k]![j]!;
      if (j > 0) {
        gradient[j]! -= l2 * beta[j]!;
        hessian[j]![j]! += l2;
      }
    }
    const step = solve(hessian, gradient);
    beta = beta.map((b, j) => b + step[j]!);
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  return { features, means, scales, weights: beta.slice(1), bias: beta[0]! };
}
