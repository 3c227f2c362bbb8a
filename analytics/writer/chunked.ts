// Batch-sized CPU work (cleaning, JSON encoding and decoding) cut into slices with a yield between them,
// so that a 10k-row batch never stalls the event loop, and with it the request path, for more than a slice.
const SLICE_ROWS = 500;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Maps `items` in slices; `fn` returning undefined leaves the item out. */
export async function mapInSlices<T, U>(items: readonly T[], fn: (item: T) => U | undefined): Promise<U[]> {
  const out: U[] = [];
  for (let start = 0; start < items.length; start += SLICE_ROWS) {
    if (start > 0) await yieldToLoop();
    const end = Math.min(items.length, start + SLICE_ROWS);
    for (let i = start; i < end; i++) {
      const mapped = fn(items[i]!);
      if (mapped !== undefined) out.push(mapped);
    }
  }
  return out;
}

/** JSONEachRow text of `rows`, one line each. */
export async function toJsonLines(rows: readonly object[]): Promise<string> {
  const parts = await mapInSlices(rows, (row) => JSON.stringify(row));
  return parts.length === 0 ? '' : parts.join('\n') + '\n';
}

/** Parses JSONEachRow text; a line that does not parse (a torn write) is reported, not thrown. */
export async function fromJsonLines(text: string, onBadLine: () => void): Promise<object[]> {
  const lines = text.split('\n');
  return mapInSlices(lines, (line) => {
    if (line === '') return undefined;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value === 'object' && value !== null) return value;
    } catch {
      // Counted by the caller.
    }
    onBadLine();
    return undefined;
  });
}
