// Two sequences compared in order, element by element: what both sides of a check must share.
export const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Items in order, except that each run of items joined to the one before (`joined(k)`: "500 and 1000", "China
 * or India") is a plain list with no order of its own: sorted. Two prompts that list the same things in
 * another order then read the same.
 */
export function listOrder(items: readonly string[], joined: (k: number) => boolean): string[] {
  const out: string[] = [];
  let run: string[] = [];
  items.forEach((item, k) => {
    if (k > 0 && !joined(k)) {
      out.push(...run.sort());
      run = [];
    }
    run.push(item);
  });
  out.push(...run.sort());
  return out;
}
