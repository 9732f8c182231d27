// host:port strings, as they appear in KAFKA_BROKERS and in the stack's own addresses.
import { connect } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(address: string): HostPort | undefined {
  const match = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: match[1]!, port };
}

/** True when something accepts TCP connections there, whatever it is. */
export function isListening(address: string, timeoutMs = 500): Promise<boolean> {
  const target = parseHostPort(address);
  if (!target) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
