// Strict IPv4/IPv6 parsing for candidates the IP detector cut out of text. Parsing instead of one big regex
// keeps the regex simple (and linear) and makes the rules readable: octets 0-255, at most one `::`,
// exactly eight 16-bit groups once `::` and an embedded IPv4 tail are expanded.

/** Dotted-quad IPv4 with octets 0-255; a leading zero is allowed only for the digit 0 itself. */
export function parseIpv4(text: string): boolean {
  let parts = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // 1-3 digits, no leading zero ("0" itself is fine).
      if (digits === 3 || (digits === 1 && value === 0)) return false;
      value = value * 10 + (c - 48);
      digits++;
    } else return false;
  }
  return parts === 4;
}

/** One to four hex digits. */
function isHexGroup(piece: string): boolean {
  if (piece.length === 0 || piece.length > 4) return false;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

function hexGroups(part: string): number | undefined {
  if (part === '') return 0;
  let groups = 0;
  const pieces = part.split(':');
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (i === pieces.length - 1 && piece.includes('.')) {
      if (!parseIpv4(piece)) return undefined;
      groups += 2;
    } else if (isHexGroup(piece)) groups += 1;
    else return undefined;
  }
  return groups;
}

/** RFC 4291 text forms, including `::` compression and an IPv4 tail (`::ffff:192.0.2.1`). */
export function parseIpv6(text: string): boolean {
  if (!/[0-9A-Fa-f]/.test(text)) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  if (halves.length === 1) return hexGroups(text) === 8 && !text.startsWith(':') && !text.endsWith(':');
  const [head, tail] = halves as [string, string];
  // An IPv4 tail may only close the address, so it can't sit in the head.
  if (head.includes('.')) return false;
  const a = hexGroups(head);
  const b = hexGroups(tail);
  return a !== undefined && b !== undefined && a + b <= 7;
}

/** CIDR prefix length after the slash: at most 32 for IPv4, 128 for IPv6. */
export function validPrefixLength(digits: string, v6: boolean): boolean {
  if (!/^\d{1,3}$/.test(digits)) return false;
  return Number(digits) <= (v6 ? 128 : 32);
}
