// R17 beyond decisions: what each act of the agency asks of the officer who does it. Every
// Registry and Operations call, and every CLI command acting as an officer, names its act here;
// the registry (or the operator call) checks the acting officer against this one table.
//
//   any-officer          every registered officer (reading the catalogue, connector health, …)
//   agency-head          the head of the population-DB agency, nationwide: officers, assessments
//                        and e-ID confirmations (R31, R34: the agency organises them), certificates
//   area                 an officer whose area covers the requester's locality (the agency head
//                        covers the country): filing its request, its consents, its usage
//   competent-authority  exactly the authority R17 names for the requester, by level and locality:
//                        approving, refusing, suspending, reinstating, revoking its agreement
//
// The holder of the CA's private key (`dancu pki`) is the one identity that is not an officer: it
// records the certificates it issues, may revoke certificates, and registers the first officer
// (an agency head) of an empty registry — the bootstrap; nothing else.
import { mayDecide, type Officer } from './competent-authority.ts';
import type { Locality, RequesterCategory } from './requester-category.ts';

export type Competence = 'any-officer' | 'agency-head' | 'area' | 'competent-authority';

export const ACT_COMPETENCE = {
  'add-officer': 'agency-head',
  'list-officers': 'any-officer',
  'submit-request': 'area',
  'list-requests': 'any-officer', // each sees the requests of requesters in their area
  'review-request': 'competent-authority',
  'suspend-agreement': 'competent-authority',
  'reinstate-agreement': 'competent-authority',
  'revoke-agreement': 'competent-authority',
  'record-assessment': 'agency-head',
  'confirm-eid': 'agency-head',
  'register-source-system': 'agency-head', // R40: the agency admits a sectoral register as a source, then assesses it
  'record-consent': 'area',
  'show-consent': 'area',
  'revoke-consent': 'area',
  'usage-report': 'area',
  'service-catalogue': 'any-officer',
  // R16, R24: the catalogue is the agency's own publication; its head reviews it every year.
  'review-catalogue': 'agency-head',
  // R34 with R17: letting a request's system run tests is a first step of deciding that request,
  // so the authority competent to decide it is the one that allows it.
  'approve-testing': 'competent-authority',
  'record-certificate': 'agency-head',
  'revoke-certificate': 'agency-head',
  'list-connectors': 'any-officer',
  'citizen-show': 'any-officer',
  'dlq-show': 'any-officer',
  'dlq-replay': 'any-officer',
  'retire-connector': 'any-officer',
  'remove-expired': 'agency-head',
  // Written requests (R19): any officer registers one; WrittenRequests itself checks that the one
  // who chooses, delivers or refuses is the request's competent authority (R17).
  'register-written-request': 'any-officer',
  'decide-written-request': 'any-officer',
  'list-written-requests': 'any-officer',
  // R36: the agency's support desk serves every connected organisation; any officer on it reads,
  // answers and closes tickets (they hold no citizen data, and R36 names no authority).
  'read-tickets': 'any-officer',
  'answer-ticket': 'any-officer',
  'close-ticket': 'any-officer',
} as const satisfies Record<string, Competence>;

export type OfficerAct = keyof typeof ACT_COMPETENCE;

/** Acts the CA key holder may do without being an officer (`add-officer` only into an empty registry). */
const CA_KEY_HOLDER_ACTS: ReadonlySet<OfficerAct> = new Set(['record-certificate', 'revoke-certificate', 'add-officer']);

/** The holder of the CA's private key, acting through `dancu pki` (never over gRPC). */
export class CaKeyHolder {
  constructor(readonly user: string) {}
  get name(): string {
    return `ca-key-holder:${this.user}`;
  }
}

/** Who acts: an officer id the edge authenticated (an operator certificate), or the CA key holder. */
export type Actor = string | CaKeyHolder;

export function actorName(actor: Actor): string {
  return typeof actor === 'string' ? actor : actor.name;
}

/** Whether the act's competence depends on the requester the act is about. */
export function needsRequester(act: OfficerAct): boolean {
  const competence: Competence = ACT_COMPETENCE[act];
  return competence === 'area' || competence === 'competent-authority';
}

export function mayActAsCaKeyHolder(act: OfficerAct): boolean {
  return CA_KEY_HOLDER_ACTS.has(act);
}

/** Whether the officer's area covers a locality: same province, district, commune as far as the officer's go. */
export function covers(officer: Officer, locality: Locality): boolean {
  if (officer.level === 'agency-head') return true;
  const area = officer.locality;
  if (area === undefined) return false;
  return (['province', 'district', 'commune'] as const).every((part) => area[part] === undefined || area[part] === locality[part]);
}

/**
 * Why this officer may not do this act (about this requester, for acts that need one), or null if
 * they may. A requester-dependent act asked without a requester is refused: better closed than open.
 */
export function competenceProblem(
  act: OfficerAct,
  officer: Officer,
  requester?: { category: RequesterCategory; locality: Locality },
): string | null {
  const competence: Competence = ACT_COMPETENCE[act];
  const who = `officer ${officer._id} (${officer.level}${officer.locality ? ` ${Object.values(officer.locality).join('/')}` : ''})`;
  switch (competence) {
    case 'any-officer':
      return null;
    case 'agency-head':
      return officer.level === 'agency-head' ? null : `${who} may not ${act}: only the population-DB agency head may (R17)`;
    case 'area':
      if (requester === undefined) return `${who} may not ${act} without naming the requester it is about`;
      return covers(officer, requester.locality)
        ? null
        : `${who} may not ${act} for a requester in ${Object.values(requester.locality).join('/')}: outside their area (R17)`;
    case 'competent-authority':
      if (requester === undefined) return `${who} may not ${act} without naming the requester it is about`;
      return mayDecide(officer, requester)
        ? null
        : `${who} may not ${act} for a ${requester.category} in ${JSON.stringify(requester.locality)}: not its competent authority (R17)`;
  }
}
