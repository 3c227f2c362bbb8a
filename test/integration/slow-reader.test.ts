// A client that reads slowly must slow the upstream down (backpressure end to end) instead of making the
// gateway buffer the whole stream in memory.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const CHUNK_CONTENT = 'x'.repeat(4096);
const CHUNKS = 16_384; // ≈ 70 MB of SSE, far more than any socket buffer

describe('slow reader', () => {
  let upstream: Server;
  let gateway: TestGateway;
  let upstreamBytes = 0;
  let upstreamFinished = false;

  before(async () => {
    // Writes as fast as the gateway accepts: only the gateway's backpressure can hold it back.
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', async () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 0; i < CHUNKS; i++) {
          const chunk = {
            id: 'c',
            object: 'chat.completion.chunk',
            created: 1,
            model: 'm',
            choices: [{ index: 0, delta: { content: CHUNK_CONTENT }, finish_reason: null }],
          };
          const frame = `data: ${JSON.stringify(chunk)}\n\n`;
          upstreamBytes += frame.length;
          if (!res.write(frame)) await once(res, 'drain');
        }
        const usage = { prompt_tokens: 1, completion_tokens: CHUNKS, total_tokens: CHUNKS + 1 };
        res.write(
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage })}\n\n`,
        );
        res.end('data: [DONE]\n\n');
        upstreamFinished = true;
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const port = (upstream.address() as AddressInfo).port;
    gateway = await startTestGateway({
      providers: { up: { type: 'openai', base_url: `http://127.0.0.1:${port}/v1` } },
      models: { big: { provider: 'up' } },
    });
  });

  after(async () => {
    await gateway.shutdown(0);
    upstream.closeAllConnections();
    upstream.close();
  });

  it('holds the upstream back while the client does not read, then delivers everything', async () => {
    const socket = connect(gateway.port, '127.0.0.1');
    await once(socket, 'connect');
    const body = JSON.stringify({ model: 'big', stream: true, messages: [{ role: 'user', content: 'go' }] });
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    // Read only the first bytes, then stop reading for a while.
    const [first] = (await once(socket, 'data')) as [Buffer];
    assert.match(first.toString(), /^HTTP\/1.1 200/);
    socket.pause();
    const rssBefore = process.memoryUsage().rss;
    await sleep(1500);
    const writtenWhilePaused = upstreamBytes;
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    const total = CHUNKS * (CHUNK_CONTENT.length + 120);
    assert.equal(upstreamFinished, false);
    // Kernel socket buffers on loopback can hold a few MB on each side; 70 MB must not have passed.
    assert.ok(
      writtenWhilePaused < 24 * 1024 * 1024,
      `upstream wrote ${writtenWhilePaused} bytes while the client slept`,
    );
    assert.ok(writtenWhilePaused < total / 2);
    assert.ok(rssGrowth < 64 * 1024 * 1024, `gateway memory grew by ${rssGrowth} bytes`);

    // Now read everything: the stream completes, with [DONE], and nothing was lost.
    let received = 0;
    let tail = '';
    socket.resume();
    socket.on('data', (data: Buffer) => {
      received += data.length;
      tail = (tail + data.toString('latin1')).slice(-64);
    });
    const deadline = Date.now() + 30_000;
    while (!tail.includes('data: [DONE]') && Date.now() < deadline) await sleep(20);
    socket.destroy();
    assert.ok(tail.includes('data: [DONE]'), 'stream completed');
    assert.ok(received > CHUNKS * CHUNK_CONTENT.length, `received ${received} bytes`);
    assert.equal(upstreamFinished, true);
  });
});
