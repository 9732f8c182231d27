import { describe, expect, it } from 'vitest';
import type { SourceEvent } from '../../schemas/source-event.ts';
import { mergeEvents } from './merge.ts';
import type { CitizenDocument } from './citizen-document.ts';

const ID = '001090012345'; // Hà Nội, male born 1990

let counter = 0;
function envelope(source: SourceEvent['source'], occurredAt: string) {
  counter += 1;
  return {
    eventId: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    source,
    personalId: ID,
    occurredAt,
    recordedAt: occurredAt,
    schemaVersion: 1 as const,
  };
}

function birth(fullName: string, occurredAt = '1990-03-01T00:00:00Z'): SourceEvent {
  return {
    ...envelope('civil-status', occurredAt),
    type: 'birth-registered',
    payload: {
      fullName,
      dateOfBirth: '1990-02-27',
      sex: 'male',
      placeOfBirth: { province: 'Hà Nội', ward: 'Phường Láng Hạ' },
      birthRegistrationProvince: '001',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
    },
  } as SourceEvent;
}

function nameChange(newFullName: string, occurredAt: string): SourceEvent {
  return { ...envelope('civil-status', occurredAt), type: 'name-changed', payload: { newFullName, reason: 'theo nguyện vọng' } } as SourceEvent;
}

function card(fullName: string, occurredAt: string): SourceEvent {
  return {
    ...envelope('id-card', occurredAt),
    type: 'card-issued',
    payload: {
      cardNumber: ID,
      issuedOn: occurredAt.slice(0, 10),
      expiresOn: '2040-02-27',
      issuingAuthority: 'Cục Cảnh sát QLHC về TTXH',
      fullName,
      dateOfBirth: '1990-02-27',
      sex: 'male',
    },
  } as SourceEvent;
}

function mergeInOrder(events: SourceEvent[], batchSize = 1): { doc: CitizenDocument; history: Map<string, unknown> } {
  let doc: CitizenDocument | null = null;
  const history = new Map<string, unknown>();
  for (let i = 0; i < events.length; i += batchSize) {
    const result = mergeEvents(doc, events.slice(i, i + batchSize));
    for (const entry of result.history) history.set(entry._id, entry);
    doc = result.changed ? { ...result.document, revision: result.document.revision + 1 } : result.document;
  }
  return { doc: doc!, history };
}

describe('merging events into a citizen record', () => {
  it('R5: keeps every version of a field with who said it and when, and records the old and new value', () => {
    const born = birth('Nguyễn Văn An');
    const renamed = nameChange('Nguyễn Văn Bình', '2010-05-01T00:00:00Z');
    const { doc, history } = mergeInOrder([born, renamed]);
    expect(doc.fields.fullName).toMatchObject({ value: 'Nguyễn Văn Bình', source: 'civil-status', eventId: renamed.eventId });
    expect(doc.versions.fullName?.map((v) => v.value)).toEqual(['Nguyễn Văn An', 'Nguyễn Văn Bình']);
    expect(history.get(renamed.eventId)).toMatchObject({
      changes: [{ field: 'fullName', previous: 'Nguyễn Văn An', value: 'Nguyễn Văn Bình', outcome: 'applied' }],
    });
  });

  it('R26: a non-authoritative source never overwrites an authoritative value, even when it is later', () => {
    const born = birth('Trần Thị Hoa');
    const cardWithOtherSpelling = card('Trần Thị Hòa', '2020-01-01T00:00:00Z');
    const { doc, history } = mergeInOrder([born, cardWithOtherSpelling]);
    expect(doc.fields.fullName?.value).toBe('Trần Thị Hoa');
    expect(doc.fields.idCard?.source).toBe('id-card');
    expect(history.get(cardWithOtherSpelling.eventId)).toMatchObject({
      changes: expect.arrayContaining([expect.objectContaining({ field: 'fullName', outcome: 'overruled' })]),
    });
  });

  it('a non-authoritative source fills a field nobody authoritative has stated yet, and yields once one does', () => {
    const cardFirst = card('Lê Văn Cường', '2020-01-01T00:00:00Z');
    const before = mergeEvents(null, [cardFirst]);
    expect(before.document.fields.fullName).toMatchObject({ value: 'Lê Văn Cường', authoritative: false });
    const after = mergeEvents(before.document, [birth('Lê Văn Cường Anh')]);
    expect(after.document.fields.fullName).toMatchObject({ value: 'Lê Văn Cường Anh', authoritative: true });
  });

  it('within a source the later effective time wins, whatever order the events arrive in', () => {
    const born = birth('Phạm Minh Châu');
    const late = nameChange('Phạm Minh Khang', '2015-01-01T00:00:00Z');
    const early = nameChange('Phạm Minh Đức', '2005-01-01T00:00:00Z');
    expect(mergeInOrder([born, late, early]).doc.fields.fullName?.value).toBe('Phạm Minh Khang');
    expect(mergeInOrder([early, late, born]).doc.fields.fullName?.value).toBe('Phạm Minh Khang');
  });

  it('duplicates and any arrival order converge to the same document and the same history', () => {
    const events = [
      birth('Võ Thị Lan'),
      nameChange('Võ Thị Mai', '2012-01-01T00:00:00Z'),
      card('Võ Thị Mai', '2016-06-01T00:00:00Z'),
      nameChange('Võ Thị Ngọc', '2018-01-01T00:00:00Z'),
    ];
    const reference = mergeInOrder(events);
    const orders = [
      [...events].reverse(),
      [events[2]!, events[0]!, events[3]!, events[1]!],
      [...events, events[1]!, events[0]!],
    ];
    for (const order of orders) {
      for (const batchSize of [1, 2, 10]) {
        const other = mergeInOrder(order, batchSize);
        expect(other.doc.fields).toEqual(reference.doc.fields);
        expect(other.doc.versions).toEqual(reference.doc.versions);
        expect(Object.fromEntries(other.history)).toEqual(Object.fromEntries(reference.history));
      }
    }
  });

  it('a replayed batch changes nothing and reports its events as duplicates', () => {
    const events = [birth('Đặng Văn Hùng'), nameChange('Đặng Văn Dũng', '2011-01-01T00:00:00Z')];
    const first = mergeEvents(null, events);
    const replay = mergeEvents(first.document, events);
    expect(replay.changed).toBe(false);
    expect(replay.appliedEventIds.size).toBe(0);
    expect(replay.history).toEqual([]);
    expect(replay.document.versions).toEqual(first.document.versions);
  });

  it('publishes a change only for versions that are now current, with a stable change id', () => {
    const born = birth('Bùi Thị Thu');
    const early = nameChange('Bùi Thị Hà', '2001-01-01T00:00:00Z');
    const first = mergeEvents(null, [born, early]);
    expect(first.changes.find((c) => c.field === 'fullName')).toMatchObject({ changeId: `${early.eventId}:fullName`, value: 'Bùi Thị Hà', previous: 'Bùi Thị Thu' });
    expect(first.changes.some((c) => c.eventId === born.eventId && c.field === 'fullName')).toBe(false);
  });
});

describe('the same event id with other content', () => {
  it('R5: an identical redelivery is a silent duplicate', () => {
    const born = birth('Nguyễn Văn An');
    const first = mergeEvents(null, [born]);
    const again = mergeEvents({ ...first.document, revision: 1 }, [structuredClone(born)]);
    expect(again).toMatchObject({ changed: false, conflicts: [] });
    expect(mergeEvents(null, [born, structuredClone(born)]).conflicts).toEqual([]);
  });

  it('R5: A then an altered A′ — the first accepted stands and A′ is a conflict', () => {
    const original = birth('Nguyễn Văn An');
    const altered = { ...original, payload: { ...original.payload, fullName: 'Nguyễn Văn Giả' } } as SourceEvent;
    const first = mergeEvents(null, [original]);
    const second = mergeEvents({ ...first.document, revision: 1 }, [altered]);
    expect(second.conflicts).toEqual([altered]);
    expect(second.changed).toBe(false);
    expect(second.document.fields.fullName?.value).toBe('Nguyễn Văn An');
  });

  it('R5: A′ then A, in one batch or two — whichever was accepted first stands', () => {
    const original = birth('Nguyễn Văn An');
    const altered = { ...original, payload: { ...original.payload, fullName: 'Nguyễn Văn Giả' } } as SourceEvent;
    const together = mergeEvents(null, [altered, original]);
    expect(together.conflicts).toEqual([original]);
    expect(together.document.fields.fullName?.value).toBe('Nguyễn Văn Giả');
    const apart = mergeEvents({ ...mergeEvents(null, [altered]).document, revision: 1 }, [original]);
    expect(apart.conflicts).toEqual([original]);
  });

  it('R5: an id reused for an event of another type is a conflict, and nothing of it is mixed into the history', () => {
    const born = birth('Nguyễn Văn An');
    const reused = { ...nameChange('Nguyễn Văn Bình', '2010-05-01T00:00:00Z'), eventId: born.eventId } as SourceEvent;
    const first = mergeEvents(null, [born]);
    const second = mergeEvents({ ...first.document, revision: 1 }, [reused]);
    expect(second.conflicts).toEqual([reused]);
    expect(second.history).toEqual([]);
    expect(second.document.versions.fullName?.map((version) => version.eventId)).toEqual([born.eventId]);
  });
});
