// What the request path needs of an abort signal. An AbortSignal is one; so is the HTTP exchange, which
// implements it with a plain listener list. Node 20 builds an AbortSignal in ≈ 2.2 µs (a transferable
// platform object) and adds and removes a listener in ≈ 0.3 µs: ≈ 3% of a pass-through request, for a signal
// that fires for a few requests in thousands.

export interface Abortable {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Options are accepted for AbortSignal's sake (`once`, …); a listener runs at most once either way. */
  addEventListener(type: 'abort', listener: () => void, options?: object): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Abort listeners run once, in order, when `abort()` is called: the exchange's side of Abortable. Listeners
 * may remove themselves or others while it runs.
 */
export class AbortListeners implements Abortable {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | undefined;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners ?? [];
    this.listeners = undefined;
    for (const listener of listeners) listener();
  }
}

/** Resolves after `ms`; rejects with the reason as soon as `signal` aborts (timers/promises wants an AbortSignal). */
export function delay(ms: number, signal: Abortable): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort);
  });
}
