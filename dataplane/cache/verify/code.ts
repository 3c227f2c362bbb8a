// Code-identifier check: `git push` vs `git pull`, os.path.join vs os.path.split, --force vs --dry-run name
// different things however alike the sentences around them are, so every identifier must reappear.
import type { Analysis } from './tokenize.js';

function identifiers(a: Analysis): string[] {
  const found = [...a.quoted];
  for (const t of a.tokens) if (t.kind === 'code') found.push(t.norm);
  return found;
}

/**
 * `b` names `id` as code or in prose: "the git push command" names `git push`, "the AudioClassification
 * class of datasets" names datasets.AudioClassification (every dotted part is there), and a qualified name
 * names its last part.
 */
function names(b: Analysis, id: string): boolean {
  const bare = id.endsWith('()') ? id.slice(0, -2) : id;
  if (b.words.has(bare) || b.words.has(`${bare}()`) || b.quoted.includes(id)) return true;
  if (b.flat.includes(` ${bare} `) || b.flat.includes(`.${bare} `) || b.flat.includes(`.${bare}() `))
    return true;
  return bare.includes('.') && bare.split('.').every((part) => part === '' || b.words.has(part));
}

/** Drops entries contained in a longer one (the flag inside a backticked command), for a readable detail. */
function outermost(ids: readonly string[]): string {
  const kept = [...new Set(ids)].filter(
    (id, _, all) => !all.some((other) => other !== id && other.includes(id)),
  );
  return kept.length === 0 ? '∅' : kept.join(',');
}

export function codeDetail(a: Analysis, b: Analysis): string | undefined {
  const onlyA = identifiers(a).filter((id) => !names(b, id));
  const onlyB = identifiers(b).filter((id) => !names(a, id));
  if (onlyA.length === 0 && onlyB.length === 0) return undefined;
  return `${outermost(onlyA)} vs ${outermost(onlyB)}`;
}
