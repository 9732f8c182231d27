import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CITIZEN_FIELDS } from '../citizen/fields.ts';
import { checkConnectionRequest } from './connection-request.ts';

const example = () =>
  JSON.parse(readFileSync(new URL('../../deploy/examples/connection-request.json', import.meta.url), 'utf8')) as Record<string, any>;

function problemsOf(change: (request: Record<string, any>) => void): string[] {
  const request = example();
  change(request);
  const checked = checkConnectionRequest(request);
  return checked.ok ? [] : checked.problems;
}

describe('connection request (R33)', () => {
  it('R33: the example request states everything and is accepted', () => {
    const checked = checkConnectionRequest(example());
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.value.validity.from).toEqual(new Date('2026-02-28T17:00:00Z'));
  });

  it('R18: a request names a channel from the list', () => {
    expect(problemsOf((r) => delete r.channel)).toEqual(['channel must be a non-empty string']);
    expect(problemsOf((r) => (r.channel = 'fax'))).toEqual([
      expect.stringContaining('channel "fax" is not one of population-db-connection, public-service-portal'),
    ]);
  });

  it('R15: a request accepts the current onward-sharing term by its id, or is refused naming R15', () => {
    expect(problemsOf((r) => delete r.acceptsOnwardSharingTerm)).toEqual([
      expect.stringMatching(
        /^acceptsOnwardSharingTerm must be "onward-sharing\/2021-1", the onward-sharing term every agreement carries \(R15: .*the request does not accept it$/,
      ),
    ]);
    expect(problemsOf((r) => (r.acceptsOnwardSharingTerm = 'onward-sharing/2019-1'))).toEqual([
      expect.stringContaining('the request accepts "onward-sharing/2019-1"'),
    ]);
  });

  it('R33: a grant of a field that is not a citizen field is refused by name', () => {
    expect(problemsOf((r) => r.grants.push({ field: 'salary', modes: ['disclose'] }))).toEqual([
      expect.stringContaining('grants[5].field "salary" is not a citizen field'),
    ]);
  });

  it('R33: a purpose outside the catalogue is refused', () => {
    expect(problemsOf((r) => (r.purposes = ['MARKETING']))).toEqual(['purposes[0] "MARKETING" is not in the purpose catalogue']);
  });

  it('R33: a service outside the catalogue is refused', () => {
    expect(problemsOf((r) => r.services.push('Export'))).toEqual([
      expect.stringContaining('services[3] "Export" is not in the service catalogue'),
    ]);
  });

  it('R33: a request must ask for at least one field', () => {
    expect(problemsOf((r) => (r.grants = []))).toContain(
      `grants must list at least one grant { field, modes } (one of ${CITIZEN_FIELDS.length} citizen fields)`,
    );
  });

  it('R33: Verify needs a field granted for matching, Lookup one granted for disclosure', () => {
    expect(problemsOf((r) => (r.grants = [{ field: 'fullName', modes: ['disclose'] }]))).toEqual([
      'service Verify needs at least one grant with mode match',
    ]);
    expect(problemsOf((r) => (r.grants = [{ field: 'fullName', modes: ['match'] }]))).toEqual([
      'service Lookup needs at least one grant with mode disclose',
    ]);
  });

  it('R33: the same field twice, or an unknown mode, is refused', () => {
    expect(problemsOf((r) => r.grants.push({ field: 'fullName', modes: ['disclose'] }))).toEqual(['grants names fullName twice']);
    expect(problemsOf((r) => (r.grants[0].modes = ['copy']))).toContain('grants[0].modes[0] must be disclose or match, not "copy"');
  });

  it('R17/R33: the locality must exist and be precise enough for the competent authority', () => {
    expect(problemsOf((r) => (r.organisation.locality = { province: '99' }))).toEqual([
      expect.stringContaining('organisation.locality.province'),
    ]);
    const individual = problemsOf((r) => {
      r.organisation.category = 'INDIVIDUAL';
      r.organisation.locality = { province: '01', district: '001' };
    });
    expect(individual).toEqual(['organisation.locality: a INDIVIDUAL is permitted by the commune-police, so its locality needs commune']);
  });

  it('R33: the system version, the officer in charge and the technical documents are required', () => {
    const problems = problemsOf((r) => {
      delete r.system.version;
      r.officerInCharge.contact = '';
      r.technicalDocuments = [{ title: 'x', uri: 'not a uri' }];
      r.validity.until = r.validity.from;
      r.quota.dailyLimit = 0;
      r.extra = true;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'request.extra is not part of a connection request',
        'system.version must be a non-empty string',
        'officerInCharge.contact must be a non-empty string',
        'technicalDocuments[0].uri "not a uri" is not an absolute URI',
        'validity.until must come after validity.from',
        'quota.dailyLimit must be a positive whole number, not 0',
      ]),
    );
    expect(problems).toHaveLength(6);
  });
});
