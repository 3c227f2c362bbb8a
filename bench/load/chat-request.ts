// Builds the chat request the generator sends: an OpenAI chat body with a prompt of a chosen size, framed
// as raw HTTP/1.1 bytes once per target and scenario, so sending costs a single socket write.

const SENTENCE =
  'The quick brown fox jumps over the lazy dog while the bench measures how long the gateway takes. ';

/** Prompt text of exactly `bytes` ASCII characters. */
export function promptText(bytes: number): string {
  return SENTENCE.repeat(Math.ceil(bytes / SENTENCE.length)).slice(0, bytes);
}

export function chatBody(model: string, promptBytes: number, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: promptText(promptBytes) }],
    max_tokens: 64,
    stream,
    // Asked for always, so every target returns the same number of chunks: N content chunks plus usage.
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  });
}

export function requestBytes(
  port: number,
  path: string,
  headers: Readonly<Record<string, string>>,
  body: string,
): Buffer {
  const payload = Buffer.from(body, 'utf8');
  let head = `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `content-length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), payload]);
}
