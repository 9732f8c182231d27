// A connector's heartbeat: every few seconds it says, on dancu.heartbeats.v1, who it is, what it
// is doing, how far it got and what last went wrong. The hub derives healthy / degraded / down
// from these (hub/operations/connector-health.ts). Source connectors send them from the SDK loop;
// consumer connectors reuse this publisher with their own `status`.
//
// A heartbeat never carries personal data: no record values, no personal ids, no reject details
// (which can quote values) — only counts, positions, reason codes and transport errors.
import { readFileSync } from 'node:fs';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import { HEARTBEATS_TOPIC } from '../../kafka/topics.ts';
import {
  type ConnectorError,
  type ConnectorKind,
  type ConnectorStatus,
  HEARTBEAT_INTERVAL_MS,
  type Heartbeat,
} from '../../schemas/heartbeat.ts';

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

export const DANCU_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

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
      if (!this.warned)
        console.error(`heartbeat of ${this.options.connector} not sent: ${error instanceof Error ? error.message : String(error)}`);
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
