import { describe, expect, it } from 'vitest';
import { SOURCES } from '../schemas/sources.ts';
import {
  HUB_PRINCIPAL,
  hubAccessRules,
  PRINCIPAL_MAPPING_RULES,
  sourceAccessRules,
  sourceCertificateName,
  sourcePrincipal,
} from './access.ts';
import { ALL_TOPICS, correctionDecisionsTopic, correctionsGroup, correctionsTopic, HEARTBEATS_TOPIC, sourceTopic } from './topics.ts';

describe('the ACL policy of the TLS listener', () => {
  it('R40, R42, R37: a source certificate may write its own topic, heartbeats and decisions, read its own corrections in its own group, and nothing else; the hub reads and writes every dancu topic', () => {
    for (const source of SOURCES) {
      const principal = sourcePrincipal(sourceCertificateName(source));
      const rules = sourceAccessRules(principal, source);
      expect(rules.map((rule) => [rule.principal, rule.resource, rule.name, rule.pattern, rule.operations])).toEqual([
        [principal, 'topic', sourceTopic(source), 'literal', ['write', 'describe']],
        [principal, 'topic', HEARTBEATS_TOPIC, 'literal', ['write', 'describe']],
        [principal, 'topic', correctionsTopic(source), 'literal', ['read', 'describe']],
        [principal, 'group', correctionsGroup(source), 'literal', ['read', 'describe']],
        [principal, 'topic', correctionDecisionsTopic(source), 'literal', ['write', 'describe']],
      ]);
      expect(rules.flatMap((rule) => rule.operations)).not.toContain('create');
      // Of the topics that hold citizens' data, a source reads only the reports routed to it.
      const read = rules.filter((rule) => rule.resource === 'topic' && rule.operations.includes('read')).map((rule) => rule.name);
      expect(read).toEqual([correctionsTopic(source)]);
      for (const other of SOURCES.filter((candidate) => candidate !== source)) {
        const named = rules.map((rule) => rule.name);
        expect(named).not.toContain(correctionsTopic(other));
        expect(named).not.toContain(correctionDecisionsTopic(other));
      }
      for (const rule of rules.filter((candidate) => candidate.resource === 'topic')) expect(ALL_TOPICS).toContain(rule.name);
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
