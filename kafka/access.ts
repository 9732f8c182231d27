// Who may do what on Kafka's authenticated (TLS) listener: the admission of sources (R40, R42).
// A client's principal comes from its certificate's subject, issued by the hub's CA, through the
// broker's `ssl.principal.mapping.rules` below; the broker's own ACLs (KRaft StandardAuthorizer)
// then allow each source to write its own topic only, and the hub to read those and write its own.
// Every other principal — a certificate of another kind, or no rule matched — is refused by default.
import kafkajs, { type Kafka } from 'kafkajs';
import { HEARTBEATS_TOPIC, SOURCES, sourceTopic, type SourceName } from './topics.ts';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** The hub's principal: its certificate is `CN=dancu-hub, OU=hub, O=dancu` (hub/pki/kafka-certificates.ts). */
export const HUB_PRINCIPAL = 'User:hub';

/** A source's principal: its certificate is `CN=<source>, OU=source, O=<organisation>` (`dancu pki issue --source`). */
export function sourcePrincipal(source: SourceName): string {
  return `User:source.${source}`;
}

/**
 * For the broker: RFC 2253 subjects (most specific first, as Java prints them) to principals.
 * Anything else keeps its whole subject as its name, which no ACL names, so it may do nothing.
 */
export const PRINCIPAL_MAPPING_RULES = [
  'RULE:^CN=([a-z-]+),OU=source,O=[A-Za-z0-9._-]+$/source.$1/',
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
 * The whole policy. The hub creates and reads every dancu topic and runs every dancu consumer
 * group; a source writes its own topic and connector heartbeats (operational, no personal data),
 * and reads nothing. Describe lets a producer find the topic's partitions.
 */
export function accessRules(): AccessRule[] {
  return [
    { principal: HUB_PRINCIPAL, resource: 'topic', name: 'dancu.', pattern: 'prefixed', operations: ['read', 'write', 'create', 'describe', 'describe-configs'] },
    { principal: HUB_PRINCIPAL, resource: 'group', name: 'dancu-', pattern: 'prefixed', operations: ['read', 'describe'] },
    ...SOURCES.flatMap((source): AccessRule[] => [
      { principal: sourcePrincipal(source), resource: 'topic', name: sourceTopic(source), pattern: 'literal', operations: ['write', 'describe'] },
      { principal: sourcePrincipal(source), resource: 'topic', name: HEARTBEATS_TOPIC, pattern: 'literal', operations: ['write', 'describe'] },
    ]),
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
 * Writes the policy's ACLs through `kafka`, which must be a principal allowed to alter the cluster
 * (the local stack's super user). Creating an ACL that exists is a no-op for Kafka, so this runs on
 * every `stack up`; ACLs not in the policy are left alone (an operator's own grants).
 */
export async function applyAccessRules(kafka: Kafka, rules: AccessRule[] = accessRules()): Promise<void> {
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
