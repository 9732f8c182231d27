import { describe, expect, it } from 'vitest';
import { simulateEvents } from '../../connectors/simulator/simulate-events.ts';
import { eventDigest } from '../citizen/event-digest.ts';
import { groupByCitizen, historyRecordOf, mergeRecords } from '../citizen/merge.ts';
import { type CitizenState, decodeCitizen, encodeCitizen } from './stored-citizen.ts';

describe('the stored layout of a citizen document', () => {
  const documents = [...groupByCitizen(simulateEvents({ seed: 99, citizens: 200 }))].map(([, events]) => ({
    ...mergeRecords(
      null,
      events.map((event) => historyRecordOf(event, eventDigest(event), new Date())),
    ).document,
    revision: 4,
    lastBatchId: 'batch-1',
  }));
  // The simulation's sources state only fields they are authoritative for; a version that is not
  // (say, a health record's date of birth before civil status spoke) must keep saying so.
  const [first] = Object.keys(documents[1]!.fields) as Array<keyof (typeof documents)[1]['fields']>;
  documents[1]!.fields[first!] = { ...documents[1]!.fields[first!]!, authoritative: false };

  it("R5: encoding then decoding gives back every field's value and provenance (who said it, when, authoritative or not), for 200 simulated citizens", () => {
    expect(
      documents.some((doc) => Object.values(doc.fields).some((version) => !version.authoritative)),
      'the sample has non-authoritative versions',
    ).toBe(true);
    for (const doc of documents) expect(decodeCitizen(encodeCitizen(doc))).toEqual(doc);
  });

  it("stores each event's provenance once however many fields it set, the values plain inside one JSON text, and the phone number beside it", () => {
    let phones = 0;
    for (const doc of documents) {
      const stored = encodeCitizen(doc);
      expect(Object.keys(stored).filter((key) => typeof stored[key as keyof typeof stored] === 'object')).toEqual([]);
      const state = JSON.parse(stored.state) as CitizenState;
      const eventIds = new Set(Object.values(doc.fields).map((version) => version.eventId));
      expect(state.events).toHaveLength(eventIds.size);
      for (const [field, version] of Object.entries(doc.fields))
        expect(state.fields[field as keyof typeof state.fields]).toEqual(version.value);
      expect(stored.phoneNumber).toBe(doc.fields.phoneNumber?.value);
      if (stored.phoneNumber !== undefined) phones += 1;
    }
    expect(phones, 'the sample has phone numbers').toBeGreaterThan(0);
  });

  it('reads documents of the two layouts before (nested elements; provenance inside each field) as they are', () => {
    const doc = documents[0]!;
    const { state, phoneNumber: _phone, ...top } = encodeCitizen(doc);
    expect(decodeCitizen({ ...top, ...(JSON.parse(state) as CitizenState) })).toEqual(doc);
    expect(decodeCitizen(doc)).toEqual(doc);
  });

  it('a field naming no stored event, or a state that is not JSON, is reported as a damaged document, not read as a value without provenance', () => {
    const stored = encodeCitizen(documents[0]!);
    const state = JSON.parse(stored.state) as CitizenState;
    const field = Object.keys(state.from)[0] as keyof typeof state.from;
    state.from[field] = 99;
    expect(() => decodeCitizen({ ...stored, state: JSON.stringify(state) })).toThrow(/names no event/);
    expect(() => decodeCitizen({ ...stored, state: stored.state.slice(0, 40) })).toThrow(
      /not JSON; the document is damaged|not JSON .*damaged/,
    );
    expect(() => decodeCitizen({ ...stored, state: '[]' })).toThrow(/lacks fields, from or events/);
  });
});
