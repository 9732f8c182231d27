import type { Command } from 'commander';
import { CONSENT_CHANNELS, isConsentChannel, type ConsentChannel } from '../hub/registry/consent.ts';
import { withRegistry } from './registry.ts';

function channelOf(value: string): ConsentChannel {
  if (!isConsentChannel(value)) throw new Error(`--channel must be one of ${CONSENT_CHANNELS.join(', ')}`);
  return value;
}

export function registerConsentCommand(program: Command): void {
  const consent = program.command('consent').description("Citizens' consent to organisations that are not state bodies (R12), as confirmed through VNeID or a portal.");
  for (const step of ['grant', 'revoke'] as const) {
    consent
      .command(step)
      .description(step === 'grant' ? "Record the citizen's confirmed consent under an agreement." : "Record that the citizen withdrew consent; calls for them are refused from now on.")
      .argument('<agreement-id>')
      .argument('<personal-id>')
      .option('--channel <channel>', CONSENT_CHANNELS.join(' | '), 'VNeID')
      .action(async (agreementId: string, personalId: string, o: { channel: string }) => {
        const record = await withRegistry((r) => (step === 'grant' ? r.recordConsent(agreementId, personalId, channelOf(o.channel)) : r.revokeConsent(agreementId, personalId, channelOf(o.channel))));
        console.log(`consent of ${personalId} under ${agreementId}: ${record.state} (${record.channel})`);
      });
  }
  consent
    .command('show')
    .description('Whether calls about this citizen may run under the agreement, as far as consent goes.')
    .argument('<agreement-id>')
    .argument('<personal-id>')
    .action(async (agreementId: string, personalId: string) => {
      const status = await withRegistry((r) => r.consentStatus(agreementId, personalId));
      if (!status.required) console.log(`agreement ${agreementId} is with a state body: no consent needed (R12)`);
      else if (status.granted) console.log(`consented through ${status.channel} on ${status.since.toISOString()}`);
      else console.log(`no consent: ${status.reason}`);
    });
}
