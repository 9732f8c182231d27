// An operator reading personal data outside the Exchange — a citizen's record (`dancu citizen
// show`), a dead letter's original (`dancu dlq show`) — is journaled like any other read (R35),
// before anything is shown: who, whose data, which fields, why. A read that needs an authorised
// officer is refused, and journaled refused, when the operator is not a registered one.
import type { JournalAct, JournalReceipt, JournalWriter } from '../journal/journal-entry.ts';

export interface OperatorRead {
  /** What was read: `citizen-show`, `dlq-show`. */
  action: string;
  /** The officer id, or the OS user for reads that need no officer. */
  operator: string;
  citizens: string[];
  fields: string[];
  /** What and why, identifiers only: never the values read. */
  detail: string;
}

export class OperatorReadRefused extends Error {
  override readonly name = 'OperatorReadRefused';
}

export interface OperatorReadDependencies {
  journal: JournalWriter;
  /** When set, only these officers may read (the registry's officers). */
  officers?: () => Promise<readonly { _id: string }[]>;
}

/** Journals the read; resolves once the entry is durable, so the caller may show the data. */
export function journalOperatorRead(deps: OperatorReadDependencies, read: OperatorRead): Promise<JournalReceipt> {
  return journalOperatorAct(deps, 'operator-read', read);
}

/** Journals an operator's act (a read, a connector retirement) the same way: refused, and journaled so, for anyone but an officer. */
export async function journalOperatorAct(deps: OperatorReadDependencies, act: JournalAct, read: OperatorRead): Promise<JournalReceipt> {
  const entry = { act, action: read.action, actor: { officer: read.operator }, citizens: read.citizens, fields: read.fields, detail: read.detail };
  if (deps.officers && !(await deps.officers()).some((officer) => officer._id === read.operator)) {
    await deps.journal.append({ ...entry, decision: 'refused', reason: 'NOT_AN_OPERATOR' });
    throw new OperatorReadRefused(`${read.operator} is not a registered officer: only an officer (\`dancu registry officer add\`) may do this; the attempt is journaled`);
  }
  return deps.journal.append({ ...entry, decision: 'done' });
}
