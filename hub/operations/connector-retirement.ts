// Retiring connectors from the live view. A connector that stopped long ago (a test run, a one-off
// import) would otherwise stay on the dashboard, in /connectors and in the metrics as "down" for
// as long as its heartbeats are retained. It is retired — moved to the history, out of the live
// view — when it has not been heard from for retireAfterMs, or when an officer retires it by hand
// (`dancu connectors retire`). A heartbeat sent after its retirement brings it back: a connector
// that runs again is live again.
//
// A retirement by hand is journaled before it takes effect and kept in the store
// (`connector_retirements`, `_id` = the connector id), where every hub instance reads it.

import type { Collection, Db } from 'mongodb';
import { DancuError } from '../../errors/dancu-error.ts';
import type { Heartbeat } from '../../schemas/heartbeat.ts';
import { redactValues } from '../admin/redact-values.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { journalOperatorAct } from './operator-read.ts';

export const RETIREMENTS_COLLECTION = 'connector_retirements';

/** An officer's retirement of a connector. */
export interface ConnectorRetirement {
  _id: string;
  retiredAt: Date;
  /** The officer who retired it. */
  by: string;
  reason: string;
}

/** Why a connector is out of the live view: by hand (`by` the officer) or for silence (`by` null). */
export interface Retirement {
  at: string;
  by: string | null;
  reason: string;
}

const CONNECTOR_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Whether the connector whose latest beat this is is retired at `now`: retired by hand after that
 * beat, or silent for longer than retireAfterMs. A plain function, so the rules are unit-tested.
 */
export function retirementOf(latest: Heartbeat, now: number, retireAfterMs: number, byHand?: ConnectorRetirement): Retirement | undefined {
  const beatAt = Date.parse(latest.at);
  if (byHand && byHand.retiredAt.getTime() >= beatAt) return { at: byHand.retiredAt.toISOString(), by: byHand.by, reason: byHand.reason };
  if (now - beatAt > retireAfterMs) {
    return {
      at: new Date(beatAt + retireAfterMs).toISOString(),
      by: null,
      reason: `not heard from for more than ${duration(retireAfterMs)}`,
    };
  }
  return undefined;
}

export function retirementsIn(db: Db): Collection<ConnectorRetirement> {
  return db.collection<ConnectorRetirement>(RETIREMENTS_COLLECTION);
}

/** Every retirement by hand, by connector id (a few per connector ever run: small). */
export async function readRetirements(db: Db): Promise<Map<string, ConnectorRetirement>> {
  const all = await retirementsIn(db).find().limit(100_000).toArray();
  return new Map(all.map((retirement) => [retirement._id, retirement]));
}

/** A retirement whose request is unusable (not a connector id, no reason); an unauthenticated caller gets OperatorReadRefused. */
export class ConnectorRetirementRefused extends DancuError<'INVALID'> {
  override readonly name = 'ConnectorRetirementRefused';
  readonly code = 'INVALID';
  readonly retryable = false;
}

export interface RetireConnectorRequest {
  connector: string;
  /** Who the operator claims to be (journaled only when refused); the authenticated officer is what counts. */
  operator: string;
  reason: string;
  at?: Date;
}

/**
 * Retires a connector by hand: only a registered officer may, and the act is journaled (refused
 * too) before the retirement is written. Retiring again replaces the earlier retirement.
 */
export async function retireConnector(
  deps: { db: Db; journal: JournalWriter; authenticate: () => Promise<string> },
  request: RetireConnectorRequest,
): Promise<ConnectorRetirement> {
  if (!CONNECTOR_ID.test(request.connector)) {
    throw new ConnectorRetirementRefused(
      `${JSON.stringify(request.connector.slice(0, 140))} is not a connector id: 1 to 128 letters, digits, ".", "_" or "-", as /connectors lists them`,
    );
  }
  const reason = request.reason.trim();
  if (reason.length === 0 || reason.length > 500) throw new ConnectorRetirementRefused('--reason must say why, in at most 500 characters');
  const { officer } = await journalOperatorAct(deps, 'connector-retirement', {
    action: 'retire-connector',
    operator: request.operator,
    citizens: [],
    fields: [],
    detail: `connector ${request.connector}: ${redactValues(reason)}`,
  });
  // The journal never holds values: a reason that quotes one (a personal id, a name) is kept without it.
  const retirement: ConnectorRetirement = {
    _id: request.connector,
    retiredAt: request.at ?? new Date(),
    by: officer,
    reason: redactValues(reason),
  };
  await retirementsIn(deps.db).replaceOne({ _id: retirement._id }, retirement, { upsert: true });
  return retirement;
}

function duration(ms: number): string {
  if (ms >= 2 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  if (ms >= 2 * 60_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}
