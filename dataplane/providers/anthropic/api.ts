// Where and how to call the Anthropic Messages API: the path under the base URL and the headers of every call.
import type { ProviderConfig } from '../../config/schema.js';

type AnthropicConfig = Extract<ProviderConfig, { type: 'anthropic' }>;

export interface AnthropicApi {
  /** Path of the Messages operation, relative to the base URL (which carries no /v1). */
  readonly path: string;
  headers(requestId: string): Record<string, string>;
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
  return {
    path: '/v1/messages',
    headers: (requestId) => ({ ...base, 'x-request-id': requestId }),
  };
}
