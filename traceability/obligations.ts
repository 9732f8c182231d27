// The legal obligations the hub follows, by id (the digest ../shared/REQUIREMENTS.md gives them;
// the legal texts are the seeds beside it). R38 does not exist; R24 is the yearly catalogue
// update the digest names under R16. Tests name the ones they prove in their title ("R11: …").
export interface Obligation {
  id: string;
  summary: string;
}

export const OBLIGATIONS: readonly Obligation[] = Object.freeze([
  { id: 'R1', summary: 'one authoritative population store, managed centrally' },
  { id: 'R2', summary: 'information security and personal-data protection' },
  { id: 'R3', summary: 'connects and shares with national and sectoral DBs, portals, procedure systems' },
  { id: 'R4', summary: 'the lawful right to exploit information is guaranteed' },
  { id: 'R5', summary: "every change to a citizen's information is kept in full" },
  { id: 'R6', summary: 'exploitation channels: direct connection, portals, written request, VNeID, e-ID platform' },
  { id: 'R7', summary: 'state bodies exploit only within their functions (purpose limitation)' },
  { id: 'R8', summary: 'individuals exploit their own information' },
  { id: 'R9', summary: 'state bodies exploit through the DB connection or the portals' },
  { id: 'R10', summary: 'other organisations and individuals exploit through the portals' },
  { id: 'R11', summary: 'a decision within 3 working days; a refusal in writing with the reason' },
  { id: 'R12', summary: "non-state requesters exploit only with the citizen's confirmed consent" },
  { id: 'R13', summary: 'the agency provides the service and confirms it served the right purpose' },
  { id: 'R14', summary: 'a request that breaks the rules may be refused' },
  { id: 'R15', summary: 'no copying or passing data to a third party without permission' },
  { id: 'R16', summary: 'a published catalogue of exploitation services' },
  { id: 'R17', summary: 'the authority to permit depends on the requester' },
  { id: 'R18', summary: "the channels allowed depend on the requester's category" },
  { id: 'R19', summary: 'the written-request procedure' },
  { id: 'R20', summary: 'the SMS procedure' },
  { id: 'R21', summary: 'the portal procedure' },
  { id: 'R22', summary: 'a consumer reads only for its registered business, keeps its account secure, never leaks' },
  { id: 'R23', summary: 'fees: state-budget uses free, everyone else pays (metered usage)' },
  { id: 'R24', summary: 'the service catalogue is updated every year' },
  { id: 'R25', summary: 'principles: personal-data protection, no intrusion, each party answers for its side' },
  { id: 'R26', summary: 'sectoral DBs share into the population DB: consistent, complete, accurate, timely' },
  { id: 'R27', summary: 'the population-DB agency is the single focal point for sector information' },
  { id: 'R28', summary: 'connections go through the integration platform, over APIs' },
  { id: 'R29', summary: 'a connecting system meets security level 3 or higher' },
  { id: 'R30', summary: 'a security assessment before connecting and after a design change' },
  { id: 'R31', summary: 'written confirmation of the assessment before connecting (e-ID platform exempt)' },
  { id: 'R32', summary: 'ad-hoc assessments, and a periodic one every year' },
  { id: 'R33', summary: 'what a connection request states' },
  { id: 'R34', summary: 'the agency gives technical documents, supports connection and test runs' },
  { id: 'R35', summary: 'both sides journal connection, sharing and exploitation, kept 2 years' },
  { id: 'R36', summary: 'a channel for incidents and support requests' },
  { id: 'R37', summary: 'exploit within the agreed scope; report errors found in shared data' },
  { id: 'R39', summary: 'citizen self-service: lookup on screen or a Form 01 notice' },
  { id: 'R40', summary: 'every DB holding citizen information connects to the population DB, securely' },
  { id: 'R41', summary: 'the population DB shares out to national and sectoral DBs and portals' },
  { id: 'R42', summary: 'connections are assessed for security vulnerabilities' },
]);

const KNOWN = new Set(OBLIGATIONS.map((obligation) => obligation.id));

export function isObligation(id: string): boolean {
  return KNOWN.has(id);
}
