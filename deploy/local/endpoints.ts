// Where Kafka and the MongoDB-compatible store are. The environment always wins: KAFKA_BROKERS
// and MONGODB_URI name servers someone already runs, and the local stack then leaves that
// service alone. Otherwise the answer is the local stack's loopback address.
import { parseHostPort } from './address.ts';
import { LOCAL_MONGODB_URI } from './ferretdb.ts';
import { kafkaNodeAddresses } from './locations.ts';
import { StackError } from './stack-error.ts';

export interface Endpoints {
  kafkaBrokers: string[];
  /** Without a database name; callers choose theirs. */
  mongodbUri: string;
  /** True where the address came from the environment, i.e. the local stack does not run it. */
  fromEnvironment: { kafka: boolean; ferretdb: boolean };
}

/** Reads the environment only; starts nothing. Throws a StackError if a variable is malformed. */
export function resolveEndpoints(env: NodeJS.ProcessEnv = process.env): Endpoints {
  const brokersText = env.KAFKA_BROKERS?.trim();
  const mongodbUri = env.MONGODB_URI?.trim();
  return {
    kafkaBrokers: brokersText ? parseBrokers(brokersText) : [kafkaNodeAddresses(1, env).plaintext],
    mongodbUri: mongodbUri ? checkMongodbUri(mongodbUri) : LOCAL_MONGODB_URI,
    fromEnvironment: { kafka: Boolean(brokersText), ferretdb: Boolean(mongodbUri) },
  };
}

function parseBrokers(text: string): string[] {
  const brokers = text
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  const bad = brokers.filter((broker) => !parseHostPort(broker));
  if (brokers.length === 0 || bad.length > 0) {
    throw new StackError(
      'endpoint-invalid',
      `KAFKA_BROKERS must be a comma-separated list of host:port, like "10.0.0.5:9092,10.0.0.6:9092"; ` +
        `"${bad[0] ?? text}" is not. Fix it, or unset it to use the local Kafka.`,
      false,
    );
  }
  return brokers;
}

function checkMongodbUri(uri: string): string {
  if (!/^mongodb(\+srv)?:\/\/\S+$/.test(uri)) {
    throw new StackError(
      'endpoint-invalid',
      `MONGODB_URI must be a MongoDB connection string starting with mongodb:// or mongodb+srv://, ` +
        `like "mongodb://127.0.0.1:27017/"; got "${uri}". Fix it, or unset it to use the local FerretDB.`,
      false,
    );
  }
  return uri;
}
