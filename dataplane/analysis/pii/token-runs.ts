// Runs of key characters (letters, digits and `_-.~+/=`, everything base64, base64url and provider keys
// are made of) long enough to hold a key. Prose words are short, so most text holds no such run, and
// finding the runs by sampling costs a fraction of a pass over the text.

export function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 43 && c <= 57 && c !== 44) || // + - . / and digits
    c === 61 || // =
    c === 95 || // _
    c === 126 // ~
  );
}

/** isKeyChar for ASCII as a lookup table (one read per character; undefined, so false, above 127). */
export function keyCharTable(): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) table[c] = isKeyChar(c) ? 1 : 0;
  return table;
}

/**
 * Start and end (exclusive) of every maximal run of key characters at least `min` long, flattened and in
 * order. Only every `min`-th character is read first: a run that long covers one of them, and from there
 * the run is walked both ways. Each character is read a bounded number of times.
 */
export function keyRuns(text: string, min: number, keyChars: Uint8Array): number[] {
  const runs: number[] = [];
  const n = text.length;
  let floor = 0;
  for (let p = min - 1; p < n; p += min) {
    if (keyChars[text.charCodeAt(p)] !== 1) continue;
    let end = p + 1;
    while (end < n && keyChars[text.charCodeAt(end)] === 1) end++;
    let start = p;
    while (start > floor && keyChars[text.charCodeAt(start - 1)] === 1) start--;
    if (end - start >= min) runs.push(start, end);
    floor = end;
    // Continue with the first sample after this run.
    while (p + min < end) p += min;
  }
  return runs;
}
