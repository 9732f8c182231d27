// The citizen's identity, as the e-identification platform vouches for it (R8, R12, R21): a
// signed JWT the platform issues when the citizen logs in (and, with a `consent` claim, when
// they confirm a consent in VNeID). The hub trusts no portal's word for who the citizen is: it
// verifies the signature with `jose` against the platform's published keys (a JWKS, by URL or
// file), the issuer, the audience (this hub), the expiry and the age, and that the subject is the
// personal id asked about.
//
// Claims: `iss`, `aud`, `sub` (the 12-digit personal id), `iat`, `exp`, `jti`, and optionally
// `consent: { agreement, decision: "granted" | "revoked", channel }`.

import { readFile, stat } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { DancuError } from '../../errors/dancu-error.ts';
import { CONSENT_CHANNELS, type ConsentChannel, isConsentChannel } from '../registry/consent.ts';

export interface EidSettings {
  /** The platform's published keys: an https URL, or a JSON Web Key Set file. */
  jwks: string;
  /** The platform's issuer name (`iss`). */
  issuer: string;
  /** This hub's name at the platform (`aud`). */
  audience: string;
}

/** The issuer and audience of the local test issuer (`dancu eid`), the defaults of a local hub. */
export const LOCAL_EID_ISSUER = 'dancu-local-eid';
export const DEFAULT_EID_AUDIENCE = 'dancu-hub';
/** An assertion older than this is refused even if it has not expired: a login is fresh or nothing. */
export const MAX_ASSERTION_AGE = '10m';
const CLOCK_TOLERANCE_SECONDS = 30;
/** Asymmetric signatures only: a shared-secret (HS*) or unsigned token is never the platform's. */
const ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

export interface ConsentConfirmation {
  agreement: string;
  decision: 'granted' | 'revoked';
  channel: ConsentChannel;
}

export interface EidAssertion {
  personalId: string;
  issuer: string;
  /** `jti` */
  id: string;
  issuedAt: Date;
  expiresAt: Date;
  consent?: ConsentConfirmation;
}

export class EidAssertionError extends DancuError<'EID_ASSERTION_INVALID' | 'EID_UNAVAILABLE'> {
  override readonly name = 'EidAssertionError';
  constructor(
    readonly code: 'EID_ASSERTION_INVALID' | 'EID_UNAVAILABLE',
    message: string,
  ) {
    super(message);
  }

  /** The platform's keys may be readable later; an invalid assertion stays invalid. */
  get retryable(): boolean {
    return this.code === 'EID_UNAVAILABLE';
  }
}

/** Reads the platform's settings: DANCU_EID_JWKS (default `<home>/eid/jwks.json`, the local test issuer's), DANCU_EID_ISSUER, DANCU_EID_AUDIENCE. */
export function eidSettingsFromEnv(localJwksFile: string, env: NodeJS.ProcessEnv = process.env): EidSettings {
  const jwks = env.DANCU_EID_JWKS || localJwksFile;
  if (/^[a-z]+:\/\//i.test(jwks) && !/^https?:\/\//i.test(jwks))
    throw new Error(`DANCU_EID_JWKS must be an http(s) URL or a file, not ${JSON.stringify(jwks)}`);
  return { jwks, issuer: env.DANCU_EID_ISSUER || LOCAL_EID_ISSUER, audience: env.DANCU_EID_AUDIENCE || DEFAULT_EID_AUDIENCE };
}

export class EidVerifier {
  private fileKeys: { mtimeMs: number; keys: JWTVerifyGetKey } | undefined;
  private readonly remoteKeys: JWTVerifyGetKey | undefined;

  constructor(private readonly settings: EidSettings) {
    this.remoteKeys = /^https?:\/\//i.test(settings.jwks) ? createRemoteJWKSet(new URL(settings.jwks)) : undefined;
  }

  /** The verified assertion, bound to `personalId`; EidAssertionError saying why not. */
  async verify(token: string, personalId: string): Promise<EidAssertion> {
    if (typeof token !== 'string' || token === '')
      throw new EidAssertionError(
        'EID_ASSERTION_INVALID',
        "no e-identification assertion: the portal must pass the signed assertion of the citizen's login",
      );
    if (token.length > 8192) throw new EidAssertionError('EID_ASSERTION_INVALID', 'the e-identification assertion is over 8 KiB');
    const keys = await this.keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        maxTokenAge: MAX_ASSERTION_AGE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError)
        throw new EidAssertionError('EID_ASSERTION_INVALID', `the e-identification assertion is not valid: ${error.code} ${error.message}`);
      throw new EidAssertionError(
        'EID_UNAVAILABLE',
        `the e-identification platform's keys could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (payload.sub !== personalId)
      throw new EidAssertionError(
        'EID_ASSERTION_INVALID',
        'the e-identification assertion is for another citizen than the personal id asked about',
      );
    const consent = consentOf(payload.consent);
    return {
      personalId,
      issuer: payload.iss!,
      id: String(payload.jti),
      issuedAt: new Date(payload.iat! * 1000),
      expiresAt: new Date(payload.exp! * 1000),
      ...(consent ? { consent } : {}),
    };
  }

  private async keys(): Promise<JWTVerifyGetKey> {
    if (this.remoteKeys) return this.remoteKeys;
    // A file is read again when it changes, so keys rotate without a restart.
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.settings.jwks)).mtimeMs;
    } catch {
      throw new EidAssertionError(
        'EID_UNAVAILABLE',
        `no e-identification platform keys at ${this.settings.jwks}: set DANCU_EID_JWKS (or create the local test issuer with \`dancu eid issuer\`)`,
      );
    }
    if (this.fileKeys?.mtimeMs !== mtimeMs) {
      let set: JSONWebKeySet;
      try {
        set = JSON.parse(await readFile(this.settings.jwks, 'utf8')) as JSONWebKeySet;
        this.fileKeys = { mtimeMs, keys: createLocalJWKSet(set) };
      } catch (error) {
        throw new EidAssertionError(
          'EID_UNAVAILABLE',
          `${this.settings.jwks} is not a JSON Web Key Set: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return this.fileKeys.keys;
  }
}

function consentOf(claim: unknown): ConsentConfirmation | undefined {
  if (claim === undefined) return undefined;
  const { agreement, decision, channel } = (claim ?? {}) as Record<string, unknown>;
  if (
    typeof agreement !== 'string' ||
    (decision !== 'granted' && decision !== 'revoked') ||
    typeof channel !== 'string' ||
    !isConsentChannel(channel)
  ) {
    throw new EidAssertionError(
      'EID_ASSERTION_INVALID',
      `the assertion's consent claim must be { agreement, decision: granted | revoked, channel: ${CONSENT_CHANNELS.join(' | ')} }`,
    );
  }
  return { agreement, decision, channel };
}
