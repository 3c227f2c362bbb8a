// Batch-sized CPU work (cleaning, JSON encoding and decoding) cut into slices with a yield between them,
// so that a 10k-row batch never stalls the event loop, and with it the request path, for more than a slice.
// A slice ends after SLICE_ROWS items or SLICE_MS, whichever comes first: rows of the requests table cost
// microseconds each, but an audit-body row (PII scan and redaction of up to two bodies) can cost a
// millisecond, and 500 of those would be a half-second stall.
const SLICE_ROWS = 500;
// 1 ms rather than 4: every request that arrives during a slice waits for it, and at 500–2000 req/s the
// full pipeline's p99 fell with it (bench/README.md, "Writer slices"); the extra yields cost nothing measurable.
const SLICE_MS = 1;
/** The clock is read every CLOCK_EVERY items: cheap rows stay cheap. */
const CLOCK_EVERY = 8;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Maps `items` in slices; `fn` returning undefined leaves the item out. */
export async function mapInSlices<T, U>(items: readonly T[], fn: (item: T) => U | undefined): Promise<U[]> {
  const out: U[] = [];
  let sliceStart = performance.now();
  let inSlice = 0;
  for (let i = 0; i < items.length; i++) {
    if (
      inSlice >= SLICE_ROWS ||
      (inSlice % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() - sliceStart >= SLICE_MS)
    ) {
      await yieldToLoop();
      sliceStart = performance.now();
      inSlice = 0;
    }
    inSlice++;
    const mapped = fn(items[i]!);
    if (mapped !== undefined) out.push(mapped);
  }
  return out;
}

/** JSONEachRow text of `rows`, one line each. */
export async function toJsonLines(rows: readonly object[]): Promise<string> {
  const parts = await mapInSlices(rows, (row) => JSON.stringify(row));
  return parts.length === 0 ? '' : parts.join('\n') + '\n';
}

/**
 * Parses JSON lines (JSONEachRow objects, or what `toRow` makes of each parsed line); a line that does not
 * parse (a torn write) or that `toRow` refuses (undefined) is reported, not thrown.
 */
export async function fromJsonLines(
  text: string,
  onBadLine: () => void,
  toRow: (value: unknown) => object | undefined = asObject,
): Promise<object[]> {
  const lines = text.split('\n');
  return mapInSlices(lines, (line) => {
    if (line === '') return undefined;
    try {
      const row = toRow(JSON.parse(line));
      if (row !== undefined) return row;
    } catch {
      // Counted by the caller.
    }
    onBadLine();
    return undefined;
  });
}

function asObject(value: unknown): object | undefined {
  return typeof value === 'object' && value !== null ? value : undefined;
}
