// Two sequences compared in order, element by element: what both sides of a check must share.
export const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
