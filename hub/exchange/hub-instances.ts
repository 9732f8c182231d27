// Which hub instances are alive, for what they share without a write per call (the agreements'
// rates, rate-limits.ts). Each instance writes its own heartbeat document every HEARTBEAT_MS (one
// writer per document) and counts the documents written within LIVE_MS. The collection holds one
// small document per instance that ever ran; reading it whole is no hot-path cost: it happens
// with the heartbeat, never per call.
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';

export const HEARTBEAT_MS = 3_000;
const LIVE_MS = 3 * HEARTBEAT_MS;
/** Heartbeats older than this are deleted by whoever sees them. */
const FORGET_MS = 24 * 3_600_000;

/** Collection `hub_instances`. */
export interface HubInstance {
  _id: string;
  seenAt: Date;
  startedAt: Date;
}

export class HubInstances {
  readonly id = randomUUID();
  private live = 1;
  private timer: NodeJS.Timeout | undefined;
  private readonly instances: Collection<HubInstance>;
  private readonly startedAt = new Date();

  private constructor(db: Db) {
    this.instances = db.collection<HubInstance>('hub_instances');
  }

  /** Joins: writes the first heartbeat, counts the live instances, and keeps doing so. */
  static async join(db: Db): Promise<HubInstances> {
    const instances = new HubInstances(db);
    await instances.beat();
    instances.timer = setInterval(() => void instances.beat().catch(() => undefined), HEARTBEAT_MS).unref();
    return instances;
  }

  /** Live instances, this one included, as of the last heartbeat. */
  count(): number {
    return this.live;
  }

  /** Writes this instance's heartbeat now and counts again (also what the timer does). */
  async beat(): Promise<void> {
    const now = Date.now();
    await this.instances.replaceOne({ _id: this.id }, { seenAt: new Date(now), startedAt: this.startedAt }, { upsert: true });
    const all = await this.instances.find({}).toArray();
    this.live = Math.max(1, all.filter((instance) => now - instance.seenAt.getTime() <= LIVE_MS).length);
    const forgotten = all.filter((instance) => now - instance.seenAt.getTime() > FORGET_MS).map((instance) => instance._id);
    if (forgotten.length > 0) await this.instances.deleteMany({ _id: { $in: forgotten } });
  }

  /** Leaves: stops the heartbeat and deletes it, so the others count one fewer at their next beat. */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    await this.instances.deleteOne({ _id: this.id });
  }
}
