import { Command } from 'commander';
import { registerCommands } from './commands.ts';

const program = new Command()
  .name('dancu')
  .description(
    'dancu — data-sharing hub for national population data. ' +
      'Sectoral sources stream citizen updates over Kafka into a versioned population store.',
  )
  .showHelpAfterError()
  .enablePositionalOptions();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`dancu: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
