// Failure modes chosen by model name, as in TensorZero's dummy provider: a model named `sim-error-500`,
// `sim-429`, `sim-reset-mid-stream`, `sim-slow-first-byte` or `sim-flaky` behaves accordingly.

export type SimulatedFailure =
  | { kind: 'none' }
  | { kind: 'http-error'; status: number }
  | { kind: 'rate-limited' }
  | { kind: 'reset-mid-stream' }
  | { kind: 'slow-first-byte' }
  | { kind: 'flaky' };

export function failureFor(modelName: string): SimulatedFailure {
  const error = /(?:^|-)error-(\d{3})(?:-|$)/.exec(modelName);
  if (error !== null) return { kind: 'http-error', status: Number(error[1]) };
  if (/(?:^|-)429(?:-|$)/.test(modelName)) return { kind: 'rate-limited' };
  if (modelName.includes('reset-mid-stream')) return { kind: 'reset-mid-stream' };
  if (modelName.includes('slow-first-byte')) return { kind: 'slow-first-byte' };
  if (modelName.includes('flaky')) return { kind: 'flaky' };
  return { kind: 'none' };
}
