// OpenAI-shaped error bodies ({"error":{"message","type","code"}}); vLLM also sends {"message","object":"error"},
// its --api-key middleware {"error":"Unauthorized"}, and FastAPI's own errors {"detail": …}.
import type { UpstreamErrorDetail } from '../../upstream/http-client.js';
import { inOpenAIVocabulary } from './error-vocabulary.js';

/** `status`: the HTTP status of the answer, when the error is one (not an in-stream error). */
export function parseOpenAIError(text: string, status?: number): UpstreamErrorDetail {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const trimmed = text.trim().slice(0, 500);
    return { message: trimmed === '' ? undefined : trimmed, type: undefined, code: undefined };
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return { message: typeof parsed === 'string' ? parsed : undefined, type: undefined, code: undefined };
  }
  const body = parsed as Record<string, unknown>;
  const error = (typeof body.error === 'object' && body.error !== null ? body.error : body) as Record<
    string,
    unknown
  >;
  const message =
    typeof error.message === 'string'
      ? error.message
      : typeof body.error === 'string'
        ? body.error
        : detailMessage(body.detail);
  return inOpenAIVocabulary(
    {
      message,
      type: typeof error.type === 'string' ? error.type : undefined,
      code:
        typeof error.code === 'string'
          ? error.code
          : typeof error.code === 'number'
            ? String(error.code)
            : undefined,
      param: typeof error.param === 'string' ? error.param : undefined,
    },
    status,
  );
}

/**
 * FastAPI's `detail`: a string (`"Not Found"` for a path it does not serve, say a base URL without /v1), or a
 * 422's list of validation issues, each with a `msg` (and a `loc`, the path of the field).
 */
function detailMessage(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail === '' ? undefined : detail;
  if (!Array.isArray(detail)) return undefined;
  const issues: string[] = [];
  for (const issue of detail as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { msg, loc } = issue as { msg?: unknown; loc?: unknown };
    if (typeof msg !== 'string') continue;
    const at = Array.isArray(loc) && loc.length > 0 ? `${loc.map(String).join('.')}: ` : '';
    issues.push(at + msg);
  }
  return issues.length === 0 ? undefined : issues.join('; ');
}
