import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type OfficerFlags, officerOption } from './officer.ts';
import { asOfficer } from './registry.ts';

/** The token itself, or `@file` holding it. */
function confirmationOf(value: string): string {
  return (value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value).trim();
}

export function registerConsentCommand(program: Command): void {
  const consent = program
    .command('consent')
    .description(
      "Citizens' consent to organisations that are not state bodies (R12), as the citizen confirmed it through VNeID or a portal.",
    );
  for (const step of ['grant', 'revoke'] as const) {
    officerOption(
      consent
        .command(step)
        .description(
          (step === 'grant'
            ? "Record the citizen's consent under an agreement"
            : 'Record that the citizen withdrew consent (calls for them are refused from now on)') +
            ", with the citizen's confirmation signed by the e-identification platform: an assertion whose subject is the personal id and whose " +
            `consent claim is {agreement, decision: ${step === 'grant' ? 'granted' : 'revoked'}, channel}. An officer whose area covers the requester records it.`,
        )
        .argument('<agreement-id>')
        .argument('<personal-id>')
        .requiredOption(
          '--confirmation <token|@file>',
          "the citizen's signed confirmation (a JWT; `dancu eid token` signs one locally for tests)",
        ),
    ).action(async (agreementId: string, personalId: string, o: { confirmation: string } & OfficerFlags) => {
      const confirmation = confirmationOf(o.confirmation);
      const record = await asOfficer(o, (r, officer) =>
        step === 'grant'
          ? r.recordConsent(agreementId, personalId, officer, confirmation)
          : r.revokeConsent(agreementId, personalId, officer, confirmation),
      );
      console.log(`consent of ${personalId} under ${agreementId}: ${record.state} (${record.channel}, confirmed by the citizen)`);
    });
  }
  officerOption(
    consent
      .command('show')
      .description(
        "Whether calls about this citizen may run under the agreement, as far as consent goes; as an officer covering the requester's area, journaled.",
      )
      .argument('<agreement-id>')
      .argument('<personal-id>'),
  ).action(async (agreementId: string, personalId: string, o: OfficerFlags) => {
    const status = await asOfficer(o, (r, officer) => r.showConsent(agreementId, personalId, officer));
    if (!status.required) console.log(`agreement ${agreementId} is with a state body: no consent needed (R12)`);
    else if (status.granted) console.log(`consented through ${status.channel} on ${status.since.toISOString()}`);
    else console.log(`no consent: ${status.reason}`);
  });
}
