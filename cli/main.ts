import { Command } from 'commander';
import { registerCommands } from './commands.ts';
import { EXIT_CODES_HELP, errorLine, exitCodeOf } from './exit-code.ts';

const program = new Command()
  .name('dancu')
  .description(
    'dancu — data-sharing hub for national population data. ' +
      'Sectoral sources stream citizen updates over Kafka into a versioned population store.',
  )
  .showHelpAfterError()
  .enablePositionalOptions()
  .addHelpText('after', `\n${EXIT_CODES_HELP}`);

registerCommands(program);

// Commander exits by itself on a bad command line; its usage errors get the usage code too.
for (const command of everyCommand(program)) command.exitOverride((error) => process.exit(exitCodeOf(error)));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(errorLine(error));
  process.exitCode = exitCodeOf(error);
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}
