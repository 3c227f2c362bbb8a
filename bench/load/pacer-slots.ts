// Slots of the Int32Array shared between the pacer thread and the generator.
/** 1 while a tick message is on its way and not yet handled. */
export const PENDING = 0;
/** Set to 1 by the generator to stop the pacer early. */
export const STOP = 1;
/** Never written; the pacer sleeps on it with a timeout. */
export const SLEEP = 2;
