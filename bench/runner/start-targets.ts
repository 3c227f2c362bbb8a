// Starts every requested target against the mock. A target that cannot start is reported as missing with
// the reason; the run goes on with the others.
import { chatBody } from '../load/chat-request.js';
import { checkCompletionBody } from '../load/completion-check.js';
import { LOOPBACK } from '../load/http-connection.js';
import { directTarget } from '../targets/direct.js';
import { startHop } from '../targets/hop.js';
import { startGateway } from '../targets/gateway.js';
import type { MockProcess } from '../targets/mock-process.js';
import { ensurePeerInstalled, startPortkey } from '../targets/portkey.js';
import { TARGET_LABELS, type Target, type TargetName } from '../targets/target.js';
import type { GatewayBuild } from './build-gateway.js';
import type { TargetInfo } from './results.js';

export interface StartedTargets {
  running: Target[];
  info: TargetInfo[];
}

async function startOne(
  name: TargetName,
  mock: MockProcess,
  gateway: GatewayBuild,
  log: (line: string) => void,
): Promise<Target> {
  switch (name) {
    case 'direct':
      return directTarget(mock);
    case 'hop':
      return startHop(mock.port);
    case 'gateway':
    case 'gateway-full':
      return startGateway(name, mock.port, gateway.entry, gateway.note);
    case 'portkey':
      ensurePeerInstalled(log);
      return startPortkey(mock.port);
  }
}

/** One real chat request, so a target that starts but cannot proxy is reported instead of measured. */
async function probeChat(target: Target): Promise<void> {
  const response = await fetch(`http://${LOOPBACK}:${target.port}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: chatBody(target.model, 200, false),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => {
    throw new Error(`no answer to a chat request: ${error instanceof Error ? error.message : String(error)}`);
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`chat request answered ${response.status}: ${text.slice(0, 200)}`);
  probeBody(text);
}

/** The probe's answer must be a chat completion with `choices[0].message.content` a string. */
export function probeBody(text: string): void {
  if (checkCompletionBody(text, undefined) !== undefined)
    throw new Error(`chat request answered 200 without choices[0].message.content: ${text.slice(0, 200)}`);
}

export async function startTargets(
  names: readonly TargetName[],
  mock: MockProcess,
  log: (line: string) => void,
  gateway: GatewayBuild,
): Promise<StartedTargets> {
  const running: Target[] = [];
  const info: TargetInfo[] = [];
  for (const name of names) {
    let target: Target | undefined;
    try {
      target = await startOne(name, mock, gateway, log);
      await probeChat(target);
      running.push(target);
      info.push({ name, label: TARGET_LABELS[name], available: true, version: target.version });
      log(
        `started ${TARGET_LABELS[name]} on 127.0.0.1:${target.port}${target.pid === undefined ? '' : ` (pid ${target.pid})`}`,
      );
    } catch (error) {
      const reason =
        error instanceof Error ? error.message.split('\n').slice(0, 6).join(' / ') : String(error);
      info.push({
        name,
        label: TARGET_LABELS[name],
        available: false,
        version: target?.version ?? '',
        reason,
      });
      log(`could not start ${TARGET_LABELS[name]}: ${reason}`);
      await target?.stop();
    }
  }
  return { running, info };
}
