// The sector's replica in its own database: `replica_citizens` (one document per citizen) and
// `replica_state` (the stream's cursor, one document per agreement). The cursor is written only
// after the change it follows is in `replica_citizens`, so the stored cursor never runs ahead of
// the data: a crash in between makes the hub send that change again, and applyChange drops it.
//
// FerretDB: only bare `{ _id: … }` filters use an index and there are no transactions, so every
// write is one single-document upsert by _id. One sync consumer writes a replica at a time.
//
// R15: every citizen and every field records the agreement it was received under (`heldUnder`,
// `<field>.agreement`), so the sector can show under which terms — onward sharing included — it
// holds each value, and what to delete when that agreement ends.
import type { Collection, Db } from 'mongodb';
import type { Change } from '../../../proto/gen/dancu/exchange/v1/exchange.ts';
import { applyChange, type ReplicaCitizen } from './replica-citizen.ts';

export const REPLICA_COLLECTION = 'replica_citizens';
export const STATE_COLLECTION = 'replica_state';

export interface ReplicaState {
  /** The agreement the replica is fed under. */
  _id: string;
  cursor: string;
  lastChangeId: string;
  updatedAt: Date;
}

export type ApplyOutcome = 'applied' | 'already-applied';

export class Replica {
  private readonly citizens: Collection<ReplicaCitizen>;
  private readonly state: Collection<ReplicaState>;

  constructor(
    db: Db,
    readonly agreementId: string,
  ) {
    this.citizens = db.collection<ReplicaCitizen>(REPLICA_COLLECTION);
    this.state = db.collection<ReplicaState>(STATE_COLLECTION);
  }

  /** The cursor to resume from; empty when this replica has never received a change. */
  async cursor(): Promise<string> {
    return (await this.state.findOne({ _id: this.agreementId }))?.cursor ?? '';
  }

  async citizen(personalId: string): Promise<ReplicaCitizen | null> {
    return this.citizens.findOne({ _id: personalId });
  }

  /** A position marker from the hub: nothing to apply, only where to resume. */
  async advance(cursor: string): Promise<void> {
    await this.state.updateOne({ _id: this.agreementId }, { $set: { cursor, updatedAt: new Date() } }, { upsert: true });
  }

  /** Apply, then move the cursor past the change; in that order, always. */
  async apply(change: Change): Promise<ApplyOutcome> {
    const next = applyChange(await this.citizens.findOne({ _id: change.personalId }), change, this.agreementId);
    if (next) await this.citizens.replaceOne({ _id: change.personalId }, next, { upsert: true });
    await this.state.updateOne(
      { _id: this.agreementId },
      { $set: { cursor: change.cursor, lastChangeId: change.changeId, updatedAt: new Date() } },
      { upsert: true },
    );
    return next ? 'applied' : 'already-applied';
  }
}
