// Randomness and placeholder tests for secret candidates. Real keys are random; documentation and config
// templates are full of `xxxx`, `${VAR}`, `<token>` and `YOUR_KEY` that look like keys to a regex.

/** Shannon entropy in bits per character (UTF-16 code units; candidates are ASCII). */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many of lower-case, upper-case, digit and other characters occur. */
export function characterClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    // Letters of other scripts are letters ("obrigatória" is one class, not two): rare in secrets, common
    // in the sentences around them.
    else if (c >= 0xc0 && /\p{L}/u.test(value[i]!)) {
      if (/\p{Lu}/u.test(value[i]!)) upper = 1;
      else lower = 1;
    } else other = 1;
  }
  return lower + upper + digit + other;
}

/**
 * Masking runs (`xxxxx`, `XXXXX`, `***`, `###`, `...`): how documentation blanks out a key. Five x's
 * occur by chance in under 1 in 10^5 random 600-character tokens, so this check is safe on provider keys.
 */
export function hasMaskRun(value: string): boolean {
  return /x{5}|X{5}|\*{3}|#{3}|\.{3}|…|•{3}/.test(value);
}

/**
 * Marks of a template rather than a value: masking runs, variable and template syntax (`$VAR`, `${...}`,
 * `$(...)`, `{{...}}`, `<...>`, `%s`), and words that say "put yours here". For short values only: in a
 * long random string these words can occur by chance.
 */
export function looksLikePlaceholder(value: string): boolean {
  if (hasMaskRun(value) || /x{4}|X{4}/.test(value)) return true;
  if (/^\$|\$\{|\$\(|\{\{|^<.*>$|^\{.*\}$|^%[sd]$/.test(value)) return true;
  return /your[_-]?|replace[_-]?(me|with)|placeholder|redacted|changeme|dummy|sample|insert[_-]?here|put[_-]?your/i.test(
    value,
  );
}

/**
 * True when the value holds a run of 6+ consecutive ascending (or descending) digits or letters, e.g.
 * `123456` or `abcdef`: people type these into examples; random keys almost never contain them.
 */
export function hasSequentialRun(value: string, minRun = 6): boolean {
  let up = 1;
  let down = 1;
  for (let i = 1; i < value.length; i++) {
    const step = value.charCodeAt(i) - value.charCodeAt(i - 1);
    const alnum = /[0-9A-Za-z]/.test(value[i]!) && /[0-9A-Za-z]/.test(value[i - 1]!);
    up = alnum && step === 1 ? up + 1 : 1;
    down = alnum && step === -1 ? down + 1 : 1;
    if (up >= minRun || down >= minRun) return true;
  }
  return false;
}

/** Longest run of one repeated character (`aaaaaaaa` in a "key" is filler). */
export function longestRepeat(value: string): number {
  let best = value.length > 0 ? 1 : 0;
  let run = 1;
  for (let i = 1; i < value.length; i++) {
    run = value[i] === value[i - 1] ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}
