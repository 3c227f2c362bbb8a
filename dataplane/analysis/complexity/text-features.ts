// Language features of a prompt that predict how hard it is to answer: math, reasoning cues, constraints,
// the number of distinct tasks, advanced technical terms, questions and demands for long output.
import { countMatches } from './count.js';
import { createLexicon } from './lexicon.js';

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

const LATEX =
  /\$[^$\n]{1,300}\$|\\(?:frac|int|sum|prod|lim|sqrt|partial|begin\{|alpha|beta|gamma|theta|lambda|sigma|mathbb|mathcal|cdot|infty|nabla|leq|geq|neq|approx|forall|exists)/;
const EXPRESSION =
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
const SEPARATOR = /[,;:，；：、]/;
const LIST_ITEM = /^\s*(?:[-*•]|\d{1,2}[.)])\s+\S/;
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

function listItems(text: string): number {
  let count = 0;
  for (const line of text.split('\n', MAX_LINES)) if (LIST_ITEM.test(line)) count += 1;
  return count;
}

function weighted(patterns: readonly (readonly [RegExp, number])[], lower: string): number {
  let total = 0;
  for (const [pattern, weight] of patterns) if (pattern.test(lower)) total += weight;
  return total;
}

function questions(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length && count < 50; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x3f || code === 0xff1f) count += 1;
  }
  return count;
}

/** `text` keeps case and line breaks (for lists); `lower` is its lower-cased copy. */
export function textFeatures(text: string, lower: string): TextFeatures {
  return {
    mathLatex: countMatches(LATEX, text, 20),
    mathExpressions: countMatches(EXPRESSION, lower, 20),
    mathTerms: MATH_TERMS.distinct(lower),
    reasoning: weighted(REASONING, lower),
    constraints: countMatches(STRONG_CONSTRAINT, lower, 40) + 0.5 * countMatches(SOFT_CONSTRAINT, lower, 40),
    listItems: listItems(text),
    taskVerbs: countMatches(TASK_VERB, lower, 12),
    separators: countMatches(SEPARATOR, text, 40),
    technicalTerms: TECHNICAL.distinct(lower),
    questions: questions(text),
    outputDemand: weighted(OUTPUT_DEMAND, lower),
  };
}
