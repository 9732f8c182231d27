// A connector's heartbeat: every few seconds it says, on dancu.heartbeats.v1, who it is, what it
// is doing, how far it got and what last went wrong. The hub derives healthy / degraded / down
// from these (hub/operations/connector-health.ts). Source connectors send them from the SDK loop;
// consumer connectors reuse this publisher with their own `status`.
//
// A heartbeat never carries personal data: no record values, no personal ids, no reject details
// (which can quote values) — only counts, positions, reason codes and transport errors.
import { readFileSync } from 'node:fs';
import { HEARTBEATS_TOPIC } from '../../kafka/topics.ts';
import type { RecordPublisher } from '../../kafka/transport.ts';

export const HEARTBEAT_INTERVAL_MS = 5_000;

export type ConnectorKind = 'source' | 'consumer';
export const CONNECTOR_KINDS: readonly ConnectorKind[] = ['source', 'consumer'];

/**
 * `starting`: up, has not taken in a record yet. `running`: took in records since the last beat.
 * `idle`: alive, nothing taken in since the last beat (paced, or waiting for its feed).
 * `stopping`: the last beat of a clean stop. `failed`: the last beat of a run that ended in an error.
 */
export type ConnectorState = 'starting' | 'running' | 'idle' | 'stopping' | 'failed';
export const CONNECTOR_STATES: readonly ConnectorState[] = ['starting', 'running', 'idle', 'stopping', 'failed'];

export interface ConnectorError {
  /** A reason code or transport error: never a record's values. */
  message: string;
  /** ISO 8601. */
  at: string;
}

/** What a connector reports at each beat; the publisher adds who it is and the time. */
export interface ConnectorStatus {
  state: ConnectorState;
  position: {
    /** The last native position taken in (source) or offset handled (consumer). */
    read: number;
    /** The last position acknowledged downstream and saved: where a restart resumes. */
    checkpoint: number;
  };
  /** Since this run started. */
  counts: { published: number; rejected: number; skipped: number };
  lastError: ConnectorError | null;
}

/** The value of a record on dancu.heartbeats.v1 (UTF-8 JSON); the record's key is `connector`. */
export interface Heartbeat extends ConnectorStatus {
  /** Stable across restarts: a source connector's feed id, e.g. `civil-status.simulated.seed-1`. */
  connector: string;
  kind: ConnectorKind;
  /** The topic it publishes to (source) or reads (consumer): where the hub's lag is measured. */
  topic: string;
  version: string;
  /** When this run started (ISO 8601): a new value means the counts started again from zero. */
  startedAt: string;
  /** When this beat was sent (ISO 8601, the connector's clock). */
  at: string;
  /** How often this connector beats, so a reader can tell a late beat from a slow schedule. */
  intervalMs: number;
}

export interface HeartbeatOptions {
  /** Any publisher: a connector shares its RecordPublisher, so a stuck Kafka also stops the beats. */
  publisher: Pick<RecordPublisher, 'publish'>;
  connector: string;
  kind: ConnectorKind;
  topic: string;
  /** Asked at each beat. */
  status: () => ConnectorStatus;
  intervalMs?: number;
  /** How long the final beat may take (default FINAL_BEAT_MS). */
  finalBeatMs?: number;
  version?: string;
  now?: () => Date;
}

/** How long the final beat may take: a stop must not hang on a Kafka that is gone. */
export const FINAL_BEAT_MS = 5_000;

export const DANCU_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export class HeartbeatPublisher {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly startedAt: string;
  private warned = false;

  constructor(private readonly options: HeartbeatOptions) {
    this.startedAt = this.now().toISOString();
  }

  /** Beats now and then every interval until `stop`. */
  start(): void {
    if (this.timer) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs());
    this.timer.unref();
  }

  /** Sends one beat; skipped while the previous one is still unacknowledged (a slow Kafka must not pile them up). */
  beat(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.send(this.options.status()).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops beating and sends the last beat with `state`, bounded in time; never throws. */
  async stop(state: 'stopping' | 'failed', lastError?: ConnectorError): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const last = async (): Promise<void> => {
      await this.inFlight; // the final beat must be the last one Kafka sees
      const status = this.options.status();
      await this.send({ ...status, state, lastError: lastError ?? status.lastError });
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.finalBeatMs ?? FINAL_BEAT_MS);
    });
    await Promise.race([last(), timeout]);
    clearTimeout(timer);
  }

  /** The record a beat sends (exposed for tests and for publishers that batch). */
  record(status: ConnectorStatus): Heartbeat {
    return {
      connector: this.options.connector,
      kind: this.options.kind,
      topic: this.options.topic,
      ...status,
      version: this.options.version ?? DANCU_VERSION,
      startedAt: this.startedAt,
      at: this.now().toISOString(),
      intervalMs: this.intervalMs(),
    };
  }

  private async send(status: ConnectorStatus): Promise<void> {
    try {
      await this.options.publisher.publish(HEARTBEATS_TOPIC, [{ key: this.options.connector, value: JSON.stringify(this.record(status)) }]);
    } catch (error) {
      // A missed beat is what the hub notices; the connector's own work must not fail for it.
      if (!this.warned) console.error(`heartbeat of ${this.options.connector} not sent: ${error instanceof Error ? error.message : String(error)}`);
      this.warned = true;
    }
  }

  private intervalMs(): number {
    return this.options.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** A heartbeat read back from Kafka, or undefined when the value is not one (a foreign producer's mistake). */
export function parseHeartbeat(value: Buffer | string | null): Heartbeat | undefined {
  if (value === null) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const beat = parsed as Partial<Heartbeat>;
  const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  const ok =
    typeof beat.connector === 'string' && beat.connector !== '' &&
    CONNECTOR_KINDS.includes(beat.kind as ConnectorKind) &&
    CONNECTOR_STATES.includes(beat.state as ConnectorState) &&
    typeof beat.topic === 'string' &&
    typeof beat.at === 'string' && !Number.isNaN(Date.parse(beat.at)) &&
    typeof beat.startedAt === 'string' &&
    isCount(beat.position?.read) && isCount(beat.position?.checkpoint) &&
    isCount(beat.counts?.published) && isCount(beat.counts?.rejected) &&
    (beat.lastError === null || (typeof beat.lastError?.message === 'string' && typeof beat.lastError.at === 'string'));
  if (!ok) return undefined;
  return { ...beat, counts: { skipped: 0, ...beat.counts }, version: String(beat.version ?? 'unknown'), intervalMs: Number(beat.intervalMs ?? HEARTBEAT_INTERVAL_MS) } as Heartbeat;
}
