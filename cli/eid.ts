import { join } from 'node:path';
import type { Command } from 'commander';
import { LocalEidIssuer } from '../deploy/local/eid-issuer.ts';
import { CONSENT_CHANNELS, isConsentChannel } from '../hub/registry/consent.ts';
import { checkPersonalId } from '../schemas/personal-id.ts';
import { dancuHome, eidSettings, parsePositiveInt } from './settings.ts';

const localDir = (dir?: string) => dir ?? join(dancuHome(), 'eid');

export function registerEidCommand(program: Command): void {
  const eid = program
    .command('eid')
    .description(
      'A local stand-in for the e-identification platform, for tests, demos and development: it signs the assertions ' +
        "a portal passes for a citizen's login (SelfService) and the confirmations a consent is recorded with (R8, R12). " +
        'A hub trusts it by default (DANCU_EID_JWKS unset: <DANCU_HOME>/eid/jwks.json). Never in production: its key speaks for every citizen.',
    );

  eid
    .command('issuer')
    .description(
      'Create the local issuer (an ES256 key pair; the public key published as <dir>/jwks.json) if there is none, and print where it is.',
    )
    .option('--dir <dir>', 'where (default: <DANCU_HOME>/eid)')
    .action(async (options: { dir?: string }) => {
      const issuer = await LocalEidIssuer.open(localDir(options.dir));
      const settings = eidSettings();
      console.log(`signing key  ${issuer.files.key} (private)`);
      console.log(`public keys  ${issuer.files.jwks}  (the hub reads DANCU_EID_JWKS=${settings.jwks})`);
      console.log(`issuer       ${settings.issuer}, audience ${settings.audience}`);
    });

  eid
    .command('token')
    .description(
      "Sign an assertion of a citizen's login (subject = the personal id), or with --consent a consent confirmation, and print it (a JWT).",
    )
    .argument('<personal-id>')
    .option('--consent <agreement-id>', 'confirm consent under this agreement (granted, unless --withdraw)')
    .option('--withdraw', 'the citizen withdraws the consent instead')
    .option('--channel <channel>', CONSENT_CHANNELS.join(' | '), 'VNeID')
    .option('--minutes <n>', 'valid for this many minutes (the hub takes none older than 10)', '5')
    .option('--dir <dir>', 'the issuer (default: <DANCU_HOME>/eid)')
    .action(
      async (personalId: string, options: { consent?: string; withdraw?: boolean; channel: string; minutes: string; dir?: string }) => {
        const problems = checkPersonalId(personalId);
        if (problems.length > 0)
          throw new Error(`${JSON.stringify(personalId)} is not a personal id: ${problems.map((p) => p.message).join('; ')}`);
        if (!isConsentChannel(options.channel)) throw new Error(`--channel must be one of ${CONSENT_CHANNELS.join(', ')}`);
        if (options.withdraw && options.consent === undefined) throw new Error('--withdraw needs --consent <agreement-id>');
        const issuer = await LocalEidIssuer.open(localDir(options.dir));
        const settings = eidSettings();
        const token = await issuer.sign({
          personalId,
          issuer: settings.issuer,
          audience: settings.audience,
          lifetimeSeconds: parsePositiveInt(options.minutes, '--minutes') * 60,
          ...(options.consent
            ? { consent: { agreement: options.consent, decision: options.withdraw ? 'revoked' : 'granted', channel: options.channel } }
            : {}),
        });
        console.log(token);
      },
    );
}
