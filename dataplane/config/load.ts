// Reads a YAML config file, interpolates ${ENV} in string values, validates it and freezes the result.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type GatewayConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'ConfigError';
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` inside string values only, after YAML parsing, so a secret
 * containing YAML syntax cannot change the document's structure. A missing or empty variable without default is
 * an error (an empty API key is a mistake, not a value). Keys are taken as they are, except `__proto__`, which an
 * object cannot hold as its own key: assigned, it would set the prototype, and the schema would then read its
 * contents as inherited defaults and never report them (a team of that name would vanish without a word).
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      throw new Error(
        `${path.join('.') || '(root)'}: environment variable ${name} is ${found === '' ? 'empty' : 'not set'}`,
      );
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, [...path, String(i)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === '__proto__')
        throw new Error(`${[...path, key].join('.')}: reserved name, not allowed as a key`);
      out[key] = interpolateEnv(item, env, [...path, key]);
    }
    return out;
  }
  return value;
}

/** One line per problem, each starting with the dotted path of the bad key. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `${path ? `${path}.` : ''}${key}: unknown key`).join('\n');
      }
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/** Validates an already-parsed document (used for files and for configs built in tests). */
export function parseConfig(document: unknown, env: NodeJS.ProcessEnv, source = 'config'): GatewayConfig {
  let interpolated: unknown;
  try {
    interpolated = interpolateEnv(document ?? {}, env);
  } catch (error) {
    throw new ConfigError((error as Error).message, source);
  }
  const result = configSchema.safeParse(interpolated);
  if (!result.success) throw new ConfigError(`invalid config\n${formatIssues(result.error.issues)}`, source);
  return deepFreeze(result.data);
}

export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file: ${(error as Error).message}`, path);
  }
  let document: unknown;
  try {
    // Warnings (an unresolved tag) are not printed: the parser's own print quotes the file's line, which may
    // hold a secret. Errors are reported below, by what and where only.
    document = parseYaml(text, { logLevel: 'error', prettyErrors: false });
  } catch (error) {
    // Only the first line (what and where): the parser adds the offending lines of the file, which may hold a
    // secret (an api_key whose quote was left open), and this message is logged.
    const what = (error as Error).message.split('\n', 1)[0]!.replace(/:$/, '');
    const offset = (error as { pos?: readonly number[] }).pos?.[0];
    let where = '';
    if (offset !== undefined && !/ at line \d+/.test(what)) {
      const before = text.slice(0, offset);
      where = ` at line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
    }
    throw new ConfigError(`invalid YAML: ${what}${where}`, path);
  }
  // An empty file is not "all defaults": on a reload it would drop every team and key, i.e. open the
  // gateway to anonymous callers, and a half-written file (a non-atomic save) looks just like it.
  if (document === null || document === undefined)
    throw new ConfigError('the config file is empty (or only comments); expected a YAML mapping', path);
  if (typeof document !== 'object' || Array.isArray(document))
    throw new ConfigError('the config file must be a YAML mapping (key: value) at the top level', path);
  return parseConfig(document, env, path);
}
