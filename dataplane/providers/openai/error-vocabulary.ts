// vLLM (and servers built on the same FastAPI stack) name error types after exception classes
// (`BadRequestError`) and repeat the HTTP status as the code (`400`). OpenAI clients, LangChain and LiteLLM
// branch on OpenAI's words (`invalid_request_error`, `context_length_exceeded`), and a status is no cause, so
// such errors are told in OpenAI's vocabulary; the message stays the upstream's.
import type { UpstreamErrorDetail } from '../../upstream/http-client.js';

const NUMERIC_CODE = /^\d+$/;
/** vLLM's BadRequestError, NotFoundError, InternalServerError…: OpenAI's own types are snake_case. */
const CLASS_NAME_TYPE = /^[A-Z][A-Za-z]*Error$/;
/**
 * vLLM: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens…"; llama.cpp
 * and TGI word it close to that.
 */
const CONTEXT_LENGTH = /maximum context length|context length (?:is|of)|exceeds? the (?:model's )?context/i;

/** OpenAI's error type for a status, as its API uses them. */
export function openAITypeForStatus(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * `detail` in OpenAI's vocabulary when it is in vLLM's (a numeric code or an exception-class type); any other
 * detail is returned as is. `status` is the HTTP status, when there is one (an in-stream error has none: its
 * numeric code is the status vLLM meant). The codes put in place of a number are few and fixed, so the error
 * metrics, labelled by code, stay bounded.
 */
export function inOpenAIVocabulary(detail: UpstreamErrorDetail, status?: number): UpstreamErrorDetail {
  const numericCode = detail.code !== undefined && NUMERIC_CODE.test(detail.code);
  const classType = detail.type !== undefined && CLASS_NAME_TYPE.test(detail.type);
  if (!numericCode && !classType) return detail;
  const codeStatus = numericCode ? Number(detail.code) : undefined;
  const effective =
    status ?? (codeStatus !== undefined && codeStatus >= 400 && codeStatus <= 599 ? codeStatus : 500);
  return {
    ...detail,
    type: classType ? openAITypeForStatus(effective) : detail.type,
    code: numericCode ? codeFor(detail.message ?? '', effective) : detail.code,
  };
}

/** The cause a numeric code stood for, as far as the message and status tell it. */
function codeFor(message: string, status: number): string {
  if (CONTEXT_LENGTH.test(message)) return 'context_length_exceeded';
  if (status === 404 && /model/i.test(message)) return 'model_not_found';
  if (status === 429) return 'rate_limit_exceeded';
  return 'upstream_error';
}
