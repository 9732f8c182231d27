// One journal entry: who did what, to whose data, why, with which outcome (R35).
// The journal records every exchange, every refusal, every ingest batch and every registry action.
// It never holds personal data values: only identifiers, field names and decisions.

/** What kind of act an entry records. */
export type JournalAct =
  | 'exchange' // a consumer call (Lookup, BatchLookup, Verify, WatchChanges, ReportDataError), allowed or refused
  | 'self-service' // a citizen reading their own record or access log
  | 'ingest' // an ingest batch applied by the hub
  | 'registry' // a registry action: request submitted / reviewed, assessment, suspension, consent…
  | 'dead-letter-replay' // an operator re-submitting dead letters
  | 'operator-read' // an operator reading a citizen or a dead letter's values outside the exchange
  | 'test-run' // a call under a sandbox agreement, on synthetic citizens, before approval (R34)
  | 'correction' // a source register's decision on a data-error report routed to it (R37)
  | 'support' // an incident or support ticket opened, answered, replied to or closed (R36)
  | 'connector-retirement' // an officer retiring a connector from the operators' live view
  | 'written-request' // a step of the written-request procedure: registered, services chosen, Form 01 delivered, refused (R19)
  | 'sms' // a citizen's SMS lookup through the SMS gateway, answered or refused (R20)
  | 'retention'; // entries removed once their retention passed, under a signed retention record

export interface JournalActor {
  /** The connected system (certificate subject), when a system acted. */
  system?: string;
  /** The organisation the system or officer belongs to. */
  organisation?: string;
  /** The officer or end user on whose behalf the call was made (as the caller states it). */
  officer?: string;
  /** The citizen, when a citizen acted for themself (self-service, consent). */
  citizen?: string;
}

export interface JournalEntryInput {
  act: JournalAct;
  /** The operation: an RPC name (`Lookup`), a registry action (`review-request`), `apply-batch`… */
  action: string;
  actor: JournalActor;
  /** Whose data: personal ids. Empty for acts about no citizen. */
  citizens: string[];
  /** Which fields were asked for or touched (names only, never values). */
  fields: string[];
  /** The connection agreement the act ran under, if any. */
  agreement?: string;
  /** The purpose code from the closed catalogue. */
  purpose?: string;
  /** The case / dossier reference the caller gave. */
  caseReference?: string;
  /** `allowed` / `refused`, or for non-exchange acts `done` / `failed`. */
  decision: 'allowed' | 'refused' | 'done' | 'failed';
  /** Machine-readable reason for a refusal or failure (e.g. `FIELD_NOT_GRANTED`). */
  reason?: string;
  /** Free-text detail safe to keep (a refusal's written reason, a count). Never personal values. */
  detail?: string;
  /** The W3C trace id (32 hex) of the trace this act belongs to. */
  traceId?: string;
  /** When it happened; the journal sets it when absent. */
  at?: Date;
}

/** A stored entry: the input plus its place in the hash chain. */
export interface JournalEntry extends Omit<JournalEntryInput, 'at'> {
  /**
   * The entry's place (journal-chain.ts): on the shared chain the sequence itself, on a hub
   * instance's chain `<chain>:<sequence>`.
   */
  _id: number | string;
  /** The hub instance whose chain holds it; absent on the shared chain. */
  chain?: string;
  /** Position in its chain, from 1; absent on the shared chain, where it is `_id`. */
  sequence?: number;
  at: Date;
  /** When the retention job may remove it (remove-expired.ts); at least two years after `at`. */
  expiresAt: Date;
  /**
   * The journal instance that wrote it (random for each open). Two writers of one chain may journal
   * identical acts in the same millisecond; this keeps their entries, and so their hashes, apart,
   * which is how a writer that lost a race tells its own entries from the winner's.
   */
  writer: string;
  /** Hash of the previous entry (hex SHA-256), or 64 zeros for the first. */
  previousHash: string;
  /** SHA-256 over the canonical form of this entry (without `hash`) — links the chain. */
  hash: string;
}

/** What a caller gets back once its entry is durable. */
export interface JournalReceipt {
  /** The chain that holds the entry (journal-chain.ts). */
  chain: string;
  /** Its place in that chain. */
  sequence: number;
  hash: string;
}

/** The one thing the rest of the hub needs from the journal. */
export interface JournalWriter {
  /** Resolves once the entry is durable; rejects if it could not be written (then nothing may be answered). */
  append(entry: JournalEntryInput): Promise<JournalReceipt>;
}
