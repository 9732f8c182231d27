// When the hub's own certificates expire, in Prometheus form, so operators are alerted weeks
// before TLS starts failing (deploy/prometheus/alerts.yml): the server certificate every client
// checks (2 years), and the authority that signed every certificate (10 years). Read once at
// start: the hub serves the certificate it loaded then.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Gauge, type Registry } from 'prom-client';
import { pkiFiles } from './pki-files.ts';

export function registerCertificateExpiryMetrics(registry: Registry, pkiDir: string): void {
  const files = pkiFiles(pkiDir);
  const gauge = new Gauge({
    name: 'dancu_pki_certificate_expiry_timestamp_seconds',
    help: "When the hub's certificates stop being valid (notAfter, Unix seconds), by certificate (hub-server, certificate-authority).",
    labelNames: ['certificate'],
    registers: [registry],
  });
  for (const [certificate, path] of [
    ['hub-server', files.hubCertificate],
    ['certificate-authority', files.caCertificate],
  ] as const) {
    gauge.set({ certificate }, Date.parse(new X509Certificate(readFileSync(path)).validTo) / 1000);
  }
}
