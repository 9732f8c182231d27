// One person as the simulation builds them (day numbers, links), the facts the residence, card and
// health registers hold about them, and the simulation's fixed "today" they are read against.
import type { Address, HealthFacility, RelationToHead, Sex } from '../../schemas/types.ts';
import { type Day, dayOf } from './calendar.ts';

/** The simulation's "today": the registers hold nothing later. Fixed, so runs are reproducible. */
export const SIMULATION_TODAY = '2025-06-30';
export const TODAY: Day = dayOf(2025, 6, 30);

export type ResidenceFact =
  | { kind: 'THUONG_TRU'; on: string; address: Address; householdId: string }
  | { kind: 'XOA_THUONG_TRU'; on: string; reason: string }
  | { kind: 'QUAN_HE_CHU_HO'; on: string; householdId: string; relation: RelationToHead; headId: string }
  | { kind: 'TAM_TRU'; on: string; from: string; until: string; address: Address }
  | { kind: 'TAM_VANG'; on: string; from: string; until: string; destination?: Address }
  | { kind: 'NOI_O_HIEN_TAI'; on: string; address: Address };

export type CardFact =
  | {
      kind: 'CAP_MOI' | 'CAP_DOI' | 'CAP_LAI';
      on: string;
      expiresOn?: string;
      renewal?: 'DU_TUOI' | 'THAY_DOI_THONG_TIN';
      fullName: string;
      authority: string;
    }
  | { kind: 'BAO_MAT'; on: string };

export interface InsuranceFact {
  number: string;
  validFrom: string;
  validTo: string;
  facility: HealthFacility;
}

/** The working record of one person while the population is built (day numbers, links). */
export interface Person {
  index: number;
  sex: Sex;
  birth: Day;
  death?: Day;
  province: string;
  ethnicity: string;
  surname: string;
  name: string;
  id: string;
  father?: Person;
  mother?: Person;
  spouse?: Person;
  marriedOn?: Day;
  divorcedOn?: Day;
  nameChange?: { on: Day; name: string; reason: string };
  /** For a married man: the household he founds after the wedding, which wife and children join. */
  maritalHome?: { address: Address; householdId: string; since: Day };
  /** The person's latest permanent home, filled in by residenceFacts. */
  home?: { address: Address; householdId: string; headId: string };
}

/** Last day a person is "in the registers": their death or the simulation's today. */
export function lastDay(person: Person): Day {
  return person.death !== undefined ? Math.min(person.death, TODAY) : TODAY;
}

/** The person's name on a given day (after a registered change, the new one). */
export function nameOn(person: Person, day: Day): string {
  return person.nameChange && person.nameChange.on <= day ? person.nameChange.name : person.name;
}
