// Fetches a wheel from PyPI's simple index (PEP 503 HTML; the JSON API is unavailable here) and verifies it
// against the sha256 in the link's URL fragment. Wheels are cached on disk and re-verified on reuse.
// Node's fetch uses its bundled CA store; corporate/proxy CAs come in via NODE_EXTRA_CA_CERTS (pip's PIP_CERT
// cannot be injected into an already-running process, so we only point at it in the error message).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sha256File } from './hashing.js';

const SIMPLE_INDEX = 'https://pypi.org/simple';

export interface WheelLink {
  readonly filename: string;
  readonly url: string;
  readonly sha256: string;
}

export interface DownloadedWheel extends WheelLink {
  readonly path: string;
  readonly fromCache: boolean;
}

/** PEP 503 name normalisation: runs of -, _ and . become a single -, lowercase. */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;/g, "'");
}

/** All links on a simple-index page that carry a sha256 fragment. */
export function parseSimpleIndex(html: string, baseUrl: string): WheelLink[] {
  const links: WheelLink[] = [];
  for (const match of html.matchAll(/<a\s[^>]*href="([^"]+)"[^>]*>/gi)) {
    const url = new URL(decodeEntities(match[1]!), baseUrl);
    const digest = /^#sha256=([0-9a-f]{64})$/i.exec(url.hash)?.[1];
    if (digest === undefined) continue;
    url.hash = '';
    const filename = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    links.push({ filename, url: url.toString(), sha256: digest.toLowerCase() });
  }
  return links;
}

function networkHint(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  const tls = /CERT|SSL|TLS|SELF_SIGNED/i.test(detail);
  return tls
    ? `${detail} (TLS: set NODE_EXTRA_CA_CERTS to your CA bundle, e.g. ${process.env.PIP_CERT ?? '/etc/ssl/certs/ca-certificates.crt'})`
    : detail;
}

async function fetchOk(url: string, accept: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept }, redirect: 'follow' });
  } catch (error) {
    throw new Error(`fetching ${url} failed: ${networkHint(error)}`, { cause: error });
  }
  if (!response.ok) throw new Error(`fetching ${url}: HTTP ${response.status} ${response.statusText}`);
  return response;
}

/** Finds the pure-Python wheel `project==version` on the simple index. */
export async function findWheel(project: string, version: string): Promise<WheelLink> {
  const indexUrl = `${SIMPLE_INDEX}/${normalizeProjectName(project)}/`;
  const html = await (await fetchOk(indexUrl, 'text/html')).text();
  const prefix = `${project.replace(/[-.]+/g, '_')}-${version}-`.toLowerCase();
  const wheel = parseSimpleIndex(html, indexUrl).find(
    (link) => link.filename.toLowerCase().startsWith(prefix) && link.filename.endsWith('.whl'),
  );
  if (!wheel) throw new Error(`no wheel for ${project}==${version} with a sha256 on ${indexUrl}`);
  return wheel;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Downloads (or reuses from cache) a wheel, refusing any file whose sha256 differs from the index's. */
export async function downloadWheel(link: WheelLink, downloadsDir: string): Promise<DownloadedWheel> {
  await mkdir(downloadsDir, { recursive: true });
  const path = join(downloadsDir, link.filename);
  if (await exists(path)) {
    if ((await sha256File(path)) === link.sha256) return { ...link, path, fromCache: true };
    await rm(path, { force: true }); // A stale or corrupted cache entry: fetch it again.
  }
  const partial = `${path}.${process.pid}.partial`;
  try {
    const response = await fetchOk(link.url, 'application/octet-stream');
    if (!response.body) throw new Error(`fetching ${link.url}: empty body`);
    const hash = createHash('sha256');
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(partial));
    const actual = hash.digest('hex');
    if (actual !== link.sha256) {
      throw new Error(
        `${link.filename}: sha256 ${actual} does not match the index's ${link.sha256}; refusing it`,
      );
    }
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  return { ...link, path, fromCache: false };
}
