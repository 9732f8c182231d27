import { describe, expect, it } from 'vitest';
import { HUB_PRINCIPAL, PRINCIPAL_MAPPING_RULES, hubAccessRules, sourceAccessRules, sourceCertificateName, sourcePrincipal } from './access.ts';
import { HEARTBEATS_TOPIC, sourceTopic } from './topics.ts';
import { SOURCES } from '../schemas/sources.ts';

describe('the ACL policy of the TLS listener', () => {
  it('R40, R42: a source certificate may write its own topic and heartbeats only, and read nothing; the hub reads and writes every dancu topic', () => {
    for (const source of SOURCES) {
      const principal = sourcePrincipal(sourceCertificateName(source));
      const rules = sourceAccessRules(principal, source);
      expect(rules.map((rule) => [rule.principal, rule.resource, rule.name, rule.pattern])).toEqual([
        [principal, 'topic', sourceTopic(source), 'literal'],
        [principal, 'topic', HEARTBEATS_TOPIC, 'literal'],
      ]);
      expect(rules.flatMap((rule) => rule.operations)).not.toContain('read');
      expect(rules.flatMap((rule) => rule.operations)).not.toContain('create');
    }
    const hub = hubAccessRules();
    expect(hub.every((rule) => rule.principal === HUB_PRINCIPAL)).toBe(true);
    expect(hub.find((rule) => rule.resource === 'topic')).toMatchObject({ name: 'dancu.', pattern: 'prefixed' });
    expect(hub.find((rule) => rule.resource === 'topic')?.operations).toEqual(expect.arrayContaining(['read', 'write', 'create']));
  });

  it('R40: every source certificate gets a principal of its own, which the broker’s mapping rule yields from its subject', () => {
    const first = sourceCertificateName('residence');
    const second = sourceCertificateName('residence');
    expect(first).toMatch(/^residence\.[0-9a-f]{16}$/);
    expect(second).not.toBe(first);
    // The rule as Kafka applies it: the first RULE whose pattern matches the RFC 2253 subject.
    const [, pattern, replacement] = /^RULE:(.*?)\/(.*?)\//.exec(PRINCIPAL_MAPPING_RULES.split(',RULE:')[0]!)!;
    const subject = `CN=${first},OU=source,O=mps`;
    expect(`User:${subject.replace(new RegExp(pattern!), replacement!.replace('$1', '$$1'))}`).toBe(sourcePrincipal(first));
    expect(new RegExp(pattern!).test(`CN=residence,OU=source,O=mps`)).toBe(false);
    expect(new RegExp(pattern!).test(`CN=${first},OU=system,O=mps`)).toBe(false);
  });
});
