// Source systems (R40, R42) as registry actions: registering a sectoral system that produces to its
// source topic, and the Kafka principals its certificates were given.
import type { Actor } from './officer-competence.ts';
import type { Act } from './registry-action.ts';
import { orInvalid, RegistryError } from './registry-error.ts';
import { insertOnce, type KafkaPrincipal, type RegistryCollections, type SystemRecord } from './registry-store.ts';
import { checkSourceSystem, type SourceSystem } from './source-system.ts';

export class SystemActions {
  constructor(
    private readonly store: RegistryCollections,
    private readonly act: Act,
  ) {}

  /** The system's record (its organisation, agreement ids, certificate fingerprints), or null. */
  async findSystem(systemId: string): Promise<SystemRecord | null> {
    return this.store.systems.findOne({ _id: systemId });
  }

  /**
   * Registers a sectoral system that produces to its source topic, by a registered officer. Its
   * version is then assessed like a consumer's (`recordAssessment`) before pki issues its certificate.
   */
  async registerSourceSystem(input: unknown, by: Actor): Promise<SourceSystem> {
    const stated = (input ?? {}) as { systemId?: unknown };
    return this.act<SourceSystem>(
      'register-source-system',
      by,
      typeof stated.systemId === 'string' ? { system: stated.systemId } : {},
      async ({ entry }) => {
        const source = orInvalid(checkSourceSystem(input), 'source system');
        entry.detail = `${source.systemId} of ${source.organisationId} feeds ${source.source}, version ${source.version}`;
        const record: SystemRecord = {
          _id: source.systemId,
          organisationId: source.organisationId,
          agreementIds: [],
          source: source.source,
          version: source.version,
        };
        const existing = await this.findSystem(source.systemId);
        if (existing) {
          if (existing.organisationId === record.organisationId && existing.source === record.source && existing.version === record.version)
            return { value: source };
          throw new RegistryError('CONFLICT', `system id ${source.systemId} is already registered otherwise`);
        }
        return {
          apply: async () => {
            const outcome = await insertOnce(this.store.systems, record, ({ _id, organisationId, source: feeds, version }) => ({
              _id,
              organisationId,
              feeds,
              version,
            }));
            if (outcome === 'taken') throw new RegistryError('CONFLICT', `system id ${source.systemId} is already registered otherwise`);
            return source;
          },
        };
      },
    );
  }

  /** pki records the Kafka principal of a source certificate it issued, after its fingerprint. */
  async recordKafkaPrincipal(systemId: string, fingerprint256: string, principal: string): Promise<void> {
    const entry = { fingerprint: fingerprint256.toUpperCase(), principal };
    const result = await this.store.systems.updateOne({ _id: systemId }, { $addToSet: { kafkaPrincipals: entry } });
    if (result.matchedCount === 0) throw new RegistryError('NOT_FOUND', `no system ${systemId}`);
  }

  /** The Kafka principals of a source system whose certificates are no longer recorded: their ACLs must go. */
  async withdrawnKafkaPrincipals(systemId: string): Promise<KafkaPrincipal[]> {
    const system = await this.findSystem(systemId);
    const valid = new Set(system?.certificateFingerprints ?? []);
    return (system?.kafkaPrincipals ?? []).filter((entry) => !valid.has(entry.fingerprint));
  }

  /** Once their ACLs are deleted, the principals leave the system's record (one writer: the CLI's). */
  async forgetKafkaPrincipals(systemId: string, principals: readonly string[]): Promise<void> {
    const system = await this.findSystem(systemId);
    if (!system?.kafkaPrincipals) return;
    const kept = system.kafkaPrincipals.filter((entry) => !principals.includes(entry.principal));
    await this.store.systems.updateOne({ _id: systemId }, { $set: { kafkaPrincipals: kept } });
  }
}
