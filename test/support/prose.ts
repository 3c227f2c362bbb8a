// Varied, deterministic prose of a given length for analysis tests: its analysis takes time in proportion to
// its size (a megabyte holds the analysis thread for tens to hundreds of milliseconds), on any machine.
export function prose(chars: number, seed: number): string {
  const words = ['ledger', 'harbour', 'quartz', 'meadow', 'signal', 'copper', 'lantern', 'orbit', 'thistle'];
  let out = '';
  for (let i = 0; out.length < chars; i++) out += `${words[(i * 7 + seed) % words.length]} ${i % 997} `;
  return out;
}
