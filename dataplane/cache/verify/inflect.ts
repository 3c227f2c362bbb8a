// Regular English verb inflections, for the word lists of the antonym and direction checks.

/**
 * enable → enables, enabled, enabling; stop → stops, stopped, stopping; switch → switches. Irregular forms
 * (sent, went, met…) are listed by the callers themselves.
 */
export function inflect(w: string): string[] {
  const forms = [w, `${w}s`];
  if (w.endsWith('e')) forms.push(`${w}d`, `${w.slice(0, -1)}ing`);
  else forms.push(`${w}ed`, `${w}ing`, `${w}es`);
  // stop → stopped, stopping: one short vowel before a final consonant doubles it.
  if (/(?:^|[^aeiou])[aeiou][bdgklmnprt]$/.test(w)) forms.push(`${w}${w.at(-1)!}ed`, `${w}${w.at(-1)!}ing`);
  return forms;
}
