// OpenAI-shaped error bodies ({"error":{"message","type","code"}}); vLLM also sends {"message","object":"error"}.
import type { UpstreamErrorDetail } from '../../upstream/http-client.js';

export function parseOpenAIError(text: string): UpstreamErrorDetail {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const error = (typeof body.error === 'object' && body.error !== null ? body.error : body) as Record<
      string,
      unknown
    >;
    return {
      message: typeof error.message === 'string' ? error.message : undefined,
      type: typeof error.type === 'string' ? error.type : undefined,
      code:
        typeof error.code === 'string'
          ? error.code
          : typeof error.code === 'number'
            ? String(error.code)
            : undefined,
      param: typeof error.param === 'string' ? error.param : undefined,
    };
  } catch {
    const trimmed = text.trim().slice(0, 500);
    return { message: trimmed === '' ? undefined : trimmed, type: undefined, code: undefined };
  }
}
