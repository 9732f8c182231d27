import type { Command } from 'commander';
import type { Kafka } from 'kafkajs';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { initCertificateAuthority } from '../hub/pki/certificate-authority.ts';
import {
  checkName,
  DEFAULT_CLIENT_VALID_DAYS,
  issueCertificate,
  writeIssuedCertificate,
  writeKafkaClientFiles,
} from '../hub/pki/client-certificate.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { type RevokedCertificate, revocationTarget } from '../hub/registry/certificate-revocation.ts';
import type { Registry } from '../hub/registry/registry.ts';
import { applyAccessRules, sourceAccessRules, sourceCertificateName, sourcePrincipal, withdrawAccess } from '../kafka/access.ts';
import { connectKafka } from '../kafka/connect.ts';
import { correctionDecisionsTopic, correctionsGroup, correctionsTopic, sourceTopic } from '../kafka/topics.ts';
import { caKeyHolder, OFFICER_OPTION_HELP, type OfficerFlags, officerOrCaKeyHolder } from './officer.ts';
import { withRegistry } from './registry.ts';
import { parsePositiveInt, pkiDir } from './settings.ts';

/** Operators belong to the agency that runs the hub unless told otherwise. */
export const OPERATOR_ORGANISATION = 'population-data-agency';

async function systemOrganisation(registry: Registry, systemId: string, stated: string | undefined): Promise<string> {
  const system = await registry.findSystem(systemId);
  if (!system)
    throw new Error(
      `system ${systemId} is not registered: submit a connection request naming it first (\`dancu registry request submit\`)`,
    );
  if (stated !== undefined && stated !== system.organisationId) {
    throw new Error(
      `system ${systemId} belongs to ${system.organisationId}, not ${stated}: a certificate is bound to its system's organisation`,
    );
  }
  return system.organisationId;
}

async function officerOrganisation(registry: Registry, officerId: string, stated: string | undefined): Promise<string> {
  const officers = await registry.listOfficers();
  if (!officers.some((officer) => officer._id === officerId))
    throw new Error(`officer ${officerId} is not registered: add them first (\`dancu registry officer add\`)`);
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
      "Create the certificate authority (ca.crt.pem, ca.key.pem), the hub's gRPC server certificate " +
        "(hub.crt.pem, hub.key.pem; names localhost, 127.0.0.1, ::1 and every --host) and the journal's " +
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
        "subject CN=<id>, O=<organisation>, OU=system|operator, signed by the hub's CA. A system must be " +
        "named by a connection request (`dancu registry request submit`); its certificate's fingerprint is " +
        "recorded in the registry, and the hub accepts only recorded certificates, so one organisation's " +
        "certificate never works for another. An operator certificate's fingerprint is recorded with the officer. " +
        "Issuing again revokes the holder's previous certificates at once on every hub (see `dancu pki revoke`) " +
        'unless --keep-previous. Writes <id>.crt.pem and <id>.key.pem (owner-only). Uses MONGODB_URI / DANCU_DB ' +
        'and KAFKA_BROKERS like the other commands.',
    )
    .argument('<id>', "the system's or operator's id: 1-64 letters, digits, '.', '_' or '-'")
    .option(
      '--organisation <orgId>',
      "the organisation it belongs to; for a system, the registry's (checked if given); for an operator, default population-data-agency",
    )
    .option('--operator', 'an operator of the hub rather than a connecting system')
    .option(
      '--source',
      "a source system (`dancu registry source add`), for Kafka's TLS listener; needs a current level-3+ assessment of its version",
    )
    .option('--days <n>', 'validity in days', String(DEFAULT_CLIENT_VALID_DAYS))
    .option('--dir <dir>', "the CA's directory (default: DANCU_PKI_DIR, else <DANCU_HOME>/pki)")
    .option('--out <dir>', 'where to write the certificate and key (default: <dir>/issued)')
    .option('--keep-previous', "leave the holder's earlier certificates valid (a planned overlap); by default they are revoked")
    .action(
      async (
        id: string,
        options: {
          organisation?: string;
          operator?: boolean;
          source?: boolean;
          days: string;
          dir?: string;
          out?: string;
          keepPrevious?: boolean;
        },
      ) => {
        if (options.source) return issueSourceCertificate(id, options);
        // Checked before touching the CA, so a typo gets its own error rather than a missing-CA one.
        checkName(id, 'the id');
        if (options.organisation !== undefined) checkName(options.organisation, 'the organisation');
        const validDays = parsePositiveInt(options.days, '--days');
        const dir = options.dir ?? pkiDir();
        const kind = options.operator ? 'operator' : 'system';
        const { issued, replaced } = await withRegistry(async (registry) => {
          // Issuing is the CA key holder's act: the journal names them (`ca-key-holder:<user>`).
          const by = await caKeyHolder({ ...process.env, DANCU_PKI_DIR: dir });
          const organisation =
            kind === 'system'
              ? await systemOrganisation(registry, id, options.organisation)
              : await officerOrganisation(registry, id, options.organisation);
          const previous = await recordedCertificates(registry, kind, id);
          const certificate = await issueCertificate(dir, { kind, id, organisation, validDays });
          if (kind === 'system') await registry.recordCertificate(id, certificate.fingerprint256, by);
          else await registry.recordOperatorCertificate(id, certificate.fingerprint256, by);
          const target = kind === 'system' ? { system: id } : { operator: id };
          const stale = options.keepPrevious || previous.length === 0;
          const revoked = stale
            ? []
            : await registry.revokeCertificates(target, by, `replaced by ${certificate.fingerprint256}`, {
                keep: certificate.fingerprint256,
              });
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
      },
    );

  pki
    .command('revoke')
    .description(
      'Revoke client certificates: one by its SHA-256 fingerprint (as `pki issue` printed it, colons optional), ' +
        'or every certificate recorded for a system (or, with --operator, an officer). The revocation is written to ' +
        "the registry's revocation list, journaled, and announced on the invalidation topic: every running hub " +
        'refuses the certificate at once (CERTIFICATE_REVOKED), open WatchChanges streams included. Revoking an ' +
        "agreement (`dancu registry revoke`) revokes its system's certificates too. A source system's revoked " +
        'certificates also lose their Kafka ACLs, so the broker refuses them from their next request. Uses MONGODB_URI / ' +
        'DANCU_DB and KAFKA_BROKERS (which must reach a principal allowed to alter ACLs for a source system).',
    )
    .argument('<fingerprint|id>', "a certificate's fingerprint, or the id of the system (or officer) whose certificates go")
    .requiredOption('--reason <text>', 'why (journaled)')
    .option('--operator', 'the id names an officer, not a system')
    .option(
      '--officer <id>',
      `the agency head revoking: ${OFFICER_OPTION_HELP}. Without it, the holder of the CA's key revokes (journaled as ca-key-holder:<user>)`,
    )
    .action(async (subject: string, options: { reason: string; operator?: boolean } & OfficerFlags) => {
      const target = revocationTarget(subject, options.operator ? 'operator' : 'system');
      if (!('fingerprint' in target)) checkName(subject, options.operator ? 'the officer id' : 'the system id');
      const revoked = await withRegistry(async (registry) => {
        let revoked: RevokedCertificate[] = [];
        try {
          revoked = await registry.revokeCertificates(
            target,
            await officerOrCaKeyHolder(registry, options, 'revoke-certificate'),
            options.reason,
          );
          return revoked;
        } finally {
          // Also after a failure, so a run that could not reach Kafka before is completed by the next one.
          const systems =
            'system' in target
              ? [target.system]
              : revoked.filter((certificate) => certificate.holder === 'system').map((certificate) => certificate.holderId);
          await withdrawSourceAccess(registry, [...new Set(systems)]);
        }
      });
      printRevoked(revoked);
      console.log(`${revoked.length} certificate(s) revoked; every running hub refuses them from now on`);
    });
}

/**
 * A source system's certificate for Kafka: CN = the source it feeds, OU = source, O = its organisation,
 * which the broker maps to `User:source.<source>` (kafka/access.ts). Issued only to a registered source
 * system whose version holds a current level-3+ assessment; recorded, and re-issue revokes, like a system's.
 */
async function issueSourceCertificate(
  id: string,
  options: { organisation?: string; days: string; dir?: string; out?: string; keepPrevious?: boolean },
): Promise<void> {
  checkName(id, 'the system id');
  const validDays = parsePositiveInt(options.days, '--days');
  const dir = options.dir ?? pkiDir();
  const { issued, replaced, source, principal } = await withRegistry(async (registry) => {
    // Issuing is the CA key holder's act: the journal names them (`ca-key-holder:<user>`).
    const by = await caKeyHolder({ ...process.env, DANCU_PKI_DIR: dir });
    const status = await registry.sourceSystemStatus(id);
    if (!status) throw new Error(`${id} is not a registered source system: register it first (\`dancu registry source add\`)`);
    if (options.organisation !== undefined && options.organisation !== status.system.organisationId) {
      throw new Error(`source system ${id} belongs to ${status.system.organisationId}, not ${options.organisation}`);
    }
    if (!status.assessment.ok) {
      throw new Error(
        `source system ${id} version ${status.system.version} is not admitted: ${status.assessment.reason} (R29–R32); record a level-3+ assessment of that version with \`dancu registry assess\``,
      );
    }
    const previous = await recordedCertificates(registry, 'system', id);
    const commonName = sourceCertificateName(status.system.source);
    const certificate = await issueCertificate(dir, {
      kind: 'source',
      id: commonName,
      organisation: status.system.organisationId,
      validDays,
    });
    const principal = sourcePrincipal(commonName);
    await registry.recordCertificate(id, certificate.fingerprint256, by);
    await registry.recordKafkaPrincipal(id, certificate.fingerprint256, principal);
    await withKafkaAdmin((kafka) => applyAccessRules(kafka, sourceAccessRules(principal, status.system.source)));
    const revoked =
      options.keepPrevious || previous.length === 0
        ? []
        : await registry.revokeCertificates({ system: id }, by, `replaced by ${certificate.fingerprint256}`, {
            keep: certificate.fingerprint256,
          });
    await withdrawSourceAccess(registry, [id]);
    return { issued: certificate, replaced: revoked, source: status.system.source, principal };
  });
  const outDir = options.out ?? pkiFiles(dir).issuedDir;
  const files = await writeIssuedCertificate(outDir, id, issued);
  const ca = pkiFiles(dir).caCertificate;
  const kafkaFiles = await writeKafkaClientFiles(outDir, id, issued, ca);
  console.log(`certificate  ${files.certificate}`);
  console.log(`private key  ${files.privateKey} (owner-only; hand it over on a secure channel)`);
  console.log(`for Kafka's own clients: ${kafkaFiles.keystore} (key and certificate, owner-only), ${kafkaFiles.properties}`);
  console.log(`fingerprint  SHA-256 ${issued.fingerprint256}`);
  console.log(`valid until  ${issued.notAfter.toISOString()}`);
  console.log(
    `principal    ${principal}: may write ${sourceTopic(source)} (and connector heartbeats), read ${correctionsTopic(source)} in group ${correctionsGroup(source)} and write ${correctionDecisionsTopic(source)} (R37), nothing else, until revoked`,
  );
  printRevoked(replaced);
  console.log("use it (the local stack's TLS listener is 127.0.0.1:9094):");
  console.log(
    `  KAFKA_BROKERS=127.0.0.1:9094 KAFKA_TLS_CA=${ca} KAFKA_TLS_CERT=${files.certificate} KAFKA_TLS_KEY=${files.privateKey} dancu connector ${source}`,
  );
  console.log(
    `  kafka-console-producer.sh --bootstrap-server 127.0.0.1:9094 --producer.config ${kafkaFiles.properties} --topic ${sourceTopic(source)}`,
  );
  console.log(
    `  KAFKA_BROKERS=127.0.0.1:9094 KAFKA_TLS_CA=${ca} KAFKA_TLS_CERT=${files.certificate} KAFKA_TLS_KEY=${files.privateKey} dancu corrections inbox ${source}`,
  );
}

/**
 * Kafka's admin side of source certificates: ACLs are written through KAFKA_BROKERS, which must reach
 * a principal allowed to alter them (locally the plaintext listener's super user; in production an
 * administrator's listener or Strimzi's User Operator).
 */
async function withKafkaAdmin<T>(use: (kafka: Kafka) => Promise<T>): Promise<T> {
  try {
    return await use(connectKafka({ brokers: resolveEndpoints().kafkaBrokers, clientId: 'dancu-pki' }));
  } catch (error) {
    throw new Error(
      `Kafka's ACLs could not be changed through ${resolveEndpoints().kafkaBrokers.join(',')} (${(error as Error).message}). The registry ` +
        'is changed; run the command again once KAFKA_BROKERS reaches a principal allowed to alter ACLs (locally the plaintext listener).',
      { cause: error },
    );
  }
}

/** Deletes the ACLs of every source certificate of `systems` that is no longer recorded (revoked or replaced). */
async function withdrawSourceAccess(registry: Registry, systems: readonly string[]): Promise<void> {
  for (const system of systems) {
    const withdrawn = await registry.withdrawnKafkaPrincipals(system);
    if (withdrawn.length === 0) continue;
    await withKafkaAdmin(async (kafka) => {
      for (const { principal } of withdrawn) await withdrawAccess(kafka, principal);
    });
    await registry.forgetKafkaPrincipals(
      system,
      withdrawn.map((entry) => entry.principal),
    );
    for (const { principal } of withdrawn) console.log(`kafka        ${principal} may do nothing any more (its ACLs are deleted)`);
  }
}
