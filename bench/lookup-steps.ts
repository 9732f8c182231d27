// Where one Lookup's time goes: the handler's steps — enforcement (with each registry read it
// makes), the citizen read, the projection, the journal append — run against the same registry,
// store and journal the hub uses, each timed on its own, by `concurrency` callers at once. No
// gRPC, TLS or protobuf here: an end-to-end call at concurrency 1, minus the sum of these, is that.

import type { CitizenField } from '../hub/citizen/fields.ts';
import type { CitizenReader } from '../hub/exchange/citizen-cache.ts';
import { matchesKey, project } from '../hub/exchange/citizen-view.ts';
import { Enforcement, type EnforcementRegistry } from '../hub/exchange/enforcement.ts';
import type { CallContext, CitizenKey } from '../hub/exchange/exchange-call.ts';
import { type CallRecord, entryOf } from '../hub/exchange/journaled-call.ts';
import { toWireField } from '../hub/exchange/wire.ts';
import type { JournalWriter } from '../hub/journal/journal-entry.ts';
import type { PeerIdentity } from '../hub/pki/peer-identity.ts';
import type { Registry } from '../hub/registry/registry.ts';

export interface LookupStepsOptions {
  registry: Registry;
  /** The hub's citizen reads: its cache, as the handler reads (or the store itself). */
  store: CitizenReader;
  journal: JournalWriter;
  identity: PeerIdentity;
  context: CallContext;
  keys: readonly CitizenKey[];
  fields: CitizenField[];
  calls: number;
  concurrency: number;
  /**
   * `none` (the default): every registry read reaches the store and is timed. `as-in-the-hub`:
   * enforcement keeps the hub's registry cache (refreshed ahead of expiry), so the registry steps
   * count only the reads that reached the store, most of them refreshes nobody waited for.
   */
  registryCache?: 'none' | 'as-in-the-hub';
}

/** The steps in the order they are reported; registry reads are indented under enforcement. */
const STEP = {
  enforcement: 'enforcement, all steps',
  system: '  registry: system',
  agreement: '  registry: agreement',
  assessment: '  registry: assessment',
  consent: '  registry: consent',
  quota: '  quota: leased units',
  citizen: 'citizen read',
  projection: 'projection',
  journal: 'journal append',
} as const;

/** Mean milliseconds per call for each step, in the order the handler takes them (0: never taken). */
export async function timeLookupSteps(options: LookupStepsOptions): Promise<[step: string, meanMs: number][]> {
  const totals = new Map<string, number>(Object.values(STEP).map((step) => [step, 0]));
  const add = (step: string, ms: number) => totals.set(step, (totals.get(step) ?? 0) + ms);
  const timed = async <T>(step: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      add(step, performance.now() - started);
    }
  };
  const cached = options.registryCache === 'as-in-the-hub';
  const enforcement = new Enforcement(timedRegistry(options.registry, timed), cached ? {} : { cacheMs: 0 }); // uncached: every read timed
  let next = 0;
  const caller = async (): Promise<void> => {
    while (next < options.calls) await oneCall(next++);
  };
  const oneCall = async (i: number): Promise<void> => {
    const key = options.keys[i % options.keys.length]!;
    const { context, fields } = options;
    await timed(STEP.enforcement, () =>
      enforcement.authorize(options.identity, { service: 'Lookup', context, personalIds: [key.personalId], fields, mode: 'disclose' }),
    );
    const document = await timed(STEP.citizen, () => options.store.readCitizen(key.personalId));
    if (!matchesKey(document, key)) throw new Error(`citizen ${key.personalId} does not match its own key`);
    await timed(STEP.projection, () => project(document, fields).map(toWireField));
    const record: Omit<CallRecord, 'trace'> = {
      act: 'exchange',
      action: 'Lookup',
      identity: options.identity,
      citizens: [key.personalId],
      fields,
      agreement: context.agreementId,
      purpose: context.purpose,
      caseReference: context.caseReference,
      officer: context.officerId,
    };
    await timed(STEP.journal, () => options.journal.append(entryOf(record, 'allowed')));
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  return [...totals].map(([step, ms]) => [step, ms / options.calls]);
}

/** The registry, with each read the pipeline makes timed as a step of its own. */
function timedRegistry(registry: Registry, timed: <T>(step: string, work: () => Promise<T>) => Promise<T>): EnforcementRegistry {
  return {
    findSystem: (...args) => timed(STEP.system, () => registry.findSystem(...args)),
    getAgreement: (...args) => timed(STEP.agreement, () => registry.getAgreement(...args)),
    assessmentStatus: (...args) => timed(STEP.assessment, () => registry.assessmentStatus(...args)),
    consentStatus: (...args) => timed(STEP.consent, () => registry.consentStatus(...args)),
    takeDailyQuota: (...args) => timed(STEP.quota, () => registry.takeDailyQuota(...args)),
  };
}
