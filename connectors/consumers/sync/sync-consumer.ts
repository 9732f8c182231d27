// R41: the population database shares out to sectoral databases. The sync consumer keeps a
// sector's replica of the fields its agreement discloses current by following WatchChanges:
// resume from the stored cursor → apply each change idempotently → store the cursor after it.
// The hub going away is waited out with backoff; a refusal (agreement suspended, consent revoked,
// cursor expired) stops the sync with that refusal, since reconnecting cannot cure it.
import { type ServiceError, status } from '@grpc/grpc-js';
import type { Db } from 'mongodb';
import { CHANGES_TOPIC } from '../../../kafka/topics.ts';
import type { Change } from '../../../proto/gen/dancu/exchange/v1/exchange.ts';
import type { ConnectorError } from '../../../schemas/heartbeat.ts';
import { HeartbeatPublisher } from '../../sdk/heartbeat.ts';
import { type BackoffOptions, backoffDelay, pause } from '../backoff.ts';
import type { HubClient } from '../hub-client.ts';
import { Refused } from '../refused.ts';
import { type ApplyOutcome, Replica } from './replica.ts';

export interface SyncOptions {
  client: HubClient;
  /** The sector's own database, which holds the replica and its cursor. */
  db: Db;
  /** The citizens to follow; required by the hub for agreements that need consent. Empty: all. */
  personalIds?: string[];
  /** Stops the sync after the change in hand is applied and its cursor stored. */
  signal: AbortSignal;
  /** Journaled as the case reference of the stream. */
  caseReference?: string;
  backoff?: BackoffOptions;
  log?: (line: string) => void;
  onChange?: (change: Change, outcome: ApplyOutcome) => void;
  /** Heartbeats to the hub (when the client can send them): the connector id, `<system id>.<name>`. */
  heartbeat?: { connector: string; intervalMs?: number };
}

export interface SyncSummary {
  applied: number;
  alreadyApplied: number;
  /** Streams opened again after the hub went away. */
  reconnects: number;
}

/** Runs until `signal` aborts (resolves) or the hub refuses for good (rejects with Refused). */
export async function runSyncConsumer(options: SyncOptions): Promise<SyncSummary> {
  const { client, signal } = options;
  const log = options.log ?? (() => {});
  const replica = new Replica(options.db, client.scope.agreementId);
  const summary: SyncSummary = { applied: 0, alreadyApplied: 0, reconnects: 0 };
  let failures = 0;
  let lastError: ConnectorError | null = null;
  let seenAtLastBeat = 0;
  const heartbeat =
    options.heartbeat && client.operations
      ? new HeartbeatPublisher({
          publisher: client.heartbeatSink(),
          connector: options.heartbeat.connector,
          kind: 'consumer',
          topic: CHANGES_TOPIC,
          ...(options.heartbeat.intervalMs ? { intervalMs: options.heartbeat.intervalMs } : {}),
          status: () => {
            const seen = summary.applied + summary.alreadyApplied;
            const state = seen === 0 && seenAtLastBeat === 0 ? 'starting' : seen > seenAtLastBeat ? 'running' : 'idle';
            seenAtLastBeat = seen;
            return {
              state,
              position: { read: seen, checkpoint: seen },
              counts: { published: summary.applied, rejected: 0, skipped: summary.alreadyApplied },
              lastError,
            };
          },
        })
      : undefined;
  heartbeat?.start();
  let end: { state: 'stopping' | 'failed'; error?: ConnectorError } = { state: 'stopping' };
  try {
    return await follow();
  } catch (error) {
    end = {
      state: 'failed',
      error: { message: error instanceof Refused ? error.reason || 'refused' : 'the sync failed', at: new Date().toISOString() },
    };
    throw error;
  } finally {
    await heartbeat?.stop(end.state, end.error);
  }

  async function follow(): Promise<SyncSummary> {
    while (!signal.aborted) {
      const cursor = await replica.cursor();
      if (cursor === '')
        log(
          "no stored cursor: following changes from now on (load earlier data with Lookup/BatchLookup); the hub's first message fixes where this replica starts",
        );
      const stream = client.watchChanges(options.caseReference ?? 'replica-sync', cursor, options.personalIds ?? []);
      const cancel = () => stream.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        for await (const change of stream as AsyncIterable<Change>) {
          failures = 0;
          if (change.changeId === '') {
            await replica.advance(change.cursor);
            continue;
          }
          const outcome = await replica.apply(change);
          if (outcome === 'applied') summary.applied += 1;
          else summary.alreadyApplied += 1;
          options.onChange?.(change, outcome);
        }
        // The hub never ends a stream without a status; treat a bare end like a lost connection.
        throw new Refused(status.UNAVAILABLE, '', 'the change stream ended without a status');
      } catch (error) {
        if (signal.aborted) break;
        const refused = error instanceof Refused ? error : isServiceError(error) ? Refused.from(error) : undefined;
        if (!refused) throw error;
        if (!refused.retryable) throw refused;
        failures += 1;
        summary.reconnects += 1;
        const delay = backoffDelay(failures, options.backoff);
        lastError = { message: `hub unreachable: ${refused.reason || 'UNAVAILABLE'}`, at: new Date().toISOString() };
        log(`hub unreachable (${refused.message}); reconnecting in ${delay} ms`);
        await pause(delay, signal);
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    }
    return summary;
  }
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'metadata' in error;
}
