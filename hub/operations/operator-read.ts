// An operator reading personal data outside the Exchange — a citizen's record (`dancu citizen
// show`), a dead letter's original (`dancu dlq show`) — is journaled like any other read (R35),
// before anything is shown: who, whose data, which fields, why. Other operator acts outside the
// registry (retiring a connector) are journaled the same way. Only an authenticated officer acts
// (the CLI's operator certificate, cli/officer.ts); an attempt by anyone else is refused, and
// journaled refused, naming who they claimed to be.
import { DancuError } from '../../errors/dancu-error.ts';
import { Refusal } from '../exchange/refusal.ts';
import type { JournalAct, JournalReceipt, JournalWriter } from '../journal/journal-entry.ts';

export interface OperatorRead {
  /** What was read: `citizen-show`, `dlq-show`. */
  action: string;
  /** Who the operator claims to be (the flag, or the OS user): journaled only when the claim is refused. */
  operator: string;
  citizens: string[];
  fields: string[];
  /** What and why, identifiers only: never the values read. */
  detail: string;
}

/** Anyone but an authenticated officer: the reason journaled, NOT_AN_OPERATOR, is the code. */
export class OperatorReadRefused extends DancuError<'NOT_AN_OPERATOR'> {
  override readonly name = 'OperatorReadRefused';
  readonly code = 'NOT_AN_OPERATOR';
  readonly retryable = false;
}

export interface OperatorReadDependencies {
  journal: JournalWriter;
  /** Proves who reads and that they may (their certificate, their competence); resolves to the officer id, or rejects saying why not. */
  authenticate: () => Promise<string>;
}

/** Journals the read; resolves once the entry is durable, so the caller may show the data. */
export async function journalOperatorRead(deps: OperatorReadDependencies, read: OperatorRead): Promise<JournalReceipt> {
  return (await journalOperatorAct(deps, 'operator-read', read)).receipt;
}

/** Journals an operator's act (a read, a connector retirement): refused, and journaled so, for anyone but an authenticated officer. */
export async function journalOperatorAct(
  deps: OperatorReadDependencies,
  act: JournalAct,
  read: OperatorRead,
): Promise<{ officer: string; receipt: JournalReceipt }> {
  const entry = { act, action: read.action, citizens: read.citizens, fields: read.fields, detail: read.detail };
  let officer: string;
  try {
    officer = await deps.authenticate();
  } catch (error) {
    const why = error instanceof Refusal ? `${error.reason}: ${error.message}` : error instanceof Error ? error.message : String(error);
    await deps.journal.append({
      ...entry,
      actor: { officer: read.operator },
      decision: 'refused',
      reason: 'NOT_AN_OPERATOR',
      detail: `${read.detail}; refused: ${why}`.slice(0, 500),
    });
    throw new OperatorReadRefused(
      `${read.operator} is not an authenticated officer (${why}): only an officer, with their operator certificate, may do this; the attempt is journaled`,
    );
  }
  return { officer, receipt: await deps.journal.append({ ...entry, actor: { officer }, decision: 'done' }) };
}
