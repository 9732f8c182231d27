// A seeded, self-consistent population: who the citizens are, who married whom, who are whose
// parents, and every fact the four sectoral registers will hold about them (see life-course.ts).
// The same options always give the same population; nothing here reads the clock.
import { makePersonalId } from '../../schemas/personal-id.ts';
import type { Address, BloodType, HealthFacility, Sex } from '../../schemas/types.ts';
import { addYears, dayOf, dayToIso, yearOf } from './calendar.ts';
import { cardFacts, foundHouseholds, HouseholdNumbers, healthFacts, residenceFacts } from './life-course.ts';
import { type CardFact, type InsuranceFact, lastDay, nameOn, type Person, type ResidenceFact, SIMULATION_TODAY, TODAY } from './person.ts';
import { addressIn, birthPlaceIn, pickProvince, provinceTitle } from './places.ts';
import { Random } from './random.ts';
import { pickEthnicity, pickGivenNames, pickSurname } from './vietnamese-names.ts';

export interface PopulationOptions {
  seed: number | string;
  citizens: number;
  /** Earliest birth year (default 1940). */
  startYear?: number;
}

export interface SimulatedCitizen {
  personalId: string;
  sex: Sex;
  dateOfBirth: string;
  /** Name given at birth registration. */
  fullName: string;
  ethnicity: string;
  birthProvince: string;
  placeOfBirth: Address;
  fatherId?: string;
  motherId?: string;
  nameChange?: { on: string; newFullName: string; reason: string };
  marriage?: {
    spouseId: string;
    /** The spouse's name on the marriage day. */
    spouseName: string;
    on: string;
    office: { province: string; ward: string };
    divorce?: { decidedOn: string; number: string; court: string };
  };
  death?: { on: string; place: Address };
  residence: ResidenceFact[];
  cards: CardFact[];
  insurance: InsuranceFact[];
  bloodType?: { type: BloodType; on: string; facility: HealthFacility };
}

export interface Population {
  today: string;
  citizens: SimulatedCitizen[];
  byId: ReadonlyMap<string, SimulatedCitizen>;
}

const NAME_CHANGE_REASONS = [
  'Theo nguyện vọng cá nhân, tên cũ gây nhầm lẫn',
  'Thay đổi theo yêu cầu của cha, mẹ',
  'Xác định lại họ theo họ của cha',
  'Tên cũ ảnh hưởng đến tình cảm gia đình, danh dự',
] as const;

export function simulatePopulation(options: PopulationOptions): Population {
  const random = new Random(`population:${options.seed}`);
  const startYear = options.startYear ?? 1940;
  const people = drawPeople(random.fork('people'), options.citizens, startYear);
  marry(random.fork('marriages'), people);
  assignParents(random.fork('parents'), people);
  identify(random.fork('identity'), people);

  const households = new HouseholdNumbers();
  foundHouseholds(random.fork('households'), people, households);
  const life = random.fork('life');
  const citizens = people.map((person) => toCitizen(person, life, households));
  return { today: SIMULATION_TODAY, citizens, byId: new Map(citizens.map((c) => [c.personalId, c])) };
}

function drawPeople(random: Random, count: number, startYear: number): Person[] {
  const first = dayOf(startYear, 1, 1);
  const last = TODAY - 30;
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const birth = random.int(first, last);
    const person: Person = {
      index: 0,
      sex: random.chance(0.5) ? 'male' : 'female',
      birth,
      province: '',
      ethnicity: '',
      surname: '',
      name: '',
      id: '',
    };
    const ageToday = (TODAY - birth) / 365.25;
    const dies = random.chance(ageToday >= 70 ? 0.35 : ageToday >= 50 ? 0.08 : 0.01);
    if (dies) person.death = random.int(Math.max(birth + 365, TODAY - 20 * 365), TODAY - 20);
    people.push(person);
  }
  people.sort((a, b) => a.birth - b.birth);
  for (const [index, person] of people.entries()) person.index = index;
  return people;
}

function marry(random: Random, people: Person[]): void {
  const womenByYear = new Map<number, Person[]>();
  for (const p of people) {
    if (p.sex !== 'female') continue;
    const year = yearOf(p.birth);
    (womenByYear.get(year) ?? womenByYear.set(year, []).get(year))?.push(p);
  }
  for (const man of people) {
    if (man.sex !== 'male' || TODAY - man.birth < 22 * 365 || !random.chance(0.72)) continue;
    const year = yearOf(man.birth);
    for (let attempt = 0; attempt < 6; attempt++) {
      const bucket = womenByYear.get(year + random.int(-2, 8));
      if (!bucket || bucket.length === 0) continue;
      const woman = random.pick(bucket);
      if (woman.spouse) continue;
      // Legal marriage age: 20 for men, 18 for women.
      const earliest = Math.max(addYears(man.birth, 20), addYears(woman.birth, 18));
      const latest = Math.min(lastDay(man), lastDay(woman)) - 30;
      if (earliest >= latest) continue;
      const on = earliest + random.int(0, Math.min(latest - earliest, 12 * 365));
      man.spouse = woman;
      woman.spouse = man;
      man.marriedOn = woman.marriedOn = on;
      if (random.chance(0.12)) {
        const divorce = on + random.int(365, 15 * 365);
        if (divorce < latest) man.divorcedOn = woman.divorcedOn = divorce;
      }
      break;
    }
  }
}

function assignParents(random: Random, people: Person[]): void {
  const mothersByYear = new Map<number, Person[]>();
  for (const p of people) {
    if (p.sex !== 'female' || !p.spouse) continue;
    const year = yearOf(p.birth);
    (mothersByYear.get(year) ?? mothersByYear.set(year, []).get(year))?.push(p);
  }
  for (const child of people) {
    if (!random.chance(0.8)) continue;
    const year = yearOf(child.birth);
    for (let attempt = 0; attempt < 8; attempt++) {
      const bucket = mothersByYear.get(year - random.int(19, 40));
      if (!bucket || bucket.length === 0) continue;
      const mother = random.pick(bucket);
      const father = mother.spouse;
      if (!father || mother.marriedOn === undefined) continue;
      // Born within the marriage, to living parents.
      if (mother.marriedOn + 300 > child.birth) continue;
      if (mother.divorcedOn !== undefined && mother.divorcedOn < child.birth) continue;
      if ((mother.death ?? Infinity) <= child.birth || (father.death ?? Infinity) <= child.birth - 280) continue;
      child.father = father;
      child.mother = mother;
      break;
    }
  }
}

/** Province, ethnicity, name and personal id, in birth order so parents come before children. */
function identify(random: Random, people: Person[]): void {
  const used = new Set<string>();
  for (const person of people) {
    const father = person.father;
    person.province = father ? father.province : pickProvince(random);
    person.ethnicity = father ? father.ethnicity : pickEthnicity(random, person.province);
    person.surname = father ? father.surname : pickSurname(random, person.ethnicity);
    person.name = `${person.surname} ${pickGivenNames(random, person.sex)}`;
    let id: string;
    do id = makePersonalId(person.province, person.sex, yearOf(person.birth), random.int(0, 999_999));
    while (used.has(id));
    used.add(id);
    person.id = id;
    if (random.chance(0.01)) {
      const from = person.birth + 365;
      const to = lastDay(person) - 60;
      if (from < to) {
        person.nameChange = {
          on: random.int(from, to),
          name: `${person.surname} ${pickGivenNames(random, person.sex)}`,
          reason: random.pick(NAME_CHANGE_REASONS),
        };
      }
    }
  }
}

function toCitizen(person: Person, random: Random, households: HouseholdNumbers): SimulatedCitizen {
  const citizen: SimulatedCitizen = {
    personalId: person.id,
    sex: person.sex,
    dateOfBirth: dayToIso(person.birth),
    fullName: person.name,
    ethnicity: person.ethnicity,
    birthProvince: person.province,
    placeOfBirth: birthPlaceIn(random, person.province),
    residence: residenceFacts(random, person, households),
    cards: cardFacts(random, person),
    insurance: [],
    ...(person.father && { fatherId: person.father.id }),
    ...(person.mother && { motherId: person.mother.id }),
  };
  const health = healthFacts(random, person);
  citizen.insurance = health.insurance;
  if (health.bloodType) citizen.bloodType = health.bloodType;
  if (person.nameChange) {
    citizen.nameChange = { on: dayToIso(person.nameChange.on), newFullName: person.nameChange.name, reason: person.nameChange.reason };
  }
  const spouse = person.spouse;
  if (spouse && person.marriedOn !== undefined) {
    // Both spouses' records name the same office: registered where the wife lived (seeded by her id).
    const office = new Random(`office:${person.sex === 'female' ? person.id : spouse.id}`);
    const wife = person.sex === 'female' ? person : spouse;
    const officeAddress = addressIn(office, wife.province);
    citizen.marriage = {
      spouseId: spouse.id,
      spouseName: nameOn(spouse, person.marriedOn),
      on: dayToIso(person.marriedOn),
      office: { province: officeAddress.province, ward: officeAddress.ward },
    };
    if (person.divorcedOn !== undefined) {
      citizen.marriage.divorce = {
        decidedOn: dayToIso(person.divorcedOn),
        number: `${office.int(1, 480)}/${yearOf(person.divorcedOn)}/QĐST-HNGĐ`,
        court: `Tòa án nhân dân ${provinceTitle(wife.province)}`,
      };
    }
  }
  if (person.death !== undefined) {
    citizen.death = { on: dayToIso(person.death), place: person.home?.address ?? addressIn(random, person.province) };
  }
  return citizen;
}
