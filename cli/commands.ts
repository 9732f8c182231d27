import type { Command } from 'commander';
import { registerCitizenCommand } from './citizen.ts';
import { registerConnectorCommands } from './connector.ts';
import { registerConnectorsCommand } from './connectors.ts';
import { registerConsentCommand } from './consent.ts';
import { registerConsumerCommand } from './consumer.ts';
import { registerCorrectionsCommand } from './corrections.ts';
import { registerDlqCommand } from './dlq.ts';
import { registerEidCommand } from './eid.ts';
import { registerHubCommand } from './hub.ts';
import { registerJournalCommand } from './journal.ts';
import { registerPkiCommand } from './pki.ts';
import { registerRegistryCommand } from './registry.ts';
import { registerSmsGatewayCommand } from './sms-gateway.ts';
import { registerStackCommand } from './stack.ts';
import { registerStartCommand } from './start.ts';
import { registerStoreCommand } from './store.ts';
import { registerSupportCommand } from './support.ts';

// Each command lives in its own module under cli/ and registers itself here.
export function registerCommands(program: Command): void {
  registerStartCommand(program);
  registerHubCommand(program);
  registerConnectorCommands(program);
  registerConnectorsCommand(program);
  registerCitizenCommand(program);
  registerStoreCommand(program);
  registerDlqCommand(program);
  registerJournalCommand(program);
  registerRegistryCommand(program);
  registerConsentCommand(program);
  registerStackCommand(program);
  registerPkiCommand(program);
  registerEidCommand(program);
  registerConsumerCommand(program);
  registerSupportCommand(program);
  registerCorrectionsCommand(program);
  registerSmsGatewayCommand(program);
}
