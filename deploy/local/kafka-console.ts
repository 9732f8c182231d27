// Kafka's own console producer, run from the cached jars. It exists so a test can prove that a
// producer which is not dancu (and not kafkajs) can feed the hub through the public topic contract.
import { runCommand } from './command.ts';
import { ensureKafkaJars, kafkaJava } from './kafka-dist.ts';
import { StackError } from './stack-error.ts';

/** Between key and value on each input line; JSON never contains a raw TAB, so values may be JSON. */
const KEY_SEPARATOR = '\t';

export async function kafkaConsoleProduce(
  brokers: string[],
  topic: string,
  records: Array<{ key: string; value: string }>,
  /** A client.properties (`--producer.config`), e.g. the TLS settings `dancu pki issue --source` writes. */
  options: { configFile?: string } = {},
): Promise<void> {
  for (const [index, { key, value }] of records.entries()) {
    if (/[\t\r\n]/.test(key) || /[\r\n]/.test(value)) {
      throw new StackError(
        'tool-failed',
        `Record ${index} cannot go through the console producer: it reads one record per line with a TAB ` +
          `after the key, so keys may not contain TAB or line breaks and values may not contain line breaks.`,
        false,
      );
    }
  }
  const libsDir = await ensureKafkaJars(() => {});
  const tool = kafkaJava(
    libsDir,
    'org.apache.kafka.tools.ConsoleProducer',
    [
      '--bootstrap-server',
      brokers.join(','),
      '--topic',
      topic,
      '--property',
      'parse.key=true',
      '--property',
      `key.separator=${KEY_SEPARATOR}`,
      '--request-required-acks',
      'all',
      '--sync',
      // Without this a missing topic blocks each send for a minute before failing.
      '--producer-property',
      'max.block.ms=15000',
      ...(options.configFile ? ['--producer.config', options.configFile] : []),
    ],
    { logLevel: 'WARN' },
  );
  const what = `Producing ${records.length} record(s) to ${topic} with Kafka's console producer`;
  const input = records.map(({ key, value }) => `${key}${KEY_SEPARATOR}${value}\n`).join('');
  const output = await runCommand(tool.command, tool.args, { input, what, failure: 'tool-failed' });
  // The console producer logs a failed send and carries on, exiting 0; its log is the only witness.
  const failure = output.split('\n').find((line) => / ERROR /.test(line) || line.includes('Error when sending'));
  if (failure) throw new StackError('tool-failed', `${what} failed: ${failure.trim()}`, true);
}
