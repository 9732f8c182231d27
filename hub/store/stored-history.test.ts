import { describe, expect, it } from 'vitest';
import { simulateEvents } from '../../connectors/simulator/simulate-events.ts';
import { eventDigest } from '../citizen/event-digest.ts';
import { historyRecordOf } from '../citizen/merge.ts';
import { decodeHistoryRecord, encodeHistoryRecord } from './stored-history.ts';

describe('the stored layout of a history record', () => {
  const records = simulateEvents({ seed: 7, citizens: 50 }).map((event) => historyRecordOf(event, eventDigest(event), new Date()));

  it('R5: encoding then decoding gives back who stated what about which field, when, for every event of 50 simulated citizens', () => {
    for (const record of records) expect(decodeHistoryRecord(encodeHistoryRecord(record))).toEqual(record);
  });

  it('keeps the fields the history is searched by (event id, personal id, times) top-level, and what was stated as one JSON text', () => {
    const stored = encodeHistoryRecord(records[0]!);
    expect(stored).toMatchObject({ _id: records[0]!._id, personalId: records[0]!.personalId, effectiveAt: records[0]!.effectiveAt });
    expect(typeof stored.stated).toBe('string');
  });

  it('reads a record of the layout before (`stated` as an array) as it is, and reports a damaged one', () => {
    expect(decodeHistoryRecord(records[1]!)).toEqual(records[1]);
    expect(() => decodeHistoryRecord({ ...records[1]!, stated: '{"field"' })).toThrow(/not JSON.*damaged/);
    expect(() => decodeHistoryRecord({ ...records[1]!, stated: '{}' })).toThrow(/not a list/);
  });
});
