import { describe, expect, it } from 'vitest';
import { HUB_PRINCIPAL, accessRules, sourcePrincipal } from './access.ts';
import { HEARTBEATS_TOPIC, SOURCES, sourceTopic } from './topics.ts';

describe('the ACL policy of the TLS listener', () => {
  it('R40, R42: each source may write its own topic and heartbeats only, and read nothing; the hub reads and writes every dancu topic', () => {
    const rules = accessRules();
    for (const source of SOURCES) {
      const mine = rules.filter((rule) => rule.principal === sourcePrincipal(source));
      expect(mine.map((rule) => [rule.resource, rule.name, rule.pattern])).toEqual([
        ['topic', sourceTopic(source), 'literal'],
        ['topic', HEARTBEATS_TOPIC, 'literal'],
      ]);
      expect(mine.flatMap((rule) => rule.operations)).not.toContain('read');
      expect(mine.flatMap((rule) => rule.operations)).not.toContain('create');
    }
    const hub = rules.filter((rule) => rule.principal === HUB_PRINCIPAL);
    expect(hub.find((rule) => rule.resource === 'topic')).toMatchObject({ name: 'dancu.', pattern: 'prefixed' });
    expect(hub.find((rule) => rule.resource === 'topic')?.operations).toEqual(expect.arrayContaining(['read', 'write', 'create']));
  });
});
