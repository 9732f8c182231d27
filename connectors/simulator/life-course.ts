// What the residence, identity-card and health registers hold about one person, in the order a
// life produces it: registered at birth into a household, moving in with a spouse, leaving after a
// divorce, removed after death; a card at 14, renewed at 25/40/60; yearly health insurance.
import { makePersonalId } from '../../schemas/personal-id.ts';
import type { Address, BloodType, HealthFacility, RelationToHead } from '../../schemas/types.ts';
import { addYears, ageOn, type Day, dayOf, dayToIso, yearOf } from './calendar.ts';
import type { CardFact, InsuranceFact, Person, ResidenceFact } from './person.ts';
import { lastDay, nameOn, TODAY } from './person.ts';
import { addressIn, facilityIn, pickMigrationTarget, pickProvince } from './places.ts';
import type { Random } from './random.ts';

type DatedFact<F> = { day: Day; fact: F };
/** A residence fact before its date is attached (Omit distributed over the union). */
type Undated<F> = F extends unknown ? Omit<F, 'on'> : never;

/** Householding numbers are sequential per population build (deterministic). */
export class HouseholdNumbers {
  private next = 1;
  take(provinceCode: string): string {
    return `${provinceCode}${String(this.next++).padStart(9, '0')}`;
  }
}

/** Decides every married man's marital home; runs once before any residence facts are drawn. */
export function foundHouseholds(random: Random, people: readonly Person[], numbers: HouseholdNumbers): void {
  for (const man of people) {
    if (man.sex !== 'male' || man.marriedOn === undefined) continue;
    const since = man.marriedOn + random.int(6, 61);
    if (since < lastDay(man))
      man.maritalHome = { address: addressIn(random, man.province), householdId: numbers.take(man.province), since };
  }
}

export function residenceFacts(random: Random, person: Person, numbers: HouseholdNumbers): ResidenceFact[] {
  const facts: DatedFact<ResidenceFact>[] = [];
  const limit = lastDay(person);
  const at = (day: Day, fact: Undated<ResidenceFact>) => facts.push({ day, fact: { ...fact, on: dayToIso(day) } as ResidenceFact });
  const join = (day: Day, address: Address, householdId: string, relation: RelationToHead, headId: string) => {
    at(day, { kind: 'THUONG_TRU', address, householdId });
    at(day, { kind: 'QUAN_HE_CHU_HO', householdId, relation, headId });
    person.home = { address, householdId, headId };
  };

  // Registered as a child of a household shortly after birth.
  const registered = Math.min(person.birth + random.int(20, 120), TODAY);
  const parentsHome = person.father?.maritalHome;
  if (parentsHome && parentsHome.since < registered && person.father) {
    join(registered, parentsHome.address, parentsHome.householdId, 'con', person.father.id);
  } else {
    // A parent who is not in the simulated population heads the household.
    const parentYear = Math.max(1800, yearOf(person.birth) - random.int(20, 40));
    const headId = makePersonalId(person.province, 'male', parentYear, random.int(0, 999_999));
    join(registered, addressIn(random, person.province), numbers.take(person.province), 'con', headId);
  }

  const spouse = person.spouse;
  if (person.marriedOn !== undefined && spouse) {
    if (person.sex === 'male') {
      const home = person.maritalHome;
      if (home && home.since > registered) {
        at(home.since - 1, { kind: 'XOA_THUONG_TRU', reason: 'Tách hộ, chuyển đến chỗ ở hợp pháp mới' });
        join(home.since, home.address, home.householdId, 'chủ hộ', person.id);
      }
    } else {
      const home = spouse.maritalHome;
      const moves = home ? Math.max(home.since, person.marriedOn) + random.int(1, 30) : Infinity;
      const stillMarried = person.divorcedOn === undefined || person.divorcedOn > moves;
      if (home && moves < limit && moves > registered && stillMarried && (spouse.death ?? Infinity) > moves) {
        at(moves - 1, { kind: 'XOA_THUONG_TRU', reason: 'Chuyển đến nơi thường trú của chồng' });
        join(moves, home.address, home.householdId, 'vợ', spouse.id);
        if (person.divorcedOn !== undefined) {
          const leaves = person.divorcedOn + random.int(30, 120);
          if (leaves < limit) {
            at(leaves - 1, { kind: 'XOA_THUONG_TRU', reason: 'Chuyển đi nơi khác sau khi ly hôn' });
            join(leaves, addressIn(random, person.province), numbers.take(person.province), 'chủ hộ', person.id);
          }
        }
      }
    }
  }

  const adult = addYears(person.birth, 18);
  const alive = person.death === undefined;
  if (alive && adult < TODAY - 90 && random.chance(0.2)) {
    const from = random.int(Math.max(adult, TODAY - 5 * 365), TODAY - 60);
    at(Math.max(registered, from - random.int(0, 10)), {
      kind: 'TAM_TRU',
      from: dayToIso(from),
      until: dayToIso(from + random.int(180, 730)),
      address: addressIn(random, pickMigrationTarget(random)),
    });
  }
  if (alive && adult < TODAY - 60 && random.chance(0.04)) {
    const from = random.int(Math.max(adult, TODAY - 3 * 365), TODAY - 30);
    const destination = random.chance(0.5) ? addressIn(random, pickProvince(random)) : undefined;
    at(Math.max(registered, from - random.int(0, 5)), {
      kind: 'TAM_VANG',
      from: dayToIso(from),
      until: dayToIso(from + random.int(30, 365)),
      ...(destination && { destination }),
    });
  }
  if (alive && adult < TODAY - 30 && random.chance(0.02)) {
    at(random.int(Math.max(adult, TODAY - 3 * 365), TODAY - 10), {
      kind: 'NOI_O_HIEN_TAI',
      address: addressIn(random, pickProvince(random)),
    });
  }
  if (person.death !== undefined) {
    const removed = person.death + random.int(10, 60);
    if (removed <= TODAY) at(removed, { kind: 'XOA_THUONG_TRU', reason: 'Người đăng ký thường trú đã chết' });
  }
  return facts.sort((a, b) => a.day - b.day).map((f) => f.fact);
}

const CAN_CUOC_START = dayOf(2021, 1, 1);
const MINISTRY_ISSUES_FROM = dayOf(2024, 7, 1);

/** A căn cước card is valid until the day before the next 25th/40th/60th birthday at least 2 years away; for life from 58. */
function expiryOf(birth: Day, issued: Day): Day | undefined {
  const age = ageOn(birth, issued);
  for (const milestone of [25, 40, 60]) if (age < milestone - 2) return addYears(birth, milestone) - 1;
  return undefined;
}

function authorityOn(day: Day): string {
  return day >= MINISTRY_ISSUES_FROM ? 'Bộ Công an' : 'Cục Cảnh sát quản lý hành chính về trật tự xã hội';
}

export function cardFacts(random: Random, person: Person): CardFact[] {
  const limit = lastDay(person);
  let issued = Math.max(addYears(person.birth, 14) + random.int(0, 400), CAN_CUOC_START + random.int(0, 600));
  if (issued >= limit) return [];
  const facts: CardFact[] = [];
  let kind: 'CAP_MOI' | 'CAP_DOI' | 'CAP_LAI' = 'CAP_MOI';
  let renewal: 'DU_TUOI' | 'THAY_DOI_THONG_TIN' | undefined;
  let lostOn = random.chance(0.04) ? issued + random.int(30, 1500) : undefined;
  let nameChangeCard = person.nameChange && person.nameChange.on > issued ? person.nameChange.on + random.int(10, 60) : undefined;
  for (;;) {
    const expires = expiryOf(person.birth, issued);
    facts.push({
      kind,
      on: dayToIso(issued),
      fullName: nameOn(person, issued),
      authority: authorityOn(issued),
      ...(expires !== undefined && { expiresOn: dayToIso(expires) }),
      ...(renewal && { renewal }),
    });
    const due = expires === undefined ? Infinity : expires - random.int(0, 25);
    const next = Math.min(due, lostOn ?? Infinity, nameChangeCard ?? Infinity);
    if (next >= limit || next <= issued) break;
    if (next === lostOn) {
      facts.push({ kind: 'BAO_MAT', on: dayToIso(lostOn) });
      issued = lostOn + random.int(7, 30);
      lostOn = undefined;
      kind = 'CAP_LAI';
      renewal = undefined;
    } else if (next === nameChangeCard) {
      issued = nameChangeCard;
      nameChangeCard = undefined;
      kind = 'CAP_DOI';
      renewal = 'THAY_DOI_THONG_TIN';
    } else {
      issued = due;
      kind = 'CAP_DOI';
      renewal = 'DU_TUOI';
    }
    if (issued >= limit) break;
  }
  return facts;
}

/** Beneficiary group of the insurance card by age (trẻ em, học sinh, sinh viên, doanh nghiệp, hộ gia đình, hưu trí). */
function insuranceGroup(random: Random, age: number): [string, number] {
  if (age < 6) return ['TE', 1];
  if (age < 18) return ['HS', 4];
  if (age < 23) return random.chance(0.5) ? ['SV', 4] : ['GD', 4];
  if (age < 60) return random.chance(0.6) ? ['DN', 4] : ['GD', 4];
  return random.chance(0.6) ? ['HT', 2] : ['GD', 4];
}

const BLOOD_TYPES: readonly (readonly [BloodType, number])[] = [
  ['O+', 41.7],
  ['B+', 30.6],
  ['A+', 21.2],
  ['AB+', 6.2],
  ['O-', 0.1],
  ['B-', 0.08],
  ['A-', 0.07],
  ['AB-', 0.02],
];

export function healthFacts(
  random: Random,
  person: Person,
): { insurance: InsuranceFact[]; bloodType?: { type: BloodType; on: string; facility: HealthFacility } } {
  const limit = lastDay(person);
  const facility = facilityIn(random, person.home ? person.province : pickProvince(random));
  const socialInsuranceNumber = String(random.int(0, 9_999_999_999)).padStart(10, '0');
  const insurance: InsuranceFact[] = [];
  if (random.chance(0.9)) {
    for (let year = Math.max(2023, yearOf(person.birth)); year <= yearOf(TODAY); year++) {
      const validFrom = Math.max(dayOf(year, 1, 1), person.birth);
      if (validFrom >= limit) break;
      const [group, level] = insuranceGroup(random, ageOn(person.birth, validFrom));
      insurance.push({
        number: `${group}${level}${person.province.slice(1)}${socialInsuranceNumber}`,
        validFrom: dayToIso(validFrom),
        validTo: dayToIso(dayOf(year, 12, 31)),
        facility,
      });
    }
  }
  if (!random.chance(0.4)) return { insurance };
  const tested = random.int(person.birth + 1, Math.max(person.birth + 1, limit - 1));
  return {
    insurance,
    bloodType: { type: random.weighted(BLOOD_TYPES), on: dayToIso(tested), facility: facilityIn(random, person.province) },
  };
}
