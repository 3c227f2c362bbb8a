// Where and how to call the Anthropic Messages API: the path under the base URL and the headers of every call.
import type { ProviderConfig } from '../../config/schema.js';

type AnthropicConfig = Extract<ProviderConfig, { type: 'anthropic' }>;

export interface AnthropicApi {
  /** Path of the Messages operation, relative to the base URL (which carries no /v1). */
  readonly path: string;
  /** Path of the token-counting operation (free; rate-limited apart from Messages by Anthropic). */
  readonly countTokensPath: string;
  /** `beta`: the client's anthropic-beta list; the names `client_betas` allows are added to the configured ones. */
  headers(requestId: string, beta?: string): Record<string, string>;
}

export function createAnthropicApi(config: AnthropicConfig): AnthropicApi {
  // Configured headers come after the defaults so an operator can pin e.g. another anthropic-version or add
  // anthropic-beta; the key is set last so a stray header cannot replace the credential.
  const base: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': config.version,
    ...config.headers,
  };
  if (config.api_key !== undefined && config.api_key !== '') base['x-api-key'] = config.api_key;
  const allowed = new Set(config.client_betas);
  return {
    path: '/v1/messages',
    countTokensPath: '/v1/messages/count_tokens',
    headers: (requestId, beta) => {
      const headers: Record<string, string> = { ...base, 'x-request-id': requestId };
      if (beta !== undefined && allowed.size > 0) {
        const asked = beta
          .split(',')
          .map((name) => name.trim())
          .filter((name) => allowed.has(name));
        if (asked.length > 0) {
          const configured = headers['anthropic-beta'];
          const names = configured === undefined ? asked : [configured, ...asked];
          headers['anthropic-beta'] = names.join(',');
        }
      }
      return headers;
    },
  };
}
