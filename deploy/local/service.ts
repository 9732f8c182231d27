// What the stack needs to know about one of its servers. Kafka and FerretDB each describe
// themselves this way, and stack.ts brings up, stops and reports any of them the same way.
import type { DaemonSpec } from './daemon.ts';

export type ServiceName = 'kafka' | 'ferretdb' | 'jaeger';

export interface LocalService {
  name: ServiceName;
  /** For people: "Kafka 4.1.1". */
  title: string;
  /** host:port clients connect to. */
  address: string;
  /** Every host:port the server binds (Kafka's controller too), checked to be free before starting. */
  listensOn: string[];
  dataDir: string;
  logFile: string;
  pidFile: string;
  /**
   * Text that only this service's process for this DANCU_HOME has on its command line, so a
   * recycled pid, or the same server run from another checkout, is never mistaken for ours.
   */
  marker: string;
  /** How long a clean shutdown may take before SIGKILL. */
  stopGraceMs: number;
  /** How long a fresh start may take before `up` gives up. */
  readyTimeoutMs: number;
  /** Fetches or builds what is missing, prepares the data directory, and says how to run the server. */
  prepare(log: (line: string) => void): Promise<DaemonSpec>;
  /** Resolves only when the server answered a real request from a real client. */
  probe(): Promise<void>;
  /** Optional first requests after a fresh start, so the first real client does not pay for them. */
  warmUp?(): Promise<void>;
}
