// The CLI acts as an authenticated officer, never as whoever a flag names: it loads the officer's
// operator certificate and key (`--officer <id>` picks `<pki>/issued/<id>.crt.pem` and `.key.pem`;
// or DANCU_OPERATOR_CERT and DANCU_OPERATOR_KEY name them), verifies them against the hub's CA,
// and the registry checks the certificate is recorded for that officer and not revoked. The act
// is attributed to the certificate's officer; an `--officer` that names someone else is refused.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Refusal } from '../hub/exchange/refusal.ts';
import { verifyOperatorCertificate } from '../hub/pki/operator-certificate.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { type Actor, CaKeyHolder, needsRequester, type OfficerAct } from '../hub/registry/officer-competence.ts';
import type { Registry } from '../hub/registry/registry.ts';
import { pkiDir } from './settings.ts';

export interface OfficerFlags {
  officer?: string;
}

export const OFFICER_OPTION_HELP =
  "act as this officer, with their operator certificate and key: <pki>/issued/<id>.crt.pem and .key.pem, or the files DANCU_OPERATOR_CERT and DANCU_OPERATOR_KEY name (then --officer, if given, must be the certificate's); the journal names the certificate's officer";

export function officerOption(command: Command): Command {
  return command.option('--officer <id>', OFFICER_OPTION_HELP);
}

/**
 * The officer id the loaded certificate proves, once the registry has checked it — and, for an act
 * about no requester, that the officer is competent for it (the registry checks the others).
 */
export async function authenticatedOfficer(
  registry: Registry,
  flags: OfficerFlags,
  act?: OfficerAct,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dir = pkiDir(env);
  const files = pkiFiles(dir);
  let certificatePath: string;
  let keyPath: string;
  if (env.DANCU_OPERATOR_CERT || env.DANCU_OPERATOR_KEY) {
    if (!env.DANCU_OPERATOR_CERT || !env.DANCU_OPERATOR_KEY)
      throw new Error('set both DANCU_OPERATOR_CERT and DANCU_OPERATOR_KEY, or neither');
    certificatePath = env.DANCU_OPERATOR_CERT;
    keyPath = env.DANCU_OPERATOR_KEY;
  } else if (flags.officer !== undefined) {
    certificatePath = join(files.issuedDir, `${flags.officer}.crt.pem`);
    keyPath = join(files.issuedDir, `${flags.officer}.key.pem`);
  } else {
    throw new Error(
      'this command acts as an officer: give --officer <id> (their certificate in <pki>/issued), or DANCU_OPERATOR_CERT and DANCU_OPERATOR_KEY',
    );
  }
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch {
      throw new Error(`cannot read the ${what} ${path}: issue it with \`dancu pki issue <officer> --operator\``);
    }
  };
  const identity = verifyOperatorCertificate(
    await read(files.caCertificate, "hub's CA certificate"),
    await read(certificatePath, 'operator certificate'),
    await read(keyPath, 'operator key'),
  );
  if (flags.officer !== undefined && flags.officer !== identity.id)
    throw new Error(
      `--officer ${flags.officer} is not the certificate's officer (${identity.id}): the CLI acts only as the officer its certificate proves`,
    );
  const authenticated = await registry.authenticateOfficer(identity.id, identity.fingerprint256);
  if ('refused' in authenticated) throw new Refusal(authenticated.refused, authenticated.message);
  if (act !== undefined && !needsRequester(act)) {
    try {
      registry.checkCompetence(act, authenticated.officer);
    } catch (error) {
      throw new Refusal('NOT_COMPETENT', error instanceof Error ? error.message : String(error));
    }
  }
  return identity.id;
}

/**
 * The holder of the CA's private key (`dancu pki`): proven by reading the key and checking it is
 * the CA certificate's. It records the certificates it issues, may revoke certificates, and
 * registers the first officer of an empty registry; nothing else.
 */
export async function caKeyHolder(env: NodeJS.ProcessEnv = process.env): Promise<CaKeyHolder> {
  const files = pkiFiles(pkiDir(env));
  let matches = false;
  try {
    matches = new X509Certificate(await readFile(files.caCertificate, 'utf8')).checkPrivateKey(
      createPrivateKey(await readFile(files.caKey, 'utf8')),
    );
  } catch {
    throw new Error(
      `no certificate authority in ${pkiDir(env)} (cannot read ca.crt.pem and ca.key.pem): run \`dancu pki init\` there, or act as an officer (--officer)`,
    );
  }
  if (!matches) throw new Error(`${files.caKey} is not the key of ${files.caCertificate}`);
  return new CaKeyHolder(env.USER ?? 'operator');
}

/** --officer or DANCU_OPERATOR_CERT given: that officer; else the CA key holder. */
export async function officerOrCaKeyHolder(
  registry: Registry,
  flags: OfficerFlags,
  act: OfficerAct,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Actor> {
  if (flags.officer !== undefined || env.DANCU_OPERATOR_CERT || env.DANCU_OPERATOR_KEY)
    return authenticatedOfficer(registry, flags, act, env);
  return caKeyHolder(env);
}
