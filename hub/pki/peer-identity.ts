// Who is calling: the identity a verified client certificate states (R22).
import type { PeerCertificate } from 'node:tls';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { CLIENT_KINDS, type ClientKind, isValidName } from './client-certificate.ts';

export interface PeerIdentity {
  kind: ClientKind;
  /** The system's or operator's id (the certificate's CN). */
  id: string;
  /** Its organisation (O). */
  organisation: string;
  /** SHA-256 fingerprint as `AB:CD:…`, the form `issueCertificate` returns and the registry keeps. */
  fingerprint256: string;
  /**
   * When the certificate stops being valid. TLS checks it once, at the handshake; a connection
   * (and a stream on it) can outlive it, so the hub checks it again on every call and recheck.
   * Absent only for identities not read from a TLS peer (benchmarks).
   */
  notAfter?: Date;
}

/**
 * Reads the identity from a certificate's subject. It does not verify the certificate: callers
 * pass only certificates TLS already verified against the hub's CA (see `callerIdentity`).
 * A subject with a missing, repeated or malformed CN, O or OU, or an OU that is not a kind we
 * issue (the hub's own server certificate, say), identifies nobody.
 */
export function peerIdentity(certificate: PeerCertificate | undefined): PeerIdentity | null {
  if (!certificate?.raw || !certificate.subject || !certificate.fingerprint256) return null;
  // Node gives an array when an attribute repeats; a certificate naming two ids names none.
  const { CN: id, O: organisation, OU: kind } = certificate.subject as unknown as Record<string, unknown>;
  if (typeof id !== 'string' || typeof organisation !== 'string' || typeof kind !== 'string') return null;
  if (!isValidName(id) || !isValidName(organisation)) return null;
  if (!(CLIENT_KINDS as readonly string[]).includes(kind)) return null;
  const notAfter = new Date(certificate.valid_to);
  if (Number.isNaN(notAfter.getTime())) return null;
  return { kind: kind as ClientKind, id, organisation, fingerprint256: certificate.fingerprint256, notAfter };
}

/** Any grpc-js server call: unary, streaming or an interceptor's. */
export type CallWithAuthContext = Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>;

/**
 * The identity of the system or operator making a gRPC call, or null if it showed no usable
 * certificate. grpc-js puts `sslPeerCertificate` in the auth context only when the TLS socket is
 * `authorized`, i.e. the client certificate chained to the CA the server trusts; otherwise the
 * context is empty. So a subject read from it can be believed.
 */
export function callerIdentity(call: CallWithAuthContext): PeerIdentity | null {
  const context = call.getAuthContext();
  if (context.transportSecurityType !== 'ssl') return null;
  return peerIdentity(context.sslPeerCertificate);
}
