// What each source event asserts about the citizen record: one entry per field it sets.
// Whether the assertion wins is the merge's business (see AUTHORITY); this is only the table.
import type { SourceEvent } from '../../schemas/source-event.ts';
import type { IdentityCard } from '../../schemas/types.ts';
import type { CitizenField, CitizenFieldValue } from './fields.ts';

/** One field the event sets, with its new value (plain JSON; null means "no longer holds"). */
export type CitizenEffect = { [F in CitizenField]: { field: F; value: CitizenFieldValue<F> } }[CitizenField];

function set<F extends CitizenField>(field: F, value: CitizenFieldValue<F>): CitizenEffect {
  return { field, value } as CitizenEffect;
}

export function effectsOf(event: SourceEvent): CitizenEffect[] {
  switch (event.type) {
    // ── civil status (hộ tịch) ──
    case 'birth-registered': {
      const p = event.payload;
      const effects = [
        set('fullName', p.fullName),
        set('dateOfBirth', p.dateOfBirth),
        set('sex', p.sex),
        set('placeOfBirth', p.placeOfBirth),
        set('birthRegistrationProvince', p.birthRegistrationProvince),
        set('ethnicity', p.ethnicity),
        set('nationality', p.nationality),
        set('lifeStatus', 'alive'),
        set('maritalStatus', 'single'),
      ];
      if (p.fatherId !== undefined) effects.push(set('fatherId', p.fatherId));
      if (p.motherId !== undefined) effects.push(set('motherId', p.motherId));
      return effects;
    }
    case 'name-changed':
      return [set('fullName', event.payload.newFullName)];
    case 'marriage-registered':
      return [set('maritalStatus', 'married'), set('spouseId', event.payload.spousePersonalId)];
    case 'divorce-registered':
      return [set('maritalStatus', 'divorced'), set('spouseId', null)];
    case 'death-registered':
      return [set('lifeStatus', 'deceased'), set('dateOfDeath', event.payload.dateOfDeath)];

    // ── residence (cư trú) ──
    case 'permanent-residence-registered':
      return [set('permanentAddress', event.payload.address)];
    case 'permanent-residence-removed':
      // Removing the permanent residence also takes the citizen out of that household.
      return [set('permanentAddress', null), set('household', null)];
    case 'temporary-residence-registered':
      return [set('temporaryAddress', { address: event.payload.address, validUntil: event.payload.validUntil })];
    case 'temporary-absence-declared': {
      const { from, until, destination } = event.payload;
      return [set('temporaryAbsence', destination === undefined ? { from, until } : { from, until, destination })];
    }
    case 'current-residence-declared':
      return [set('currentAddress', event.payload.address)];
    case 'household-membership-changed': {
      const { householdId, relationToHead, headPersonalId } = event.payload;
      return [set('household', { householdId, relationToHead, headPersonalId })];
    }

    // ── identity card (căn cước): the card, plus the holder's identity as printed on it ──
    case 'card-issued':
    case 'card-renewed': {
      const p = event.payload;
      const card: IdentityCard = { cardNumber: p.cardNumber, issuedOn: p.issuedOn, status: 'valid' };
      // A card issued at 58 or older has no expiry date: it is valid for life.
      if (p.expiresOn !== undefined) card.expiresOn = p.expiresOn;
      const effects = [set('idCard', card), set('fullName', p.fullName), set('dateOfBirth', p.dateOfBirth), set('sex', p.sex)];
      // A card application without a number leaves the one on record as it is.
      if (p.phoneNumber !== undefined) effects.push(set('phoneNumber', p.phoneNumber));
      return effects;
    }
    case 'card-reported-lost':
      return [set('idCard', { cardNumber: event.payload.cardNumber, status: 'lost', reportedLostOn: event.payload.reportedOn })];

    // ── health (y tế) ──
    case 'insurance-enrolled': {
      const { insuranceNumber, validFrom, validTo, registeredFacility } = event.payload;
      return [set('healthInsurance', { insuranceNumber, validFrom, validTo, registeredFacility })];
    }
    case 'blood-type-recorded':
      return [set('bloodType', event.payload.bloodType)];
  }
}
