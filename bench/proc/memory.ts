// Resident memory of a process from /proc/<pid>/status: VmRSS (now) and VmHWM (peak since start), in KiB.

export interface MemoryKb {
  rss: number;
  hwm: number;
}

export function parseStatusMemory(text: string): MemoryKb {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match === null ? Number.NaN : Number(match[1]);
  };
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}
