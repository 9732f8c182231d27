// One row of the drill table (bench/drill.ts).
export interface DrillResult {
  drill: string;
  /** Events published (or calls made) during the drill. */
  sent: number;
  /** Distinct events in the store's history afterwards (or calls answered). */
  applied: number;
  /** Sent but never applied (or calls that failed). */
  lost: number;
  /** History records beyond one per event (or calls answered twice). */
  duplicated: number;
  /** From the fault (or, for a restart, the server back) to the work going on again; undefined if it never did. */
  recoverSeconds: number | undefined;
  /** For a stop drill: seconds from SIGTERM to the exit, and the exit code. */
  stop?: { seconds: number; code: number | null };
  /** What else happened, or why the drill was skipped. */
  note: string;
}

export function skipped(drill: string, why: string): DrillResult {
  return { drill, sent: 0, applied: 0, lost: 0, duplicated: 0, recoverSeconds: undefined, note: `skipped: ${why}` };
}
