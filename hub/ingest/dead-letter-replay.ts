// Replaying dead letters: once the cause of a rejection is fixed (a hub upgraded to know a new
// event type, a schema corrected), an operator re-submits the chosen letters' original bytes to
// their original source topic, with their original key and headers, and the hub judges them again.
//
// Idempotent: each letter is claimed in the store (`dead_letter_replays`, `_id` = its place in
// the dead-letter topic) before it is published and marked published after; a letter already
// published is skipped on the next run, one claimed but never published (a crash in between) is
// published again — harmless, since the hub drops an event id it already applied. Each run is
// journaled: who replayed what, and how many were skipped.
// A letter whose original was too large to travel with it is replayed from its source topic's
// copy, checked against the letter's digest; once retention removed that copy it cannot be.

import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import type { OutgoingRecord, RawRecord } from '../../kafka/records.ts';
import { parsePersonalId } from '../../schemas/personal-id.ts';
import { entryReference } from '../journal/journal-chain.ts';
import type { JournalWriter } from '../journal/journal-entry.ts';
import { isDuplicateKey } from '../store/duplicate-key.ts';
import type { QueuedDeadLetter } from './dead-letter-queue.ts';

/** Header on a replayed record: which dead letter it re-submits. */
export const REPLAYED_FROM_HEADER = 'dancu-replayed-from';

interface ReplayClaim {
  _id: string;
  state: 'claimed' | 'published';
  operator: string;
  claimedAt: Date;
  publishedAt?: Date;
}

export interface ReplayOutcome {
  replayed: number;
  /** Letters already replayed by an earlier run. */
  skipped: number;
  /** The journal entry of the replay, as quoted to people (`<chain>:<sequence>`). */
  journalEntry: string;
}

export interface ReplayOptions {
  db: Db;
  /** Reads a record back from its source topic, for letters that carry only the original's digest. */
  readOriginal: (topic: string, partition: number, offset: string) => Promise<RawRecord>;
  publisher: RecordPublisher;
  journal: JournalWriter;
  /** Who is replaying (journaled). */
  operator: string;
  /** Why, in words (journaled), e.g. "hub 1.4 knows the adoption event". */
  note: string;
}

/** Where a letter sits in the dead-letter topic: its identity for replay. */
export function letterId(letter: QueuedDeadLetter): string {
  return `${letter.dlqPartition}:${letter.dlqOffset}`;
}

export async function replayDeadLetters(letters: readonly QueuedDeadLetter[], options: ReplayOptions): Promise<ReplayOutcome> {
  const claims = options.db.collection<ReplayClaim>('dead_letter_replays');
  const toPublish: QueuedDeadLetter[] = [];
  let skipped = 0;
  for (const letter of letters) {
    if (await claim(claims, letterId(letter), options.operator)) toPublish.push(letter);
    else skipped += 1;
  }
  const byTopic = new Map<string, OutgoingRecord[]>();
  for (const letter of toPublish) {
    const records = byTopic.get(letter.sourceTopic) ?? [];
    records.push(originalRecord(letter, await originalValue(letter, options.readOriginal)));
    byTopic.set(letter.sourceTopic, records);
  }
  for (const [topic, records] of byTopic) await options.publisher.publish(topic, records);
  for (const letter of toPublish) {
    await claims.updateOne({ _id: letterId(letter) }, { $set: { state: 'published', publishedAt: new Date() } });
  }
  const reasons = [...new Set(letters.map((letter) => letter.reason))].sort();
  const receipt = await options.journal.append({
    act: 'dead-letter-replay',
    action: 'replay',
    actor: { officer: options.operator },
    citizens: [
      ...new Set(
        toPublish.map((letter) => letter.key).filter((key): key is string => typeof key === 'string' && parsePersonalId(key) !== undefined),
      ),
    ],
    fields: [],
    decision: 'done',
    detail:
      `replayed ${toPublish.length} dead letter(s) (${reasons.join(', ') || 'none'}); ${skipped} already replayed; ${options.note}`.slice(
        0,
        500,
      ),
  });
  return { replayed: toPublish.length, skipped, journalEntry: entryReference(receipt) };
}

/** True when this run should publish the letter: newly claimed, or claimed before but never published. */
async function claim(claims: Collection<ReplayClaim>, id: string, operator: string): Promise<boolean> {
  try {
    await claims.insertOne({ _id: id, state: 'claimed', operator, claimedAt: new Date() });
    return true;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const existing = await claims.findOne({ _id: id });
    return existing?.state !== 'published';
  }
}

/** The rejected record's value: from the letter, or from the source topic checked against the letter's digest. */
async function originalValue(letter: QueuedDeadLetter, readOriginal: ReplayOptions['readOriginal']): Promise<Buffer> {
  if (letter.originalValueBase64 !== undefined) return Buffer.from(letter.originalValueBase64, 'base64');
  const record = await readOriginal(letter.sourceTopic, letter.partition, letter.offset);
  const value = record.value ?? Buffer.alloc(0);
  if (createHash('sha256').update(value).digest('hex') !== letter.original.sha256) {
    throw new Error(
      `${letter.sourceTopic}[${letter.partition}]@${letter.offset} no longer holds the original of dead letter ${letterId(letter)} (its digest differs)`,
    );
  }
  return value;
}

function originalRecord(letter: QueuedDeadLetter, value: Buffer): OutgoingRecord {
  return {
    key: letter.key ?? null,
    value,
    headers: { ...letter.headers, [REPLAYED_FROM_HEADER]: `dlq/${letterId(letter)}` },
  };
}
