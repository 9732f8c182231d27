// TLS credentials for gRPC, both ways. The hub demands a client certificate signed by its own CA
// and trusts no other root, so only systems we issued a certificate to can connect (R22, R29).
import * as grpc from '@grpc/grpc-js';
import { pkiFiles, readPkiFile } from './pki-files.ts';

/** The hub's gRPC server credentials: its certificate from `dir`, clients verified against `dir`'s CA. */
export function serverCredentials(dir: string): grpc.ServerCredentials {
  const files = pkiFiles(dir);
  const ca = readPkiFile(files.caCertificate, dir);
  const certificate = readPkiFile(files.hubCertificate, dir);
  const key = readPkiFile(files.hubKey, dir);
  return grpc.ServerCredentials.createSsl(Buffer.from(ca), [{ cert_chain: Buffer.from(certificate), private_key: Buffer.from(key) }], true);
}

export interface ClientTls {
  /** The hub's CA certificate, to verify the hub. */
  caPem: string;
  /** This client's certificate and key, issued by `dancu pki issue`. */
  certPem: string;
  keyPem: string;
}

/** Credentials for our own clients, tests and benchmarks to call the hub. */
export function clientCredentials(tls: ClientTls): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(Buffer.from(tls.caPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem));
}
