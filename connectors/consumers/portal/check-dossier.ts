// The portal's check of one dossier, with the dossier id as the case reference of every call:
// Lookup the applicant by id + name + date of birth (which proves those three) for the fields the
// procedure needs, then Verify what the applicant declared. An applicant the hub does not find is
// not verified at all: every Verify of an unknown citizen counts towards the hub's no-match
// throttling, and "not found" already decides the dossier.
import { status } from '@grpc/grpc-js';
import type { HubClient } from '../hub-client.ts';
import type { BatchChecks } from '../jsonl-batch.ts';
import { Refused } from '../refused.ts';
import { type Dossier, parseDossier } from './dossier.ts';

export type DossierResult =
  | {
      dossierId: string;
      /** matches: every declared field matches the record; mismatch: at least one does not. */
      outcome: 'matches' | 'mismatch';
      /** The looked-up fields the record holds: field → value. */
      fields: Record<string, unknown>;
      /** Declared field → whether it matches the record. */
      matches: Record<string, boolean>;
    }
  | { dossierId: string; outcome: 'not-found' }
  /** `call` is absent when the hub stayed unreachable through every retry. */
  | { dossierId: string; outcome: 'refused'; call?: 'Lookup' | 'Verify'; status: string; reason: string; detail: string };

/** The portal as a batch: dossiers in, results out; `lookupFields` are what the procedure needs. */
export function portalChecks(client: HubClient, lookupFields: readonly string[]): BatchChecks<Dossier, DossierResult> {
  return {
    parse: parseDossier,
    check: (dossier) => checkDossier(client, dossier, lookupFields),
    gaveUp: (dossier, refused) => refusedDossier(dossier.dossierId, undefined, refused),
  };
}

export async function checkDossier(client: HubClient, dossier: Dossier, lookupFields: readonly string[]): Promise<DossierResult> {
  const { dossierId } = dossier;
  let fields: Record<string, unknown> = {};
  try {
    const found = await client.lookup(dossierId, { citizen: dossier.applicant, fields: [...lookupFields] });
    fields = Object.fromEntries(found.fields.map((field) => [field.field, field.value ?? null]));
  } catch (error) {
    if (error instanceof Refused && error.status === status.NOT_FOUND) return { dossierId, outcome: 'not-found' };
    return refusedOrThrow(error, dossierId, 'Lookup');
  }

  const claims = Object.entries(dossier.declared).map(([field, value]) => ({ field, value }));
  let matches: Record<string, boolean> = {};
  if (claims.length > 0) {
    try {
      const verified = await client.verify(dossierId, { personalId: dossier.applicant.personalId, claims });
      matches = Object.fromEntries(verified.matches.map((match) => [match.field, match.matches]));
    } catch (error) {
      return refusedOrThrow(error, dossierId, 'Verify');
    }
  }
  return { dossierId, outcome: Object.values(matches).every(Boolean) ? 'matches' : 'mismatch', fields, matches };
}

/** Retryable refusals go back to the batch, which retries them; the rest are the dossier's result. */
function refusedOrThrow(error: unknown, dossierId: string, call: 'Lookup' | 'Verify'): DossierResult {
  if (!(error instanceof Refused) || error.retryable) throw error;
  return refusedDossier(dossierId, call, error);
}

function refusedDossier(dossierId: string, call: 'Lookup' | 'Verify' | undefined, refused: Refused): DossierResult {
  return { dossierId, outcome: 'refused', ...(call ? { call } : {}), ...refused.report };
}
