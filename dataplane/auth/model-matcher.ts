// Which models an identity may use: exact ids (aliases included, since an alias is a configured model id)
// and `*` globs. Matchers are compiled once per config, so a request only runs the compiled checks.

export interface ModelMatcher {
  /** The configured pattern lists; a model is allowed when it matches a pattern of every list. */
  readonly lists: readonly (readonly string[])[];
  matches(modelId: string): boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileModelPatterns(patterns: readonly string[]): ModelMatcher {
  const lists = Object.freeze([Object.freeze([...patterns])]);
  if (patterns.includes('*')) return Object.freeze({ lists, matches: () => true });
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const pattern of patterns) {
    if (pattern.includes('*')) globs.push(pattern.split('*').map(escapeRegExp).join('.*'));
    else exact.add(pattern);
  }
  // One alternation instead of a loop over regexes: a single pass per lookup.
  const glob = globs.length === 0 ? null : new RegExp(`^(?:${globs.join('|')})$`, 's');
  return Object.freeze({
    lists,
    matches: (modelId: string) => exact.has(modelId) || (glob !== null && glob.test(modelId)),
  });
}

/** A model must be allowed by both: how an app's list narrows its team's list. */
export function intersectMatchers(outer: ModelMatcher, inner: ModelMatcher): ModelMatcher {
  return Object.freeze({
    lists: Object.freeze([...outer.lists, ...inner.lists]),
    matches: (modelId: string) => outer.matches(modelId) && inner.matches(modelId),
  });
}
