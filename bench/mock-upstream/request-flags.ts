// Reads the two flags the mock needs from a raw JSON body without parsing it: a full JSON.parse of a 64 KB
// prompt per request would make the mock, not the gateway, the bottleneck on a 2-core box. In valid JSON a
// quoted key followed by ':' cannot occur inside a string value (its quotes would be escaped), so a byte
// search is exact for flat bodies like chat requests.

function flagIsTrue(body: Buffer, quotedKey: string): boolean {
  let from = 0;
  for (;;) {
    const at = body.indexOf(quotedKey, from, 'latin1');
    if (at === -1) return false;
    let i = at + quotedKey.length;
    while (isSpace(body[i])) i++;
    if (body[i] === 58 /* : */) {
      i++;
      while (isSpace(body[i])) i++;
      return body[i] === 116 && body[i + 1] === 114 && body[i + 2] === 117 && body[i + 3] === 101; // true
    }
    from = at + 1;
  }
}

function isSpace(b: number | undefined): boolean {
  return b === 32 || b === 9 || b === 10 || b === 13;
}

export function wantsStream(body: Buffer): boolean {
  return flagIsTrue(body, '"stream"');
}

export function wantsUsageChunk(body: Buffer): boolean {
  return flagIsTrue(body, '"include_usage"');
}
