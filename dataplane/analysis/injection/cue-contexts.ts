// Context patterns shared by several cue families: a cue that is ordinary on its own ("no restrictions")
// only counts when the text also talks about an AI model or sets up a persona for the assistant.

/** The text talks about an AI model. */
export const AI_REFERENCE =
  /\b(?:chat ?gpt|openai|open ai|gpt-?[345]|gpt|language model|llm|ai|a\.i\.|artificial intelligence|chatbot|bot|assistant|claude|anthropic|bard|gemini|bing|sydney|llama|your (?:programming|creators?|developers?|training))\b/;

/** The text talks about an AI model or sets up a persona / role-play. */
export const PERSONA_OR_AI = new RegExp(
  `${AI_REFERENCE.source}|\\b(?:persona|character|role-?play|role play|pretend|act as|acting as|respond as|reply as|answer as|you are now|simulate|impersonat\\w*|in the role of|play the role|take on the role)\\b`,
);

/**
 * The text sets up who the assistant is: second person or a named persona. "An AI without guardrails" in a
 * question about risk is not a jailbreak; "you are an AI without guardrails" is.
 */
export const PERSONA_FRAME =
  /\b(?:you are|you're|you will|you must|you shall|act as|acting as|pretend|persona|character|role-?play|role play|stay in|respond as|answer as|reply as|simulate|named|called|from now on|stands for|in the role of|take on the role)\b/;
