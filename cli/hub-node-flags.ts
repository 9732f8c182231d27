// How a production hub's Node.js runs: deploy/k8s/hub.yaml sets NODE_OPTIONS to these, the
// backfill benchmark starts its hub with them, and deploy/k8s/manifests.test.ts holds the two together.
/**
 * The Node.js flags a production hub runs with (NODE_OPTIONS in deploy/, and the backfill
 * benchmark's hub). Left to its defaults V8 lets a busy hub's heap grow far past what it holds
 * alive: a backfill peaked at 454 MB of RSS for about 140 MB of live objects. A capped old space
 * and 4 MB semi-spaces keep the same backfill under 290 MB (256 MB: 287; 384 MB: 279), with no
 * loss of speed (BENCHMARKS.md). 384 MB leaves room for what the hub holds at most: both citizen
 * caches full (30,000 documents of ~3.7 KiB, ~110 MB) beside a busy ingest (~140 MB live).
 */
export const HUB_NODE_FLAGS = ['--max-old-space-size=384', '--max-semi-space-size=4'] as const;
