import type { Command } from 'commander';
import { initCertificateAuthority } from '../hub/pki/certificate-authority.ts';
import { DEFAULT_CLIENT_VALID_DAYS, checkName, issueCertificate, writeIssuedCertificate } from '../hub/pki/client-certificate.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { revocationTarget, type RevokedCertificate } from '../hub/registry/certificate-revocation.ts';
import type { Registry } from '../hub/registry/registry.ts';
import { caKeyHolder, OFFICER_OPTION_HELP, officerOrCaKeyHolder, type OfficerFlags } from './officer.ts';
import { withRegistry } from './registry.ts';
import { parsePositiveInt, pkiDir } from './settings.ts';

/** Operators belong to the agency that runs the hub unless told otherwise. */
export const OPERATOR_ORGANISATION = 'population-data-agency';

async function systemOrganisation(registry: Registry, systemId: string, stated: string | undefined): Promise<string> {
  const system = await registry.findSystem(systemId);
  if (!system) throw new Error(`system ${systemId} is not registered: submit a connection request naming it first (\`dancu registry request submit\`)`);
  if (stated !== undefined && stated !== system.organisationId) {
    throw new Error(`system ${systemId} belongs to ${system.organisationId}, not ${stated}: a certificate is bound to its system's organisation`);
  }
  return system.organisationId;
}

async function officerOrganisation(registry: Registry, officerId: string, stated: string | undefined): Promise<string> {
  const officers = await registry.listOfficers();
  if (!officers.some((officer) => officer._id === officerId)) throw new Error(`officer ${officerId} is not registered: add them first (\`dancu registry officer add\`)`);
  return stated ?? OPERATOR_ORGANISATION;
}

/** The certificates recorded for a system or an officer: what a re-issue replaces. */
async function recordedCertificates(registry: Registry, kind: 'system' | 'operator', id: string): Promise<string[]> {
  if (kind === 'system') return (await registry.findSystem(id))?.certificateFingerprints ?? [];
  return (await registry.listOfficers()).find((officer) => officer._id === id)?.certificateFingerprints ?? [];
}


function printRevoked(revoked: readonly RevokedCertificate[]): void {
  for (const certificate of revoked) console.log(`revoked      SHA-256 ${certificate._id} (${certificate.holder} ${certificate.holderId})`);
}

export function registerPkiCommand(program: Command): void {
  const pki = program
    .command('pki')
    .description(
      "The hub's certificate authority: systems and operators connect to the hub over mutual TLS " +
        'with a client certificate it issued (R22).',
    );

  pki
    .command('init')
    .description(
      'Create the certificate authority (ca.crt.pem, ca.key.pem), the hub\'s gRPC server certificate ' +
        '(hub.crt.pem, hub.key.pem; names localhost, 127.0.0.1, ::1 and every --host) and the journal\'s ' +
        'Ed25519 signing key (hub-signing.key.pem, hub-signing.pub.pem). Private keys are readable by ' +
        'their owner only. Refuses to replace an existing authority without --force.',
    )
    .option('--dir <dir>', 'where to write (default: DANCU_PKI_DIR, else <DANCU_HOME>/pki)')
    .option('--host <name...>', 'another DNS name or IP address the hub is reached by (repeatable)')
    .option('--force', 'replace an existing authority; every certificate it issued stops working')
    .action(async (options: { dir?: string; host?: string[]; force?: boolean }) => {
      const dir = options.dir ?? pkiDir();
      const files = await initCertificateAuthority(dir, { hosts: options.host ?? [], force: options.force ?? false });
      console.log(`certificate authority   ${files.caCertificate}`);
      console.log(`                        ${files.caKey} (private)`);
      console.log(`hub server certificate  ${files.hubCertificate}`);
      console.log(`                        ${files.hubKey} (private)`);
      console.log(`journal signing key     ${files.signingKey} (private)`);
      console.log(`                        ${files.signingPublicKey}`);
      console.log(`Give ${files.caCertificate} to connecting systems; issue their certificates with \`dancu pki issue\`.`);
    });

  pki
    .command('issue')
    .description(
      'Issue a client certificate for a registered system (or, with --operator, a registered officer): ' +
        'subject CN=<id>, O=<organisation>, OU=system|operator, signed by the hub\'s CA. A system must be ' +
        'named by a connection request (`dancu registry request submit`); its certificate\'s fingerprint is ' +
        'recorded in the registry, and the hub accepts only recorded certificates, so one organisation\'s ' +
        'certificate never works for another. An operator certificate\'s fingerprint is recorded with the officer. ' +
        'Issuing again revokes the holder\'s previous certificates at once on every hub (see `dancu pki revoke`) ' +
        'unless --keep-previous. Writes <id>.crt.pem and <id>.key.pem (owner-only). Uses MONGODB_URI / DANCU_DB ' +
        'and KAFKA_BROKERS like the other commands.',
    )
    .argument('<id>', "the system's or operator's id: 1-64 letters, digits, '.', '_' or '-'")
    .option('--organisation <orgId>', "the organisation it belongs to; for a system, the registry's (checked if given); for an operator, default population-data-agency")
    .option('--operator', 'an operator of the hub rather than a connecting system')
    .option('--days <n>', 'validity in days', String(DEFAULT_CLIENT_VALID_DAYS))
    .option('--dir <dir>', "the CA's directory (default: DANCU_PKI_DIR, else <DANCU_HOME>/pki)")
    .option('--out <dir>', 'where to write the certificate and key (default: <dir>/issued)')
    .option('--keep-previous', 'leave the holder\'s earlier certificates valid (a planned overlap); by default they are revoked')
    .action(async (id: string, options: { organisation?: string; operator?: boolean; days: string; dir?: string; out?: string; keepPrevious?: boolean }) => {
      // Checked before touching the CA, so a typo gets its own error rather than a missing-CA one.
      checkName(id, 'the id');
      if (options.organisation !== undefined) checkName(options.organisation, 'the organisation');
      const validDays = parsePositiveInt(options.days, '--days');
      const dir = options.dir ?? pkiDir();
      const kind = options.operator ? 'operator' : 'system';
      const { issued, replaced } = await withRegistry(async (registry) => {
        // Issuing is the CA key holder's act: the journal names them (`ca-key-holder:<user>`).
        const by = await caKeyHolder({ ...process.env, DANCU_PKI_DIR: dir });
        const organisation = kind === 'system' ? await systemOrganisation(registry, id, options.organisation) : await officerOrganisation(registry, id, options.organisation);
        const previous = await recordedCertificates(registry, kind, id);
        const certificate = await issueCertificate(dir, { kind, id, organisation, validDays });
        if (kind === 'system') await registry.recordCertificate(id, certificate.fingerprint256, by);
        else await registry.recordOperatorCertificate(id, certificate.fingerprint256, by);
        const target = kind === 'system' ? { system: id } : { operator: id };
        const stale = options.keepPrevious || previous.length === 0;
        const revoked = stale ? [] : await registry.revokeCertificates(target, by, `replaced by ${certificate.fingerprint256}`, { keep: certificate.fingerprint256 });
        return { issued: certificate, replaced: revoked };
      });
      const ca = pkiFiles(dir).caCertificate;
      const files = await writeIssuedCertificate(options.out ?? pkiFiles(dir).issuedDir, id, issued);
      console.log(`certificate  ${files.certificate}`);
      console.log(`private key  ${files.privateKey} (owner-only; hand it over on a secure channel)`);
      console.log(`fingerprint  SHA-256 ${issued.fingerprint256}`);
      console.log(`serial       ${issued.serialNumber}`);
      console.log(`valid until  ${issued.notAfter.toISOString()}`);
      printRevoked(replaced);
      console.log('try it:');
      console.log(`  grpcurl -cacert ${ca} -cert ${files.certificate} -key ${files.privateKey} 127.0.0.1:50051 list`);
    });

  pki
    .command('revoke')
    .description(
      'Revoke client certificates: one by its SHA-256 fingerprint (as `pki issue` printed it, colons optional), ' +
        'or every certificate recorded for a system (or, with --operator, an officer). The revocation is written to ' +
        'the registry\'s revocation list, journaled, and announced on the invalidation topic: every running hub ' +
        'refuses the certificate at once (CERTIFICATE_REVOKED), open WatchChanges streams included. Revoking an ' +
        'agreement (`dancu registry revoke`) revokes its system\'s certificates too. Uses MONGODB_URI / ' +
        'DANCU_DB and KAFKA_BROKERS.',
    )
    .argument('<fingerprint|id>', 'a certificate\'s fingerprint, or the id of the system (or officer) whose certificates go')
    .requiredOption('--reason <text>', 'why (journaled)')
    .option('--operator', 'the id names an officer, not a system')
    .option('--officer <id>', `the agency head revoking: ${OFFICER_OPTION_HELP}. Without it, the holder of the CA's key revokes (journaled as ca-key-holder:<user>)`)
    .action(async (subject: string, options: { reason: string; operator?: boolean } & OfficerFlags) => {
      const target = revocationTarget(subject, options.operator ? 'operator' : 'system');
      if (!('fingerprint' in target)) checkName(subject, options.operator ? 'the officer id' : 'the system id');
      const revoked = await withRegistry(async (registry) => registry.revokeCertificates(target, await officerOrCaKeyHolder(registry, options, 'revoke-certificate'), options.reason));
      printRevoked(revoked);
      console.log(`${revoked.length} certificate(s) revoked; every running hub refuses them from now on`);
    });
}
