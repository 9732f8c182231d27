// A local stand-in for the e-identification platform, for the tests, the demo and a developer's
// machine: an ES256 key pair in `<DANCU_HOME>/eid/`, its public half published as a JSON Web Key
// Set (`jwks.json`, which a local hub reads by default), and assertions signed with it — what
// the real platform issues when a citizen logs in or confirms a consent in VNeID. Never point a
// production hub at it: whoever holds `issuer.key.json` can speak for every citizen.
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { type ConsentConfirmation, DEFAULT_EID_AUDIENCE, LOCAL_EID_ISSUER } from '../../hub/eid/eid-assertion.ts';

export interface LocalEidFiles {
  dir: string;
  /** The private signing key (JWK), owner-only. */
  key: string;
  /** The published keys: what the hub verifies against (DANCU_EID_JWKS). */
  jwks: string;
}

export function localEidFiles(dir: string): LocalEidFiles {
  return { dir, key: join(dir, 'issuer.key.json'), jwks: join(dir, 'jwks.json') };
}

export interface AssertionClaims {
  personalId: string;
  consent?: ConsentConfirmation;
  /** Default `dancu-hub`. */
  audience?: string;
  /** Default `dancu-local-eid`. */
  issuer?: string;
  /** Seconds the assertion is valid (default 300). */
  lifetimeSeconds?: number;
  /** When it is signed (default now); tests sign in the past. */
  issuedAt?: Date;
}

export class LocalEidIssuer {
  private constructor(
    readonly files: LocalEidFiles,
    private readonly privateKey: CryptoKey | Uint8Array,
    private readonly keyId: string,
  ) {}

  /** Opens the issuer in `dir`, creating its key pair and JWKS the first time. */
  static async open(dir: string): Promise<LocalEidIssuer> {
    const files = localEidFiles(dir);
    let jwk: JWK;
    try {
      jwk = JSON.parse(await readFile(files.key, 'utf8')) as JWK;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      jwk = await createKeys(files);
    }
    if (!jwk.kid) throw new Error(`${files.key} has no key id (kid): remove ${files.dir} and run \`dancu eid issuer\` again`);
    return new LocalEidIssuer(files, await importJWK(jwk, 'ES256'), jwk.kid);
  }

  /** A signed assertion of the citizen's login (and the consent they confirmed, if any). */
  async sign(claims: AssertionClaims): Promise<string> {
    const issuedAt = Math.floor((claims.issuedAt ?? new Date()).getTime() / 1000);
    return new SignJWT({ ...(claims.consent ? { consent: claims.consent } : {}) })
      .setProtectedHeader({ alg: 'ES256', kid: this.keyId, typ: 'JWT' })
      .setIssuer(claims.issuer ?? LOCAL_EID_ISSUER)
      .setAudience(claims.audience ?? DEFAULT_EID_AUDIENCE)
      .setSubject(claims.personalId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + (claims.lifetimeSeconds ?? 300))
      .setJti(randomUUID())
      .sign(this.privateKey);
  }
}

async function createKeys(files: LocalEidFiles): Promise<JWK> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `local-${randomUUID().slice(0, 8)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  await mkdir(files.dir, { recursive: true });
  // The key first (owner-only, renamed into place), then the JWKS: a hub never sees keys without their signer.
  const temporary = `${files.key}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(privateJwk), { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, files.key);
  await writeFile(files.jwks, `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
  return privateJwk;
}
