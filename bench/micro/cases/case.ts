// What a micro-benchmark case is: an operation built from one source module, so the same case can run
// against the working tree (new) and against an older version of that module (old).
import type { MicroOp } from '../harness.js';

export interface MicroCase {
  id: string;
  title: string;
  /** The source file under test, relative to the repository root. */
  module: string;
  /** Builds the operation from the loaded module; undefined when this version lacks what the case needs. */
  prepare(module: Record<string, unknown>): MicroOp | undefined;
}
