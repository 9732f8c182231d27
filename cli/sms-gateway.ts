// `dancu sms-gateway`: the SMS channel (R20) as its own process, bound to the carrier's SMS centre.
import type { Command } from 'commander';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { Journal } from '../hub/journal/journal.ts';
import { storePhoneRecords } from '../hub/sms/phone-records.ts';
import { SmsGateway } from '../hub/sms/sms-gateway.ts';
import { answerSms, SMS_KEYWORD } from '../hub/sms/sms-lookup.ts';
import { SmsRateLimit } from '../hub/sms/sms-rate-limit.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { databaseName, parsePositiveInt } from './settings.ts';
import { onShutdown, untilAborted } from './shutdown.ts';

export function registerSmsGatewayCommand(program: Command): void {
  program
    .command('sms-gateway')
    .description(
      `Run the SMS channel (R20): bind to the carrier's SMS centre over SMPP as a transceiver; a citizen texts ` +
        `"${SMS_KEYWORD} <personal id>" to the short code from the phone number on record (the id-card register's) and is ` +
        'answered with their name, date of birth, sex and permanent address; anyone else is told the number or the citizen ' +
        'does not exist. Every message is journaled (act sms) and rate-limited per number. The SMSC password is read from ' +
        'DANCU_SMSC_PASSWORD. Runs until Ctrl-C.',
    )
    .requiredOption('--smsc <url>', 'the SMS centre: smpp://host:port, or ssmpp://host:port for TLS')
    .requiredOption('--system-id <id>', 'the SMPP account (system_id) the carrier gave the hub')
    .requiredOption('--short-code <number>', 'the number citizens text')
    .option('--per-number <n>', 'lookups one number may make per window', (value) => parsePositiveInt(value, '--per-number'), 5)
    .option('--window-minutes <n>', 'the rate-limit window', (value) => parsePositiveInt(value, '--window-minutes'), 60)
    .action(async (o: { smsc: string; systemId: string; shortCode: string; perNumber: number; windowMinutes: number }) => {
      const password = process.env.DANCU_SMSC_PASSWORD;
      if (!password)
        throw new Error(
          'set DANCU_SMSC_PASSWORD to the SMPP password the carrier gave (it is not taken on the command line, where ps would show it)',
        );
      if (!/^s?smpp:\/\/[^/]+$/.test(o.smsc))
        throw new Error(`--smsc must be smpp://host:port or ssmpp://host:port, not ${JSON.stringify(o.smsc)}`);
      const signal = onShutdown();
      const store = await PopulationStore.open({ uri: resolveEndpoints().mongodbUri, database: databaseName() });
      const journal = await Journal.open(store.db);
      try {
        const records = await storePhoneRecords(store, (line) => console.error(`sms-gateway: ${line}`));
        const limit = new SmsRateLimit({ perWindow: o.perNumber, windowMs: o.windowMinutes * 60_000 });
        const gateway = await SmsGateway.start({
          smsc: o.smsc,
          systemId: o.systemId,
          password,
          shortCode: o.shortCode,
          answer: (sms) => answerSms({ records, journal, limit, shortCode: o.shortCode }, sms),
        });
        console.error(
          `sms-gateway bound to ${o.smsc} as ${o.systemId}, short code ${o.shortCode}, store ${databaseName()}; Ctrl-C to stop`,
        );
        await untilAborted(signal);
        await gateway.stop();
      } finally {
        await journal.close();
        await store.close();
      }
    });
}
