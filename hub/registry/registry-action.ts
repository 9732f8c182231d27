// One registry action, run the same way whatever it does: the acting officer's competence checked,
// the action's own rules, its journal entry (act `registry`: `done`, or `refused` with the error's
// code), and only then its writes; afterwards this process's listeners and the other hub instances
// are told.
import type { JournalActor, JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import type { Agreement } from './agreement.ts';
import { type InvalidationPublisher, isInvalidating } from './invalidation.ts';
import {
  type Actor,
  actorName,
  CaKeyHolder,
  competenceProblem,
  mayActAsCaKeyHolder,
  needsRequester,
  type OfficerAct,
} from './officer-competence.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryCollections, StoredOfficer } from './registry-store.ts';

export type EntryParts = Pick<JournalEntryInput, 'citizens' | 'fields'> & Partial<Pick<JournalEntryInput, 'agreement' | 'detail'>>;
/** What an action tells the other hub instances beyond its journal entry: the certificates it revoked. */
export type Notice = { certificates: string[] };
export type Requester = { category: Agreement['organisation']['category']; locality: Agreement['organisation']['locality'] };
/** What one action's checks hand to `act`: the entry to journal, and the officer check for acts about a requester. */
export interface Step {
  entry: EntryParts;
  notice: Notice;
  /** Checks the acting officer's competence for this requester (R17); acts about a requester must call it. */
  authorize(requester: Requester): void;
  /** The acting officer; null for the CA key holder. */
  officer: StoredOfficer | null;
}
/**
 * What an action will do once journaled: nothing (a replay, a read), or `apply` — the writes.
 * Checks run before, the journal entry next, the writes last: a change that could not be
 * journaled never takes effect.
 */
export type Plan<T> = { value: T } | { apply: () => Promise<T> };

/** The action runner as the registry's modules call it. */
export type Act = RegistryActions['act'];

export class RegistryActions {
  private readonly listeners: ((action: string) => void)[] = [];

  constructor(
    private readonly store: RegistryCollections,
    private readonly journal: JournalWriter,
    private readonly now: () => Date,
    private readonly invalidations: InvalidationPublisher | undefined,
  ) {}

  /**
   * Runs one action as `by`: checks the officer's competence for it (officer-competence.ts) and the
   * action's own rules, journals it, and only then applies its writes — a change the journal
   * cannot take never happens. A refusal is journaled `refused` with the rule's code; writes that
   * fail after their entry is journaled `failed`.
   */
  async act<T>(
    action: OfficerAct,
    by: Actor,
    stated: JournalActor,
    body: (step: Step) => Promise<Plan<T>>,
    start: Partial<EntryParts> = {},
  ): Promise<T> {
    const entry: EntryParts = { citizens: [], fields: [], ...start };
    const notice: Notice = { certificates: [] };
    const actor: JournalActor = { ...stated, officer: actorName(by) };
    const journal = (decision: 'done' | 'refused' | 'failed', error?: unknown) =>
      this.journal.append({
        act: 'registry',
        action,
        actor,
        ...entry,
        decision,
        ...(error === undefined
          ? {}
          : {
              reason: error instanceof RegistryError ? error.code : 'STORE_FAILED',
              detail: (error instanceof Error ? error.message : String(error)).slice(0, 500),
            }),
        at: this.now(),
      });
    let authorized = false;
    let plan: Plan<T>;
    try {
      const officer = typeof by === 'string' ? await this.store.officers.findOne({ _id: by }) : null;
      const authorize = (requester?: Requester) => {
        if (by instanceof CaKeyHolder) {
          if (!mayActAsCaKeyHolder(action))
            throw new RegistryError(
              'NOT_COMPETENT',
              `${by.name} may not ${action}: only an officer may (act with an operator certificate)`,
            );
        } else {
          if (officer === null)
            throw new RegistryError('NOT_COMPETENT', `${by} is not a registered officer: only a registered officer may ${action}`);
          const problem = competenceProblem(action, officer, requester);
          if (problem !== null) throw new RegistryError('NOT_COMPETENT', problem);
        }
        authorized = true;
      };
      if (!needsRequester(action) || by instanceof CaKeyHolder) authorize();
      else if (officer === null) authorize(); // refuses: not an officer
      plan = await body({ entry, notice, authorize, officer });
      if (!authorized) throw new Error(`registry action ${action} ran without checking the officer's competence`);
    } catch (error) {
      if (error instanceof RegistryError) await journal('refused', error);
      throw error;
    }
    await journal('done');
    let result: T;
    if ('value' in plan) result = plan.value;
    else {
      try {
        result = await plan.apply();
      } catch (error) {
        await journal('failed', error).catch(() => undefined); // the error itself is what the caller must see
        throw error;
      }
    }
    for (const listener of this.listeners) listener(action);
    if (isInvalidating(action)) {
      await this.invalidations?.publish({
        action,
        ...(entry.agreement ? { agreement: entry.agreement } : {}),
        ...(notice.certificates.length > 0 ? { certificates: notice.certificates } : {}),
        at: this.now().toISOString(),
      });
    }
    return result;
  }

  /**
   * Called after every registry action that succeeded, so readers that cache registry records in
   * this process (the enforcement pipeline) drop them at once. Other processes learn of the changes
   * that take access away from the invalidation topic (`invalidations`).
   */
  onChange(listener: (action: string) => void): void {
    this.listeners.push(listener);
  }
}
