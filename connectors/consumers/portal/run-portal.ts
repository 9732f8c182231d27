// The portal over a file of dossiers: one result line per dossier, in input order.
import type { HubClient } from '../hub-client.ts';
import { runJsonlBatch, type BatchSummary, type InvalidLine } from '../jsonl-batch.ts';
import { checkDossier, refusedDossier, type DossierResult } from './check-dossier.ts';
import { parseDossier } from './dossier.ts';

export interface PortalOptions {
  client: HubClient;
  /** JSONL of dossiers in, JSONL of results out. */
  dossiers: string;
  out: string;
  /** The fields the procedure needs from the record; each must be granted in `disclose` mode. */
  lookupFields: readonly string[];
  signal?: AbortSignal;
  onResult?: (result: DossierResult | InvalidLine) => void;
}

export function runPortal(options: PortalOptions): Promise<BatchSummary> {
  return runJsonlBatch({
    input: options.dossiers,
    output: options.out,
    parse: parseDossier,
    check: (dossier) => checkDossier(options.client, dossier, options.lookupFields),
    gaveUp: (dossier, refused) => refusedDossier(dossier.dossierId, undefined, refused),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
}
