// Where and how to call an OpenAI-shaped upstream: api.openai.com, Azure OpenAI, or any compatible server.
import type { ProviderConfig } from '../../config/schema.js';

type OpenAIFlavour = Extract<ProviderConfig, { type: 'openai' | 'azure-openai' | 'self-hosted' }>;

export interface OpenAIApi {
  /** Path (relative to the base URL) of an operation for an upstream model. */
  path(operation: 'chat/completions' | 'embeddings', upstreamModel: string): string;
  headers(requestId: string): Record<string, string>;
}

export function createOpenAIApi(config: OpenAIFlavour): OpenAIApi {
  const base: Record<string, string> = { 'content-type': 'application/json', ...config.headers };
  if (config.type === 'azure-openai') {
    base['api-key'] = config.api_key;
    const version = encodeURIComponent(config.api_version);
    return {
      path: (operation, deployment) =>
        `/openai/deployments/${encodeURIComponent(deployment)}/${operation}?api-version=${version}`,
      headers: (requestId) => ({ ...base, 'x-request-id': requestId }),
    };
  }
  if (config.api_key !== undefined && config.api_key !== '') base.authorization = `Bearer ${config.api_key}`;
  if (config.type === 'openai') {
    if (config.organization !== undefined) base['openai-organization'] = config.organization;
    if (config.project !== undefined) base['openai-project'] = config.project;
  }
  return {
    path: (operation) => `/${operation}`,
    headers: (requestId) => ({ ...base, 'x-request-id': requestId }),
  };
}
