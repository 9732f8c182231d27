import { describe, expect, it } from 'vitest';
import type { EventType, SourceEvent } from '../../schemas/source-event.ts';
import { validateCitizenRecord } from '../../schemas/validators.ts';
import { ONE_OF_EACH } from '../../testing/sample-events.ts';
import { effectsOf } from './event-effects.ts';
import { isAuthoritative } from './fields.ts';

function sample(type: EventType): SourceEvent {
  const event = ONE_OF_EACH.find((e) => e.type === type);
  if (!event) throw new Error(`no sample for ${type}`);
  return event;
}

function asRecord(event: SourceEvent): Record<string, unknown> {
  return Object.fromEntries(effectsOf(event).map((e) => [e.field, e.value]));
}

describe('effectsOf', () => {
  it('R26: a registered birth asserts identity, parents, alive and single', () => {
    expect(asRecord(sample('birth-registered'))).toEqual({
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-04-30',
      sex: 'male',
      placeOfBirth: { province: 'Hà Nội', ward: 'Phường Tràng Tiền' },
      birthRegistrationProvince: '001',
      ethnicity: 'Kinh',
      nationality: 'Việt Nam',
      lifeStatus: 'alive',
      maritalStatus: 'single',
    });
  });

  it('a change of name asserts the new full name', () => {
    expect(asRecord(sample('name-changed'))).toEqual({ fullName: 'Nguyễn Minh An' });
  });

  it('a marriage asserts married and the spouse; a divorce asserts divorced and no spouse', () => {
    expect(asRecord(sample('marriage-registered'))).toEqual({ maritalStatus: 'married', spouseId: '001192654321' });
    expect(asRecord(sample('divorce-registered'))).toEqual({ maritalStatus: 'divorced', spouseId: null });
  });

  it('a death asserts deceased and the date of death', () => {
    expect(asRecord(sample('death-registered'))).toEqual({ lifeStatus: 'deceased', dateOfDeath: '2024-02-28' });
  });

  it('residence events set the address fields; removing the permanent residence clears it and the household', () => {
    expect(asRecord(sample('permanent-residence-registered'))).toEqual({
      permanentAddress: { province: 'Hà Nội', ward: 'Phường Cầu Giấy', street: 'Trần Duy Hưng', detail: 'Số 12' },
    });
    expect(asRecord(sample('permanent-residence-removed'))).toEqual({ permanentAddress: null, household: null });
    expect(asRecord(sample('temporary-residence-registered'))).toMatchObject({ temporaryAddress: { validUntil: '2026-03-01' } });
    expect(asRecord(sample('temporary-absence-declared'))).toMatchObject({ temporaryAbsence: { from: '2024-03-01', until: '2024-09-01' } });
    expect(Object.keys(asRecord(sample('current-residence-declared')))).toEqual(['currentAddress']);
    expect(asRecord(sample('household-membership-changed'))).toEqual({
      household: { householdId: '001000000042', relationToHead: 'chủ hộ', headPersonalId: '001090123456' },
    });
  });

  it('a card asserts the card and, without authority, the name, birth date and sex printed on it', () => {
    const event = sample('card-issued');
    const effects = effectsOf(event);
    expect(effects.map((e) => e.field)).toEqual(['idCard', 'fullName', 'dateOfBirth', 'sex']);
    expect(asRecord(event).idCard).toStrictEqual({
      cardNumber: '001090123456',
      issuedOn: '2021-05-10',
      status: 'valid',
      expiresOn: '2030-04-29',
    });
    expect(effects.filter((e) => isAuthoritative(e.field, event.source)).map((e) => e.field)).toEqual(['idCard']);
    expect(asRecord(sample('card-renewed')).idCard).toMatchObject({ issuedOn: '2030-04-10', status: 'valid' });
  });

  it("R20: a card application that declares the holder's mobile number asserts phoneNumber with authority; one without leaves it alone", () => {
    const event = sample('card-issued');
    const withPhone = { ...event, payload: { ...event.payload, phoneNumber: '+84912345678' } } as unknown as SourceEvent;
    const effects = effectsOf(withPhone);
    expect(effects.find((e) => e.field === 'phoneNumber')).toEqual({ field: 'phoneNumber', value: '+84912345678' });
    expect(isAuthoritative('phoneNumber', withPhone.source)).toBe(true);
    expect(effectsOf(event).map((e) => e.field)).not.toContain('phoneNumber');
  });

  it('a card valid for life asserts a card without an expiry date (never an undefined value)', () => {
    const event = sample('card-issued');
    const { expiresOn: _none, ...lifetime } = event.payload as unknown as Record<string, unknown>;
    const idCard = asRecord({ ...event, payload: lifetime } as unknown as SourceEvent).idCard;
    expect(idCard).toStrictEqual({ cardNumber: '001090123456', issuedOn: '2021-05-10', status: 'valid' });
  });

  it('a lost card asserts the card with status lost', () => {
    expect(asRecord(sample('card-reported-lost'))).toEqual({
      idCard: { cardNumber: '001090123456', status: 'lost', reportedLostOn: '2024-02-15' },
    });
  });

  it('health events set insurance and blood type', () => {
    expect(asRecord(sample('insurance-enrolled')).healthInsurance).toMatchObject({ insuranceNumber: 'DN4010123456789' });
    expect(asRecord(sample('blood-type-recorded'))).toEqual({ bloodType: 'O+' });
  });

  it('every effect value is plain JSON that the citizen-record schema accepts', () => {
    for (const event of ONE_OF_EACH) {
      const effects = effectsOf(event);
      expect(effects.length, event.type).toBeGreaterThan(0);
      for (const { field, value } of effects) {
        expect(JSON.parse(JSON.stringify(value)), `${event.type}.${field}`).toStrictEqual(value);
        const record = { personalId: event.personalId, [field]: value };
        expect(validateCitizenRecord(record), `${event.type}.${field}: ${JSON.stringify(validateCitizenRecord.errors)}`).toBe(true);
      }
    }
  });
});
