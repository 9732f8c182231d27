import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEidIssuer } from '../../deploy/local/eid-issuer.ts';
import { DEFAULT_EID_AUDIENCE, EidAssertionError, EidVerifier, LOCAL_EID_ISSUER } from './eid-assertion.ts';

const citizen = '001090012345';

describe('the e-identification platform’s assertions', () => {
  let dir: string;
  let issuer: LocalEidIssuer;
  let verifier: EidVerifier;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dancu-eid-'));
    issuer = await LocalEidIssuer.open(dir);
    verifier = new EidVerifier({ jwks: issuer.files.jwks, issuer: LOCAL_EID_ISSUER, audience: DEFAULT_EID_AUDIENCE });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const claims = () => ({ consent: undefined }) as Record<string, unknown>;
  const refusedAs = async (token: string) =>
    verifier.verify(token, citizen).then(
      () => 'accepted',
      (error: unknown) => (error instanceof EidAssertionError ? error.code : String(error)),
    );

  it('R8, R12: an unsigned token, one signed with a shared secret, or one naming no id is refused; the platform’s signed assertion is accepted with its consent claim', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = new UnsecuredJWT(claims())
      .setIssuer(LOCAL_EID_ISSUER)
      .setAudience(DEFAULT_EID_AUDIENCE)
      .setSubject(citizen)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti('u-1')
      .encode();
    const hmac = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(LOCAL_EID_ISSUER)
      .setAudience(DEFAULT_EID_AUDIENCE)
      .setSubject(citizen)
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .setJti('h-1')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await refusedAs(unsigned)).toBe('EID_ASSERTION_INVALID');
    expect(await refusedAs(hmac)).toBe('EID_ASSERTION_INVALID');
    expect(await refusedAs(await issuer.sign({ personalId: '001090054321' }))).toBe('EID_ASSERTION_INVALID');
    expect(
      await refusedAs(
        await issuer.sign({ personalId: citizen, consent: { agreement: 'cr-1', decision: 'maybe', channel: 'VNeID' } as never }),
      ),
    ).toBe('EID_ASSERTION_INVALID');

    const consent = { agreement: 'cr-1', decision: 'granted', channel: 'VNeID' } as const;
    expect(await verifier.verify(await issuer.sign({ personalId: citizen, consent }), citizen)).toMatchObject({
      personalId: citizen,
      issuer: LOCAL_EID_ISSUER,
      consent,
    });
  });

  it('R8: without the platform’s keys, citizens cannot be authenticated: EID_UNAVAILABLE, not a pass', async () => {
    const nowhere = new EidVerifier({ jwks: join(dir, 'missing.json'), issuer: LOCAL_EID_ISSUER, audience: DEFAULT_EID_AUDIENCE });
    expect(await nowhere.verify(await issuer.sign({ personalId: citizen }), citizen).catch((error: EidAssertionError) => error.code)).toBe(
      'EID_UNAVAILABLE',
    );
  });
});
