// Cues for delimiter/markup injection: fake chat-template tokens and role headers, fake JSON role objects,
// fake "end of prompt" boundaries, and instructions hidden in HTML/markdown comments or invisible CSS.
import { rx, type Cue, type CueHit } from './cue.js';

const INSTRUCTION_WORDS =
  /\b(?:ignore|disregard|instructions?|assistant|ai|model|llm|system|prompt|you must|you should|respond|reply|answer|do not|don't|execute|send|email|forward|reveal|output|print|say)\b/;

export const DELIMITER_CUES: readonly Cue[] = [
  {
    id: 'delimiter_template_turn',
    signal: 'delimiter_injection',
    // A chat-template turn built from control tokens (ChatML, Llama 2/3, Gemma): only a template engine should
    // produce one; inside a message it forges a turn boundary.
    pattern:
      /<\|(?:im_start|start_header_id)\|>\s{0,3}(?:system|developer|assistant|user)|<\|(?:im_end|eot_id|endoftext|end_of_text|eom_id)\|>\s{0,3}<\||<start_of_turn>\s{0,3}(?:user|model|system)|<<sys>>|<\|(?:system|user|assistant)\|>\s{0,3}\n/,
    weight: 0.6,
    gate: ['<|', '<start_of_turn>', '<<sys>>'],
  },
  {
    // Llama 2's [INST] ... [/INST]: both halves present means a turn is being built, not discussed.
    id: 'delimiter_inst_pair',
    signal: 'delimiter_injection',
    pattern: /\[\/inst\]/,
    context: /\[inst\]/,
    weight: 0.6,
    gate: ['[/inst]'],
  },
  {
    // Naming a token is what people do when they ask about prompt formats: weak on its own.
    id: 'delimiter_special_token',
    signal: 'delimiter_injection',
    pattern:
      /<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|tool|ipython|end)\|>|<(?:start|end)_of_turn>|\[\/?inst\]|<<\/?sys>>/,
    weight: 0.2,
    gate: ['<|', '_of_turn>', '[inst]', '[/inst]', '<<sys>>', '<</sys>>'],
  },
  {
    id: 'delimiter_role_header',
    signal: 'delimiter_injection',
    // A line that is only a role header ("### System:", "[SYSTEM]", "<system>") - markdown headings with
    // more words ("### System requirements") do not match.
    pattern:
      /(?:^|\n)[ \t]{0,8}(?:#{1,6}[ \t]{0,3}|\*\*)?[[<(]?(?:system|developer|sys)(?:[ \t]{1,3}(?:prompt|message|instructions?|override))?[\]>)]?(?:\*\*)?[ \t]{0,3}:?(?:\*\*)?[ \t]{0,8}(?:\n|$)/,
    weight: 0.45,
    gate: ['system', 'developer', 'sys'],
  },
  {
    id: 'delimiter_system_note',
    signal: 'delimiter_injection',
    pattern:
      /\[\s*(?:system|sys|admin|developer|assistant|moderator)(?:\s+(?:note|message|prompt|override|instruction|update|alert|notice))?\s*[:\]]|<\/?(?:system|system_prompt|sys|admin)>|\{\{\s*system\s*\}\}/,
    weight: 0.45,
    gate: ['system', 'sys', 'admin', 'developer', 'assistant', 'moderator'],
  },
  {
    id: 'delimiter_system_line',
    signal: 'delimiter_injection',
    // "System: you are now..." at the start of a line. "System: Ubuntu 22.04" in a bug report does not
    // match: the words after the colon must address the model.
    pattern:
      /(?:^|\n|\*\*)[ \t]{0,8}(?:system|developer|admin)(?:[ \t]{1,3}(?:prompt|message|note|instruction))?[ \t]{0,3}:[ \t]{0,8}(?:you|the (?:ai|assistant|model)|ignore|disregard|from now|new|all|do not|always|never|respond|answer|reply|override|this (?:chat|conversation))\b/,
    weight: 0.5,
    gate: ['system', 'developer', 'admin'],
  },
  {
    id: 'delimiter_fake_turns',
    signal: 'delimiter_injection',
    // A user turn that itself contains "assistant:" after "user:/human:" lines: a forged transcript.
    pattern: /(?:^|\s)(?:assistant|ai|gpt|chatgpt|model|bot|claude)[ \t]{0,3}:[ \t]{0,3}\S/,
    context: /(?:^|\n)[ \t]{0,8}(?:user|human|me)[ \t]{0,3}:/,
    weight: 0.25,
    gate: ['assistant', 'ai', 'gpt', 'model', 'bot', 'claude'],
  },
  {
    id: 'delimiter_json_role',
    signal: 'delimiter_injection',
    pattern: /\{\s*"role"\s*:\s*"(?:system|developer)"|"role"\s*:\s*"(?:system|developer)"\s*,\s*"content"/,
    weight: 0.25,
    gate: ['"role"'],
  },
  {
    id: 'delimiter_end_of_prompt',
    signal: 'delimiter_injection',
    // A forged boundary: "=== END OF PROMPT ===", "%%% end out of date instructions %%%", "--- end of email".
    pattern: rx(
      String.raw`(?:^|\n|[#=*%\-\]>}"'\x60]{2,8})[ \t]{0,4}[[<({]?(?:end|eof|close|stop)[ \t]{1,3}(?:of[ \t]{1,3})?(?:the[ \t]{1,3})?(?:(?:system|user|previous|out of date|old|original)[ \t]{1,3})?`,
      String.raw`(?:prompt|instructions?|input|context|document|text|data|conversation|email|message|section|query)\b`,
    ),
    weight: 0.25,
    dataWeight: 0.45,
    gate: ['end', 'eof', 'close', 'stop'],
  },
  {
    id: 'delimiter_quote_breakout',
    signal: 'delimiter_injection',
    // Closing a quoted/fenced block and immediately issuing an instruction.
    pattern:
      /(?:"""|'''|\x60\x60\x60|\]\]|-->)\s{0,10}[.,;]?\s{0,10}(?:ignore|disregard|forget|now |new instructions?|instead|stop|from now)/,
    weight: 0.4,
    gate: ['"""', "'''", '```', ']]', '-->'],
  },
];

const HIDDEN_STYLE =
  /display\s*:\s*none|font-size\s*:\s*0(?:px|pt|em)?\s*[;"']|color\s*:\s*(?:white|#fff(?:fff)?)\b|opacity\s*:\s*0(?:\.0+)?\s*[;"']|visibility\s*:\s*hidden/;

/** Substrings scanHiddenMarkup asks about: the anchor scan must look for them. */
export const HIDDEN_MARKUP_TOKENS: readonly string[] = ['<!--', '[//]:', 'style'];

/**
 * Instructions inside HTML comments, markdown link-comments (`[//]: # (...)`) or invisible CSS spans: text
 * a reader never sees but a model reads. Scans at most `maxComments` comments of bounded length. `present`
 * says which of HIDDEN_MARKUP_TOKENS occur in `norm`, so ordinary text costs no search here.
 */
export function scanHiddenMarkup(
  norm: string,
  untrusted: boolean,
  present: { has(token: string): boolean },
  maxComments = 64,
): CueHit[] {
  const hits: CueHit[] = [];
  let found = false;
  let from = 0;
  for (let n = 0; n < maxComments && !found && present.has('<!--'); n++) {
    const open = norm.indexOf('<!--', from);
    if (open < 0) break;
    const close = norm.indexOf('-->', open + 4);
    const body = norm.slice(
      open + 4,
      close < 0 ? Math.min(norm.length, open + 4 + 4096) : Math.min(close, open + 4 + 4096),
    );
    if (INSTRUCTION_WORDS.test(body)) found = true;
    from = close < 0 ? norm.length : close + 3;
  }
  from = 0;
  for (let n = 0; n < maxComments && !found && present.has('[//]:'); n++) {
    const open = norm.indexOf('[//]:', from);
    if (open < 0) break;
    const end = norm.indexOf('\n', open);
    const body = norm.slice(open, end < 0 ? Math.min(norm.length, open + 4096) : Math.min(end, open + 4096));
    if (INSTRUCTION_WORDS.test(body)) found = true;
    from = end < 0 ? norm.length : end + 1;
  }
  if (found) {
    hits.push({
      id: 'delimiter_hidden_comment',
      signal: 'delimiter_injection',
      weight: untrusted ? 0.6 : 0.45,
    });
  }
  if (present.has('style') && HIDDEN_STYLE.test(norm) && INSTRUCTION_WORDS.test(norm)) {
    hits.push({ id: 'delimiter_hidden_style', signal: 'delimiter_injection', weight: untrusted ? 0.5 : 0.3 });
  }
  return hits;
}
