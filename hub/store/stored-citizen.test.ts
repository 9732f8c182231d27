import { describe, expect, it } from 'vitest';
import { simulateEvents } from '../../connectors/simulator/simulate-events.ts';
import { eventDigest } from '../citizen/event-digest.ts';
import { groupByCitizen, historyRecordOf, mergeRecords } from '../citizen/merge.ts';
import { decodeCitizen, encodeCitizen } from './stored-citizen.ts';

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

  it("stores each event's provenance once however many fields it set, and the values plain", () => {
    for (const doc of documents) {
      const stored = encodeCitizen(doc);
      const eventIds = new Set(Object.values(doc.fields).map((version) => version.eventId));
      expect(stored.events).toHaveLength(eventIds.size);
      for (const [field, version] of Object.entries(doc.fields))
        expect(stored.fields[field as keyof typeof stored.fields]).toEqual(version.value);
    }
  });

  it('reads a document of the previous layout (provenance inside each field) as it is', () => {
    expect(decodeCitizen(documents[0]!)).toEqual(documents[0]);
  });

  it('a field naming no stored event is reported as a damaged document, not read as a value without provenance', () => {
    const stored = encodeCitizen(documents[0]!);
    const field = Object.keys(stored.from)[0] as keyof typeof stored.from;
    stored.from[field] = 99;
    expect(() => decodeCitizen(stored)).toThrow(/names no event/);
  });
});
