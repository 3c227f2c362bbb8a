// Code features of a prompt: fenced blocks and their languages, code-looking lines outside fences, languages
// named in the text, and requests to write or change code.
import type { Screen } from './screen.js';

export interface CodeFeatures {
  readonly blocks: number;
  /** Sorted, unique: from fence tags, from languages named in the text, from unfenced code. */
  readonly languages: readonly string[];
  readonly unfencedLines: number;
  /** Distinct "write/implement/fix ... function/script/query" phrases. */
  readonly requests: number;
}

const MAX_LINES = 4_000;

// Fence tags and spellings mapped to one name per language.
const TAG_ALIASES: Readonly<Record<string, string>> = {
  py: 'python',
  python3: 'python',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  rs: 'rust',
  golang: 'go',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  'c++': 'cpp',
  cc: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  'c#': 'csharp',
  cs: 'csharp',
  yml: 'yaml',
  kt: 'kotlin',
  rb: 'ruby',
  'f#': 'fsharp',
  ps1: 'powershell',
  psql: 'sql',
  postgresql: 'sql',
  mysql: 'sql',
  plpgsql: 'sql',
  'tla+': 'tla',
  md: 'markdown',
};

// Languages named in prose ("in Rust", "a Python function"). Ambiguous words (go, c, r, lean) need a cue.
const NAMED_LANGUAGES: readonly (readonly [string, RegExp])[] = [
  ['python', /\bpython\b/],
  ['javascript', /\b(?:javascript|node\.?js)\b/],
  ['typescript', /\btypescript\b/],
  ['rust', /\brust\b(?! belt)/],
  ['go', /\b(?:golang|in go\b|go (?:code|program|service|module|routine))/],
  ['java', /\bjava\b(?!script)/],
  ['cpp', /\bc\+\+/],
  ['csharp', /\bc#/],
  ['c', /\b(?:in c|ansi c|c program|c code|c function)\b(?![+#])/],
  ['sql', /\b(?:sql|postgres(?:ql)?|mysql|sqlite)\b/],
  ['bash', /\b(?:bash|shell script|zsh|powershell)\b/],
  ['kotlin', /\bkotlin\b/],
  ['swift', /\bswift(?:ui)?\b/],
  ['ruby', /\bruby\b/],
  ['php', /\bphp\b/],
  ['haskell', /\bhaskell\b/],
  ['scala', /\bscala\b/],
  ['tla', /\btla\+/],
  ['coq', /\bcoq\b/],
  ['lean', /\blean ?4\b|\bin lean\b/],
  ['yaml', /\byaml\b/],
  ['html', /\bhtml\b/],
  ['css', /\bcss\b/],
  ['solidity', /\bsolidity\b/],
  ['regex', /\b(?:regex|regular expression)\b/],
  ['docker', /\bdockerfile\b|\bdocker compose\b/],
  ['terraform', /\bterraform\b/],
];

// A line that looks like code in some common language: keywords at line start, or statement punctuation.
export const CODE_LINE =
  /^\s*(?:def |class |import |from \S+ import |function |const |let |var |return\b|if \(|for \(|while \(|#include|public |private |fn |func |package |select |insert into |update \S+ set |create table |\} ?else|@\w+\(|<\/?[a-z][a-z0-9]*(?: [^>]*)?>\s*$)|[;{}]\s*$|=>|::|\)\s*\{|^\s*(?:\w+\.)+\w+\(.*\)\s*$/i;

// Unfenced lines that identify a language, for prompts that paste code without a fence.
const UNFENCED_LANGUAGE: readonly (readonly [string, RegExp])[] = [
  ['python', /^\s*(?:def \w+\(.*\):|from \S+ import |import \w+$)/],
  ['javascript', /^\s*(?:const|let) \w+ = |=> \{|function \w+\(/],
  ['cpp', /^\s*#include\s*<\w+>/],
  ['sql', /^\s*select\b.*\bfrom\b/i],
  ['bash', /^#!\/bin\/(?:ba)?sh/],
];

const CODE_REQUEST =
  /\b(?:write|implement|create|build|code|refactor|debug|fix|port|optimi[sz]e|rewrite|convert|generate|add)\b[^.?!\n]{0,60}?\b(?:function|method|class|script|program|code|api|module|query|regex|regular expression|unit tests?|tests?|component|endpoint|algorithm|parser|compiler|cli|library|service|queue|interface|schema|type hints|error handling|dockerfile|makefile|manifest|workflow|config(?:uration)? file|terraform|migration)\b/;

function normaliseTag(tag: string): string {
  const lower = tag.toLowerCase();
  return TAG_ALIASES[lower] ?? lower;
}

// The same request in a few other languages ("write a function", "write code").
const CODE_REQUEST_OTHER =
  /(?:写|编写|实现|生成)(?:一个|一段)?(?:\S{0,6})?(?:函数|代码|脚本|程序|类|接口)|напиши\S*\s+(?:\S+\s+)?(?:функци|код|скрипт|программ)|escribe\s+(?:\S+\s+)?(?:función|funcion|código|codigo|script|programa)|schreibe\s+(?:\S+\s+)?(?:funktion|code|skript|programm)|écris\s+(?:\S+\s+)?(?:fonction|code|script|programme)/;

/** Patterns the features run on the lower-cased text: what the Screen must know. */
export const CODE_PATTERNS: readonly RegExp[] = [
  ...NAMED_LANGUAGES.map(([, pattern]) => pattern),
  CODE_REQUEST,
  CODE_REQUEST_OTHER,
];

const FENCE = /^\s*(?:```|~~~)\s*([\w+#.-]*)/;
// Every branch of CODE_LINE but the keyword ones needs one of these characters; without any in the text,
// a line is code exactly when it starts with one of those keywords (a cheap anchored test per line).
export const CODE_PUNCTUATION = /[;{}()=:<@#]/;
export const CODE_KEYWORD_START =
  /^\s*(?:def |class |import |from \S+ import |function |const |let |var |return\b|public |private |fn |func |package |select |insert into |update \S+ set |create table )/i;

/** `text` keeps case and line breaks; `screen` holds its lower-cased copy. */
export function codeFeatures(text: string, screen: Screen): CodeFeatures {
  const languages = new Set<string>();
  let blocks = 0;
  let unfencedLines = 0;
  let inFence = false;
  // A fence line holds ``` or ~~~: without either in the text, no line needs the fence test.
  const fenced = text.includes('```') || text.includes('~~~');
  const codeLine = CODE_PUNCTUATION.test(text) ? CODE_LINE : CODE_KEYWORD_START;
  const lines = text.split('\n', MAX_LINES);
  for (const line of lines) {
    const fence = fenced ? FENCE.exec(line) : null;
    if (fence !== null) {
      if (!inFence) {
        blocks += 1;
        const tag = fence[1] ?? '';
        if (tag !== '') languages.add(normaliseTag(tag));
      }
      inFence = !inFence;
      continue;
    }
    if (inFence || line.length > 400) continue;
    if (codeLine.test(line)) {
      unfencedLines += 1;
      for (const [name, pattern] of UNFENCED_LANGUAGE) if (pattern.test(line)) languages.add(name);
    }
  }
  for (const [name, pattern] of NAMED_LANGUAGES) if (screen.test(pattern)) languages.add(name);
  return {
    blocks,
    languages: [...languages].sort(),
    unfencedLines,
    requests: screen.count(CODE_REQUEST, 8) + (screen.test(CODE_REQUEST_OTHER) ? 1 : 0),
  };
}
