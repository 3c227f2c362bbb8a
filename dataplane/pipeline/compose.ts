// An onion of named stages, Hono-style: each stage gets (ctx, next) and may act before and after the rest.
// Calling next() twice is a bug and throws, so a stage cannot dispatch a request twice.
import type { GatewayContext } from './context.js';

export type Next = () => Promise<void>;

export interface Stage {
  readonly name: string;
  run(ctx: GatewayContext, next: Next): Promise<void>;
}

export function compose(stages: readonly Stage[]): (ctx: GatewayContext) => Promise<void> {
  return function run(ctx) {
    let last = -1;
    const dispatch = (i: number): Promise<void> => {
      if (i <= last) return Promise.reject(new Error(`stage "${stages[i - 1]?.name}" called next() twice`));
      last = i;
      const stage = stages[i];
      if (stage === undefined) return Promise.resolve();
      try {
        return stage.run(ctx, () => dispatch(i + 1));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return dispatch(0);
  };
}
