// Who may do what on Kafka's authenticated (TLS) listener: the admission of sources (R40, R42).
// A client's principal comes from its certificate's subject, issued by the hub's CA, through the
// broker's `ssl.principal.mapping.rules` below; the broker's own ACLs (KRaft StandardAuthorizer)
// then allow each source certificate its own register's topics only (its events, its corrections,
// its decisions: R37), and the hub to read those and write its own. Source grants are per certificate (`dancu pki issue --source` / `pki revoke`).
// Every other principal — a certificate of another kind, or no rule matched — is refused by default.
import { randomBytes } from 'node:crypto';
import kafkajs, { type Kafka } from 'kafkajs';
import type { SourceName } from '../schemas/sources.ts';
import { correctionDecisionsTopic, correctionsGroup, correctionsTopic, HEARTBEATS_TOPIC, sourceTopic } from './topics.ts';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** The hub's principal: its certificate is `CN=dancu-hub, OU=hub, O=dancu` (hub/pki/kafka-certificates.ts). */
export const HUB_PRINCIPAL = 'User:hub';

/**
 * A source certificate's CN: the source and 16 random hex digits, so every certificate has a principal
 * of its own (`User:source.<source>.<hex>`), whose ACLs are created when it is issued and deleted when
 * it is revoked: the broker then refuses it, on the next request, even on a connection already open.
 */
export function sourceCertificateName(source: SourceName): string {
  return `${source}.${randomBytes(8).toString('hex')}`;
}

/** The principal the broker gives a source certificate whose CN is `commonName` (see the rules below). */
export function sourcePrincipal(commonName: string): string {
  return `User:source.${commonName}`;
}

/**
 * For the broker: RFC 2253 subjects (most specific first, as Java prints them) to principals.
 * Anything else keeps its whole subject as its name, which no ACL names, so it may do nothing.
 */
export const PRINCIPAL_MAPPING_RULES = [
  'RULE:^CN=([a-z-]+[.][0-9a-f]{16}),OU=source,O=[A-Za-z0-9._-]+$/source.$1/',
  'RULE:^CN=dancu-hub,OU=hub,O=dancu$/hub/',
  'DEFAULT',
].join(',');

export type Operation = 'read' | 'write' | 'create' | 'describe' | 'describe-configs';

export interface AccessRule {
  principal: string;
  resource: 'topic' | 'group';
  /** A literal name, or a prefix (`dancu.` for every dancu topic). */
  name: string;
  pattern: 'literal' | 'prefixed';
  operations: Operation[];
}

/**
 * The hub's standing grants: it creates and reads every dancu topic and runs every dancu consumer
 * group. Written by `dancu stack up` (and as a Strimzi KafkaUser in production).
 */
export function hubAccessRules(): AccessRule[] {
  return [
    {
      principal: HUB_PRINCIPAL,
      resource: 'topic',
      name: 'dancu.',
      pattern: 'prefixed',
      operations: ['read', 'write', 'create', 'describe', 'describe-configs'],
    },
    { principal: HUB_PRINCIPAL, resource: 'group', name: 'dancu-', pattern: 'prefixed', operations: ['read', 'describe'] },
  ];
}

/**
 * One source certificate's grants, all literal names of its own register: write its topic and
 * connector heartbeats (operational, no personal data); read the data-error reports routed to it, in
 * its own consumer group; write its decisions on them (R37). Nothing of another register, no create.
 * Describe lets a client find a topic's partitions and a group's offsets.
 */
export function sourceAccessRules(principal: string, source: SourceName): AccessRule[] {
  return [
    { principal, resource: 'topic', name: sourceTopic(source), pattern: 'literal', operations: ['write', 'describe'] },
    { principal, resource: 'topic', name: HEARTBEATS_TOPIC, pattern: 'literal', operations: ['write', 'describe'] },
    { principal, resource: 'topic', name: correctionsTopic(source), pattern: 'literal', operations: ['read', 'describe'] },
    { principal, resource: 'group', name: correctionsGroup(source), pattern: 'literal', operations: ['read', 'describe'] },
    { principal, resource: 'topic', name: correctionDecisionsTopic(source), pattern: 'literal', operations: ['write', 'describe'] },
  ];
}

const OPERATION = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  describe: AclOperationTypes.DESCRIBE,
  'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
} as const;

/**
 * Writes ACLs through `kafka`, which must be a principal allowed to alter the cluster (the local
 * stack's super user). Creating an ACL that exists is a no-op for Kafka, so this is safe to repeat.
 */
export async function applyAccessRules(kafka: Kafka, rules: AccessRule[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: rules.flatMap((rule) =>
        rule.operations.map((operation) => ({
          principal: rule.principal,
          host: '*',
          operation: OPERATION[operation],
          permissionType: AclPermissionTypes.ALLOW,
          resourceType: rule.resource === 'topic' ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
          resourceName: rule.name,
          resourcePatternType: rule.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
        })),
      ),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Deletes every ACL naming `principal`: from its next request on, the broker refuses it everything. */
export async function withdrawAccess(kafka: Kafka, principal: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const answer = await admin.deleteAcls({
      filters: [
        {
          principal,
          resourceType: AclResourceTypes.ANY,
          resourcePatternType: ResourcePatternTypes.ANY,
          operation: AclOperationTypes.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      ],
    });
    const failed = answer.filterResponses.find((response) => response.errorCode !== 0);
    if (failed) throw new Error(`Kafka did not delete the ACLs of ${principal}: ${failed.errorMessage ?? `error ${failed.errorCode}`}`);
  } finally {
    await admin.disconnect();
  }
}
