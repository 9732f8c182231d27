import { describe, expect, it } from 'vitest';
import { birthEvent, ONE_OF_EACH } from '../testing/sample-events.ts';
import { type EventVerdict, MAX_EVENT_BYTES, validateEvent } from './validate-event.ts';

const json = (value: unknown): string => JSON.stringify(value);

function rejected(verdict: EventVerdict) {
  if (verdict.ok) throw new Error('expected a rejection, got ok');
  return verdict;
}

describe('validateEvent', () => {
  it('R26: accepts a valid event of every type, from a Buffer or a string', () => {
    for (const event of ONE_OF_EACH) {
      const verdict = validateEvent(Buffer.from(json(event)), { topicSource: event.source });
      expect(verdict, `${event.type}: ${JSON.stringify(verdict)}`).toMatchObject({ ok: true });
      expect(validateEvent(json(event)).ok).toBe(true);
    }
  });

  it('rejects a value larger than 64 KiB as message-too-large, before parsing it', () => {
    const big = 'x'.repeat(MAX_EVENT_BYTES + 1);
    expect(rejected(validateEvent(big)).reason).toBe('message-too-large');
    // Multi-byte characters count in bytes, not in characters.
    const wide = 'ễ'.repeat(Math.ceil(MAX_EVENT_BYTES / 3) + 1);
    expect(rejected(validateEvent(wide)).reason).toBe('message-too-large');
  });

  it('rejects bytes that are not JSON as malformed-json', () => {
    const verdict = rejected(validateEvent('{"eventId": '));
    expect(verdict.reason).toBe('malformed-json');
    expect(verdict.detail).toMatch(/not valid JSON/);
  });

  it('rejects a JSON value that is not an object as a schema-violation', () => {
    expect(rejected(validateEvent('[1,2]')).reason).toBe('schema-violation');
  });

  it('rejects an envelope without occurredAt, pointing at the missing field', () => {
    const { occurredAt: _dropped, ...event } = birthEvent();
    const verdict = rejected(validateEvent(json(event)));
    expect(verdict).toMatchObject({ reason: 'schema-violation', path: '/occurredAt' });
    expect(verdict.detail).toContain('"occurredAt"');
  });

  it('rejects an envelope field the contract does not know', () => {
    expect(rejected(validateEvent(json(birthEvent({ priority: 'high' }))))).toMatchObject({
      reason: 'schema-violation',
      path: '/priority',
    });
  });

  it('rejects a recordedAt without a time-zone offset', () => {
    const verdict = rejected(validateEvent(json(birthEvent({ recordedAt: '1990-05-02T09:15:00' }))));
    expect(verdict).toMatchObject({ reason: 'schema-violation', path: '/recordedAt' });
  });

  it('rejects a source that is not one of the four as unknown-source', () => {
    expect(rejected(validateEvent(json(birthEvent({ source: 'tax' }))))).toMatchObject({ reason: 'unknown-source', path: '/source' });
  });

  it("rejects an event whose source is not its topic's source as unknown-source", () => {
    const verdict = rejected(validateEvent(json(birthEvent()), { topicSource: 'health' }));
    expect(verdict).toMatchObject({ reason: 'unknown-source', path: '/source' });
    expect(verdict.detail).toContain('health topic');
  });

  it('rejects a type the source does not send as unknown-type', () => {
    const verdict = rejected(validateEvent(json(birthEvent({ type: 'card-issued' }))));
    expect(verdict).toMatchObject({ reason: 'unknown-type', path: '/type' });
    expect(verdict.detail).toContain('birth-registered');
  });

  it('rejects a date of birth written dd/mm/yyyy with the path of the field and a readable detail', () => {
    const verdict = rejected(validateEvent(json(birthEvent({}, { dateOfBirth: '30/04/1990' }))));
    expect(verdict).toMatchObject({ reason: 'schema-violation', path: '/payload/dateOfBirth' });
    expect(verdict.detail).toBe(
      'birth-registered: payload.dateOfBirth must be a calendar date written YYYY-MM-DD (e.g. 1990-04-30), got "30/04/1990"',
    );
  });

  it('rejects a day that does not exist in the calendar', () => {
    expect(rejected(validateEvent(json(birthEvent({}, { dateOfBirth: '1990-02-30' }))))).toMatchObject({ path: '/payload/dateOfBirth' });
  });

  it('points at a missing nested field inside the payload', () => {
    const verdict = rejected(validateEvent(json(birthEvent({}, { placeOfBirth: { province: 'Hà Nội' } }))));
    expect(verdict).toMatchObject({ reason: 'schema-violation', path: '/payload/placeOfBirth/ward' });
  });

  it('rejects a payload field the schema does not have, e.g. a misspelling', () => {
    expect(rejected(validateEvent(json(birthEvent({}, { fullname: 'x' }))))).toMatchObject({ path: '/payload/fullname' });
  });

  it('rejects an id whose century digit disagrees with the date of birth as id-inconsistent', () => {
    const verdict = rejected(validateEvent(json(birthEvent({ personalId: '001290123456' }))));
    expect(verdict).toMatchObject({ reason: 'id-inconsistent', path: '/personalId' });
    expect(verdict.detail).toMatch(/century digit 2.*2000–2099.*1990-04-30/);
  });

  it('rejects an id whose sex digit disagrees with the payload sex as id-inconsistent', () => {
    const verdict = rejected(validateEvent(json(birthEvent({}, { sex: 'female' }))));
    expect(verdict).toMatchObject({ reason: 'id-inconsistent', path: '/personalId' });
    expect(verdict.detail).toContain('means male');
  });

  it('rejects an id whose year digits disagree with the birth year as id-inconsistent', () => {
    expect(rejected(validateEvent(json(birthEvent({}, { dateOfBirth: '1991-04-30' }))))).toMatchObject({ reason: 'id-inconsistent' });
  });

  it('checks the province code of ids on events that carry no date of birth', () => {
    const [death] = ONE_OF_EACH.filter((e) => e.type === 'death-registered');
    const verdict = rejected(validateEvent(json({ ...death, personalId: '005090123456' })));
    expect(verdict).toMatchObject({ reason: 'id-inconsistent', path: '/personalId' });
    expect(verdict.detail).toContain('province');
  });

  it("rejects a card whose number is not the holder's personal id", () => {
    const [card] = ONE_OF_EACH.filter((e) => e.type === 'card-issued');
    const verdict = rejected(validateEvent(json({ ...card, payload: { ...card?.payload, cardNumber: '001090999999' } })));
    expect(verdict).toMatchObject({ reason: 'id-inconsistent', path: '/payload/cardNumber' });
  });

  it("rejects a father's id with an unknown province code", () => {
    expect(rejected(validateEvent(json(birthEvent({}, { fatherId: '003060123456' }))))).toMatchObject({
      reason: 'id-inconsistent',
      path: '/payload/fatherId',
    });
  });

  it('NFC-normalises every string: a decomposed "Nguyễn" comes out composed', () => {
    const decomposed = 'Nguye\u0302\u0303n Văn An'.normalize('NFD');
    expect(decomposed).not.toBe('Nguyễn Văn An');
    const verdict = validateEvent(json(birthEvent({}, { fullName: decomposed })));
    expect(verdict.ok && verdict.event.payload).toMatchObject({ fullName: 'Nguyễn Văn An' });
  });

  it('NFC-normalises strings written with \\u escapes too', () => {
    const text = json(birthEvent({}, { fullName: 'NGUYEN' })).replace('NGUYEN', 'Nguye\\u0302\\u0303n');
    const verdict = validateEvent(text);
    expect(verdict.ok && verdict.event.payload).toMatchObject({ fullName: 'Nguyễn' });
  });

  it('accepts a decomposed relation to the head of household once normalised', () => {
    const [membership] = ONE_OF_EACH.filter((e) => e.type === 'household-membership-changed');
    const text = json({ ...membership, payload: { ...membership?.payload, relationToHead: 'chủ hộ'.normalize('NFD') } });
    expect(validateEvent(text).ok).toBe(true);
  });
});
