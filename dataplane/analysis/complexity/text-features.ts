// Language features of a prompt that predict how hard it is to answer: math, reasoning cues, constraints,
// the number of distinct tasks, advanced technical terms, questions and demands for long output.
import { countAll, globalCopy } from './count.js';
import { createLexicon, type Lexicon } from './lexicon.js';
import type { Screen } from './screen.js';

export interface TextFeatures {
  readonly mathLatex: number;
  readonly mathExpressions: number;
  readonly mathTerms: number;
  /** Weighted: proof/design/optimisation cues count 1, analysis/comparison cues 0.5, "explain" 0.3. */
  readonly reasoning: number;
  readonly constraints: number;
  readonly listItems: number;
  /** Imperative task verbs ("design", "prove", "give"): how many things are asked for. */
  readonly taskVerbs: number;
  /** Commas, semicolons and colons: enumerated parts ("boundaries, ownership, phases, risks and a timeline"). */
  readonly separators: number;
  readonly technicalTerms: number;
  readonly questions: number;
  /** Weighted demands for a long or structured deliverable (report, tests, "300 words", pseudocode). */
  readonly outputDemand: number;
}

export const LATEX =
  /\$[^$\n]{1,300}\$|\\(?:frac|int|sum|prod|lim|sqrt|partial|begin\{|alpha|beta|gamma|theta|lambda|sigma|mathbb|mathcal|cdot|infty|nabla|leq|geq|neq|approx|forall|exists)/;
export const EXPRESSION =
  /[a-z0-9)\]]\s{0,2}\^\s{0,2}[a-z0-9(]|\b\d+\s{0,2}[+*×÷]\s{0,2}\d+\b|\b\d+\s{1,2}[-/]\s{1,2}\d+\b|\b[a-z]\s{0,2}=\s{0,2}[-+]?\d|\b[a-z]\s{0,2}[<>≤≥]=?\s{0,2}[a-z0-9]\b/;
const MATH_TERMS = createLexicon([
  /\bintegra(?:l|te|tion)\b/,
  /\bderivative/,
  /\beigen/,
  /\bmatri(?:x|ces)\b/,
  /\btheorem\b/,
  /\blemma\b/,
  /\bprobabilit/,
  /\bvariance\b/,
  /\bpolynomial/,
  /\bequations?\b/,
  /\blogarithm/,
  /\bmodulo\b/,
  /\bprimes?\b/,
  /\bconverge/,
  /\bdifferentiable\b/,
  /\btopolog/,
  /\bmanifold/,
  /\bstochastic/,
  /\bgradient/,
  /\bvector space/,
  /\bcombinatori/,
  /\bfourier\b/,
  /\blaplace\b/,
  /\bbayes/,
  /\bcontinuous function/,
  /\balmost everywhere/,
  /\bcondition number/,
  /\bquadratic\b/,
  /\bsolve for\b/,
  /\bitô|\bito's\b/,
  /证明|方程|矩阵|概率/,
  /\bformula\b/,
  /\bcalculat|\bcompute\b/,
  /\bcompound interest|\bamorti[sz]/,
  /\bmonte carlo\b/,
  /\bcorrelat/,
  /\bcovariance|\bcholesky|\bdecomposition\b/,
  /\bregression\b/,
  /\bregulari[sz]ation\b/,
  /\bestimator|\blikelihood/,
  /\bvalue at risk\b/,
  /\bclosed[- ]form\b/,
  /\bundecidab|\bcomputab/,
]);

// [pattern, weight]: proof, design and optimisation make a task hard; comparison and analysis less so.
const REASONING: readonly (readonly [RegExp, number])[] = [
  [/\bprove\b|\bproof\b|\bdisprove\b|证明|доказ|demuestra|beweise|démontre/, 1],
  [/\bderive\b|\bderivation\b|推导|вывед/, 1],
  [/\bformal(?:ly)? (?:verif|proof|specification|model)|\bverify (?:in|with) (?:coq|lean|isabelle|tla)/, 1],
  [
    /\bdesign (?:a|an|the)\b[^.?!\n]{0,50}\b(?:system|architecture|protocol|schema|algorithm|api|service|pipeline|database|platform|framework|model|queue|cache|scheduler|engine|store|storage|network|backend|infrastructure|runtime|language|controller|cluster)|\barchitect(?:ure)?\b|设计|架构|спроектир|diseña|entwirf|conçois/,
    1,
  ],
  [/\bdesign\b|\bmigrat(?:e|ion|ing)\b|\brollback\b/, 0.5],
  [/\boptimi[sz](?:e|ation|ing)\b|优化|оптимиз/, 1],
  [/\btrade-?offs?\b|权衡/, 1],
  [/\b(?:time|space) complexity\b|\basymptotic|\bbig-?o\b/, 1],
  [/\bcounterexample\b|\binduction\b|\binvariants?\b/, 1],
  [/\bthreat model|\battack scenarios?\b|\bsecurity (?:audit|review)|\baudit\b/, 1],
  [/\bbenchmark|\bsensitivity analysis|\bstress test|\bedge cases\b|\bfailure modes?\b/, 1],
  [/\broot cause|\brace condition|\bdeadlock|\breconcile\b|\bdiscrepanc/, 1],
  [/\bfrom first principles\b|\brigorous(?:ly)?\b|\bin[- ]depth\b|\bprecisely\b/, 1],
  [/\banaly[sz](?:e|is|ing)\b|分析|анализ|analiza|analysiere/, 0.5],
  [/\bcompar(?:e|ing|ison)\b|\bversus\b|\bdifferences? between\b|\bcontrast\b|比较|сравни|vergleiche/, 0.5],
  [/\bevaluat|\bassess|\bcritique\b|\bjustify\b|\brecommend|建议|理由/, 0.5],
  [/\blimitations\b|\brisks\b|\bconsequences\b|\bguarantees?\b/, 0.5],
  [/\bexplain (?:why|how)\b|\bwhy does\b|\bhow does\b|\bhow (?:it|they) works?\b/, 0.5],
  [/\bpros and cons\b|\badvantages and disadvantages\b/, 0.5],
  [/\bstep[- ]by[- ]step\b|\bshow (?:the|your) (?:steps|work)\b/, 0.5],
  [/\bplan\b|\bstrategy\b|\bitinerary\b|\broadmap\b|\bschedule\b|\bcurriculum\b|\btimeline\b/, 0.5],
  [/\bdebug|\bdiagnos|\btroubleshoot/, 0.5],
  [/\bgenerali[sz]e\b|\bimplications?\b|\bassumptions?\b/, 0.5],
  [/\bcauses\b|\bfactors\b|\bimpact of\b|\beffects? of\b|\bwhen to use\b|\binternally\b/, 0.5],
  // A bare "explain"/"describe"; "explain why/how" above already counts more.
  [/\bexplain\b(?! (?:why|how)\b)|\bdescribe\b|解释|объясни|explica|erkläre|explique/, 0.3],
];

const STRONG_CONSTRAINT =
  /\b(?:must(?:n't| not)?|need(?:s)? to|required?|requirements?|at least|at most|no more than|no fewer than|exactly|without|do not|don't|never|ensure|make sure|limit(?:ed)? to|under \d+|within \d+|maximum|minimum|may not|cannot)\b/;
const SOFT_CONSTRAINT =
  /\b(?:should(?:n't| not)?|only|avoid|preserv(?:e|ing)|keep(?:ing)?|each|every|prefer)\b/;
export const SEPARATOR = /[,;:，；：、]/;
const TASK_VERB =
  /\b(?:write|design|prove|explain|analy[sz]e|compare|implement|derive|give|provide|list|propose|recommend|discuss|build|create|include|identify|produce|estimate|run|benchmark|rank|port|optimi[sz]e|solve|describe|summari[sz]e|translate|plan|draft|refactor|fix|find|develop|construct|generali[sz]e|justify|state|show|compute|convert|audit|review|verify|reconcile|prioriti[sz]e|add)\b/;

const TECHNICAL = createLexicon([
  /\bdistributed\b/,
  /\bconcurren/,
  /\bconsensus\b/,
  /\block-free\b|\bwait-free\b/,
  /\brace condition/,
  /\bcryptograph|\bencrypt/,
  /\bprotocol\b/,
  /\bcompiler\b/,
  /\bparser\b/,
  /\bkernel\b/,
  /\bquantum\b/,
  /\bnp-hard\b|\bnp-complete\b/,
  /\bscalab/,
  /\bfault[- ]toleran/,
  /\bpartition/,
  /\breplication\b/,
  /\bshard/,
  /\blatency\b/,
  /\bthroughput\b/,
  /\bkubernetes\b|\bk8s\b/,
  /\bmicroservice/,
  /\bneural network/,
  /\bbackprop/,
  /\btransformer/,
  /\battention\b/,
  /\bforward secrecy\b/,
  /\bbyzantine\b/,
  /\braft\b/,
  /\bpaxos\b/,
  /\bmemory (?:model|ordering)/,
  /\bsimd\b|\bcuda\b|\bgpu\b/,
  /\btype (?:checker|system)/,
  /\bquery plan/,
  /\bcaching\b|\bcache invalidation/,
  /\bthreat/,
  /\bvulnerab/,
  /\belasticity\b/,
  /\bstochastic calculus|\bitô/,
  /\bstate[- ]space/,
  /\bmulti-region\b/,
  /\bconsistency\b/,
  /\bavailability\b/,
  /\bidempoten/,
  /\bdijkstra|\bshortest path|\bdynamic programming/,
  /\bheuristic search|\bbidirectional search|\ba\*/,
  /分布式/,
  /一致性/,
  /可用性/,
  /分区容错|容错/,
  /高并发|千万级|亿级/,
  /消息队列|微服务|数据库/,
  /吞吐量|延迟|可靠性/,
  /\bmulti-tenant\b/,
  /\bclock skew\b|\bat-least-once\b|\bexactly-once\b/,
  /\bmonolith/,
  /\bcrdts?\b|\boperational transform/,
  /\bstatic analysis\b/,
  /\bhalting problem\b/,
  /\bb-?tree\b|\bbalanced tree/,
  /\bvacuum\b|\bcheckpoint/,
  /\bconcurrency bugs?\b/,
]);

// [pattern, weight]: asking for a long or structured deliverable.
const OUTPUT_DEMAND: readonly (readonly [RegExp, number])[] = [
  [/\bdetailed\b|\bcomprehensive\b|\bthorough|\bin detail\b|详细/, 1],
  [/\b\d{3,5}[- ]words?\b/, 1.5],
  [
    /\b(?:essay|report|chapter|white ?paper|review|cover letter|article|blog post|proposal|speech|email|e-mail|memo|itinerary|meal plan|lesson plan|schedule|description|story|letter|announcement)\b/,
    1,
  ],
  [/\bspecification\b|\bspec\b|\bopenapi\b/, 1],
  [/\btests?\b|\btest (?:suite|cases?)|\bcoverage\b|测试/, 1],
  [/\btable\b|\btaxonomy\b/, 0.5],
  [/\bpseudo-?code\b|伪代码/, 1],
  [/\bevery\b|\beach\b/, 0.5],
  [/\bwith (?:owners|deadlines|cost estimates)|\bcost estimates?\b/, 1],
  [
    /\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten) (?:bullet points?|paragraphs|steps|examples|ways|reasons|tips|ideas|sections|days?|weeks?|months?|lessons|modules|phases)\b/,
    1,
  ],
  [/\bexamples?\b|\bexample of\b/, 0.5],
];

// Bounded line scan for list items; beyond this a prompt has saturated the feature anyway.
const MAX_LINES = 4_000;

// Global copies for counting (countAll), and cheap necessary conditions that skip a count entirely.
const LATEX_ALL = globalCopy(LATEX);
const EXPRESSION_ALL = globalCopy(EXPRESSION);
// Every EXPRESSION branch needs a caret, a digit or a comparison sign.
const EXPRESSION_HINT = /[\d^<>≤≥]/;
/** A line that is a list item ("- x", "* x", "• x", "1. x", "2) x"): the definition listItems() counts by. */
export const LIST_ITEM = /^\s*(?:[-*•]|\d{1,2}[.)])\s+\S/;
/**
 * LIST_ITEM at the start of a line, for the first line and for every other one (after its newline), so
 * that the lines need not be split: `\s` becomes `[^\S\n]` (a line holds no newline), and each match,
 * ending before its line's newline, leaves the next line start to be found. Starting with a literal
 * newline lets the engine skip quickly to candidate lines.
 */
const LIST_ITEM_FIRST = /^[^\S\n]*(?:[-*•]|\d{1,2}[.)])[^\S\n]+\S/;
const LIST_ITEM_NEXT = /\n[^\S\n]*(?:[-*•]|\d{1,2}[.)])[^\S\n]+\S/g;

/** Patterns and lexicons the features run on the lower-cased text: what the Screen must know. */
export const TEXT_PATTERNS: readonly RegExp[] = [
  ...REASONING.map(([pattern]) => pattern),
  ...OUTPUT_DEMAND.map(([pattern]) => pattern),
  STRONG_CONSTRAINT,
  SOFT_CONSTRAINT,
  TASK_VERB,
];
export const TEXT_LEXICONS: readonly Lexicon[] = [MATH_TERMS, TECHNICAL];

/** The text up to the end of its first `lines` lines (what `split('\n', lines)` would return, joined). */
function firstLines(text: string, lines: number): string {
  if (text.length < lines) return text;
  let at = -1;
  for (let n = 0; n < lines; n++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return text;
  }
  return text.slice(0, at);
}

function listItems(text: string): number {
  const first = LIST_ITEM_FIRST.test(text) ? 1 : 0;
  return text.includes('\n') ? first + (text.match(LIST_ITEM_NEXT)?.length ?? 0) : first;
}

// SEPARATOR's characters, counted with indexOf (a fast single-character search); the full-width ones can
// only occur in text that is not ASCII.
const SEPARATOR_CHARS = [',', ';', ':'];
const SEPARATOR_CHARS_WIDE = [...SEPARATOR_CHARS, '，', '；', '：', '、'];

/** SEPARATOR matches in `text`, at most `cap`, without collecting them (`ascii`: of the lower-cased text). */
function separators(text: string, ascii: boolean, cap: number): number {
  let count = 0;
  for (const mark of ascii ? SEPARATOR_CHARS : SEPARATOR_CHARS_WIDE) {
    for (let at = text.indexOf(mark); at >= 0 && count < cap; at = text.indexOf(mark, at + 1)) count += 1;
  }
  return count;
}

function weighted(patterns: readonly (readonly [RegExp, number])[], screen: Screen): number {
  let total = 0;
  for (const [pattern, weight] of patterns) if (screen.test(pattern)) total += weight;
  return total;
}

// '?' and the full-width '？', at most 50; found by indexOf (a fast single-character search).
function questions(text: string, ascii: boolean): number {
  let count = 0;
  for (const mark of ascii ? ['?'] : ['?', '\uff1f']) {
    for (let at = text.indexOf(mark); at >= 0 && count < 50; at = text.indexOf(mark, at + 1)) count += 1;
  }
  return count;
}

/** `text` keeps case and line breaks (for lists); `screen` holds its lower-cased copy. */
export function textFeatures(text: string, screen: Screen): TextFeatures {
  const lower = screen.lower;
  return {
    mathLatex: text.includes('$') || text.includes('\\') ? countAll(LATEX_ALL, text, 20) : 0,
    mathExpressions: EXPRESSION_HINT.test(lower) ? countAll(EXPRESSION_ALL, lower, 20) : 0,
    mathTerms: screen.distinct(MATH_TERMS),
    reasoning: weighted(REASONING, screen),
    constraints: screen.count(STRONG_CONSTRAINT, 40) + 0.5 * screen.count(SOFT_CONSTRAINT, 40),
    listItems: listItems(firstLines(text, MAX_LINES)),
    taskVerbs: screen.count(TASK_VERB, 12),
    separators: separators(text, screen.ascii, 40),
    technicalTerms: screen.distinct(TECHNICAL),
    questions: questions(text, screen.ascii),
    outputDemand: weighted(OUTPUT_DEMAND, screen),
  };
}
