// The time every replica's limits are counted in: the Redis server's clock, read with TIME and followed
// between reads with this process's monotonic clock. Rate windows (GCRA's arrival times), concurrency slots and
// budget reservations (scored by expiry) and budget periods (which day, week, month) are all decided from the
// `now` a replica sends; with each replica's own wall clock, one that runs 30 s ahead finds half a minute's
// allowance already refilled where the others do not, sees the others' slots as expired and, around midnight,
// writes to the next day's budget. Read through one clock, replicas agree to within a round trip.
export interface SharedClockOptions {
  /** The server's time, milliseconds since the epoch (Redis TIME). */
  readTime: () => Promise<number>;
  /** This process's clock, milliseconds; monotonic by default, so that a step of the wall clock changes nothing. */
  localNow?: () => number;
  /** This process's wall clock (default Date.now): what `now()` gives before the first synchronisation. */
  wallNow?: () => number;
  /** Reads per synchronisation; the one with the shortest round trip is kept (the least queueing in it). */
  samples?: number;
  onError?: (error: unknown) => void;
}

export interface SharedClock {
  /**
   * The server's time now in whole milliseconds, as last synchronised; this process's wall clock until the
   * first synchronisation succeeds.
   */
  now(): number;
  /** Server time minus this process's wall clock, milliseconds (0 until synchronised). */
  offsetMs(): number;
  /** Half the round trip of the read the offset came from, milliseconds: the offset's error is at most this. */
  uncertaintyMs(): number;
  synchronised(): boolean;
  /**
   * Reads the server's time now; resolves false if no read succeeded (the previous offset is kept). The caller
   * schedules it (at each connection and then now and then: the local clock drifts slowly).
   */
  sync(): Promise<boolean>;
}

const defaultLocalNow = () => performance.timeOrigin + performance.now();

export function createSharedClock(options: SharedClockOptions): SharedClock {
  const localNow = options.localNow ?? defaultLocalNow;
  const wallNow = options.wallNow ?? Date.now;
  const samples = options.samples ?? 3;
  // Server time = local + shift. Before the first synchronisation the local clock is taken as the server's,
  // shifted onto the wall clock (the monotonic default's origin was fixed at process start).
  let shift = wallNow() - localNow();
  let rtt = Number.POSITIVE_INFINITY;
  let synced = false;
  let inFlight: Promise<boolean> | undefined;

  const syncOnce = async (): Promise<boolean> => {
    let best: { shift: number; rtt: number } | undefined;
    for (let i = 0; i < samples; i++) {
      try {
        const sent = localNow();
        const server = await options.readTime();
        const received = localNow();
        // The server read its clock somewhere inside the round trip: the middle is the best guess, off by at
        // most half of it.
        const sample = { shift: server - (sent + received) / 2, rtt: received - sent };
        if (best === undefined || sample.rtt < best.rtt) best = sample;
      } catch (error) {
        options.onError?.(error);
        break;
      }
    }
    if (best === undefined) return false;
    shift = best.shift;
    rtt = best.rtt;
    synced = true;
    return true;
  };

  const sync = () => {
    // Concurrent callers (a reconnect while the timer fires) share one synchronisation.
    inFlight ??= syncOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    // Whole milliseconds, as Date.now() gives: the scripts keep times as integers (a fraction would travel as a
    // longer string and be stored in Lua's %.14g float form).
    now: () => Math.round(localNow() + shift),
    offsetMs: () => (synced ? localNow() + shift - wallNow() : 0),
    uncertaintyMs: () => (synced ? rtt / 2 : Number.POSITIVE_INFINITY),
    synchronised: () => synced,
    sync,
  };
}
