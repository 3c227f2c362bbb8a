// Where and how to call the Anthropic Messages API: the path under the base URL and the headers of every call.
import type { ProviderConfig } from '../../config/schema.js';

type AnthropicConfig = Extract<ProviderConfig, { type: 'anthropic' }>;

export interface AnthropicApi {
  /** Path of the Messages operation, relative to the base URL (which carries no /v1). */
  readonly path: string;
  /** `beta`: the client's anthropic-beta list, added to any configured one (a malformed value is ignored). */
  headers(requestId: string, beta?: string): Record<string, string>;
}

/** A comma-separated list of beta names, e.g. `context-1m-2025-08-07,files-api-2025-04-14`. */
const BETA_LIST = /^[A-Za-z0-9._-]+(?:\s*,\s*[A-Za-z0-9._-]+)*$/;

export function createAnthropicApi(config: AnthropicConfig): AnthropicApi {
  // Configured headers come after the defaults so an operator can pin e.g. another anthropic-version or add
  // anthropic-beta; the key is set last so a stray header cannot replace the credential.
  const base: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': config.version,
    ...config.headers,
  };
  if (config.api_key !== undefined && config.api_key !== '') base['x-api-key'] = config.api_key;
  return {
    path: '/v1/messages',
    headers: (requestId, beta) => {
      const headers: Record<string, string> = { ...base, 'x-request-id': requestId };
      if (beta !== undefined && BETA_LIST.test(beta)) {
        const configured = headers['anthropic-beta'];
        headers['anthropic-beta'] = configured === undefined ? beta : `${configured},${beta}`;
      }
      return headers;
    },
  };
}
