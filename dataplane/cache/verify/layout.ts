// Code the embedding cannot weigh: the model drops whitespace (so indentation is invisible to it) and reads
// operators and brackets like any punctuation ("age > 30" vs "age < 30": 0.9945; "[] + {}" vs "{} + []":
// 0.984). Reported as `code`.
import { sameList } from './same-list.js';

/** Each non-blank line's leading whitespace, by the line's content; undefined for fewer than two lines. */
function indentation(text: string): Map<string, string[]> | undefined {
  if (!text.includes('\n') && !text.includes('\r')) return undefined;
  const out = new Map<string, string[]>();
  let lines = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const body = line.trimStart();
    if (body === '') continue;
    lines++;
    const key = body.trimEnd();
    const indent = line.slice(0, line.length - body.length);
    const list = out.get(key);
    if (list === undefined) out.set(key, [indent]);
    else list.push(indent);
  }
  return lines < 2 ? undefined : out;
}

// Comparison operators, longest first; and the brackets code and JSON use (not parentheses, which prose uses).
const OPERATOR_RE = /<=|>=|==|!=|<>|[<>≤≥≠]/g;
const BRACKET_RE = /[[\]{}]/g;

/**
 * Code the embedding cannot weigh: a line both prompts have, indented differently ("    z()" vs "z()");
 * comparison operators, in order ("age > 30" vs "age < 30"); square brackets and braces, in order
 * ("[] + {}" vs "{} + []").
 */
export function layoutDetail(a: string, b: string): string | undefined {
  const linesA = indentation(a);
  const linesB = linesA === undefined ? undefined : indentation(b);
  if (linesA !== undefined && linesB !== undefined) {
    for (const [line, inA] of linesA) {
      const inB = linesB.get(line);
      if (inB === undefined || sameList(inA, inB)) continue;
      if (inA.some((s) => s !== '') || inB.some((s) => s !== ''))
        return `indentation of '${line.slice(0, 40)}'`;
    }
  }
  for (const re of [OPERATOR_RE, BRACKET_RE]) {
    const opsA = a.match(re) ?? [];
    const opsB = b.match(re) ?? [];
    if (!sameList(opsA, opsB)) return `'${opsA.join(' ')}' vs '${opsB.join(' ')}'`;
  }
  return undefined;
}
