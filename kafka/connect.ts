// Kafka clients, plaintext or over mutual TLS: kafka/ is the only folder that knows kafkajs, and
// this is where every client of it is made.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** Mutual TLS (Kafka's authenticated listener); by default from KAFKA_TLS_CA / _CERT / _KEY, else plaintext. */
  tls?: KafkaTls | null;
}

/** PEM texts: the CA that signed the broker's certificate, and this client's certificate and key. */
export interface KafkaTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

const TLS_VARIABLES = ['KAFKA_TLS_CA', 'KAFKA_TLS_CERT', 'KAFKA_TLS_KEY'] as const;

/**
 * KAFKA_TLS_CA, KAFKA_TLS_CERT and KAFKA_TLS_KEY name PEM files (all three, or none: plaintext).
 * Read at start-up, so a wrong path stops the process with a sentence rather than a handshake error.
 */
export function kafkaTlsFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaTls | null {
  const set = TLS_VARIABLES.filter((name) => env[name]?.trim());
  if (set.length === 0) return null;
  if (set.length < TLS_VARIABLES.length) {
    const missing = TLS_VARIABLES.filter((name) => !set.includes(name));
    throw new Error(
      `${set.join(' and ')} set without ${missing.join(' and ')}: Kafka over TLS needs all three PEM files (CA, client certificate, key), or none for plaintext`,
    );
  }
  const read = (name: (typeof TLS_VARIABLES)[number]) => {
    const path = env[name]!.trim();
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(`${name}=${path} cannot be read (${(error as Error).message}); point it at the PEM file \`dancu pki issue\` wrote`, {
        cause: error,
      });
    }
  };
  return { caPem: read('KAFKA_TLS_CA'), certPem: read('KAFKA_TLS_CERT'), keyPem: read('KAFKA_TLS_KEY') };
}

export function connectKafka(options: KafkaOptions): Kafka {
  const tls = options.tls === undefined ? kafkaTlsFromEnv() : options.tls;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    // The broker's certificate names 127.0.0.1 and localhost (hub/pki/kafka-certificates.ts); Node checks that.
    ...(tls ? { ssl: { ca: [tls.caPem], cert: tls.certPem, key: tls.keyPem } } : {}),
    connectionTimeout: 5_000,
    retry: { retries: 8, initialRetryTime: 200 },
    logLevel: logLevel.ERROR,
    logCreator:
      () =>
      ({ namespace, log }) => {
        // kafkajs logs retriable errors loudly during rebalances; keep only real errors, one line each.
        console.error(`[kafka ${namespace}] ${log.message}${log.error ? `: ${String(log.error)}` : ''}`);
      },
  });
}
