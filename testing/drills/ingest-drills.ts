// The ingest fault drills: a fault in the middle of a stream of simulated events, then the count
// of what the store holds — every event once — and how long the work stood still.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifyJournal } from '../../hub/journal/verify-journal.ts';
import { pkiFiles } from '../../hub/pki/pki-files.ts';
import type { HubChild, HubExit } from '../hub-child.ts';
import { PrivateFerretdb } from '../private-ferretdb.ts';
import { PrivateKafka } from '../private-kafka.ts';
import type { DrillResult } from './drill-result.ts';
import { type IngestWorld, ingestWorld, secondsUntil } from './ingest-world.ts';

export interface DrillSettings {
  kafkaBrokers: string[];
  mongodbUri: string;
  citizens: number;
  /** Bound on each wait of a drill. */
  boundMs: number;
  log(line: string): void;
}

async function result(
  world: IngestWorld,
  drill: string,
  recoverSeconds: number | undefined,
  note: string,
  hubs: readonly HubChild[] = [],
): Promise<DrillResult> {
  const applied = await world.applied();
  const lost = world.ids.length - applied;
  // When events are missing, where they are and what the hubs last said is what explains it.
  const said =
    lost > 0
      ? `\n--- where the missing events are:\n${await world.whereMissing().catch((error: unknown) => String(error))}` +
        (
          await Promise.all(
            hubs.map(
              async (hub) =>
                `\n--- hub ${hub.instance}: ${await readinessOf(hub)}; its last output:\n${hub.output.split('\n').slice(-40).join('\n')}`,
            ),
          )
        ).join('')
      : '';
  return {
    drill,
    sent: world.ids.length,
    applied,
    lost,
    duplicated: await world.duplicated(),
    recoverSeconds,
    note: note + said,
  };
}

/** What the hub's /readyz says (why it is not ready), or why it could not be asked. */
async function readinessOf(hub: HubChild): Promise<string> {
  try {
    const answer = await fetch(`${hub.adminUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
    return `/readyz ${answer.status} ${(await answer.text()).slice(0, 2_000)}`;
  } catch (error) {
    return `/readyz did not answer (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Waits until a fifth of the stream is in the store (watched cheaply): the fault lands mid-ingest. */
async function midIngest(world: IngestWorld, boundMs: number): Promise<void> {
  const fifth = Math.ceil(world.ids.length / 5);
  await secondsUntil(async () => (await world.progress()) >= fifth, boundMs);
}

/** SIGKILL one of two hubs mid-ingest: the other takes its partitions. */
export async function hubSigkill(settings: DrillSettings): Promise<DrillResult> {
  const world = await ingestWorld('hub_sigkill', settings.kafkaBrokers, settings.mongodbUri, settings.citizens);
  const hubs = [await world.startHub('drill-a'), await world.startHub('drill-b')];
  try {
    // Two thirds now; the rest once one hub is dead, so its partitions surely have work left.
    await world.publish(0, 2 / 3);
    await midIngest(world, settings.boundMs);
    await hubs[0]!.kill('SIGKILL');
    const atFault = await world.applied();
    await world.publish(2 / 3, 1);
    // Recovered once Kafka has given the dead hub's partitions to the other (session timeout, then a rebalance).
    const recover = await secondsUntil(async () => (await world.groupMembers()) === 1, settings.boundMs);
    await secondsUntil(async () => (await world.applied()) === world.ids.length, settings.boundMs);
    await hubs[1]!.kill('SIGTERM');
    const verdict = await verifyJournal(world.db, { publicKey: createPublicKey(readFileSync(pkiFiles(world.pkiDir).signingPublicKey)) });
    const journal = verdict.ok ? `journal ok, ${verdict.chains.length} chains` : `journal: ${verdict.firstBad?.problem}`;
    const note = `killed at ${atFault} applied; recover = until the other hub holds every partition (session timeout 6 s); ${journal}`;
    return await result(world, 'SIGKILL one of two hubs mid-ingest', recover, note);
  } finally {
    await Promise.all(hubs.map((hub) => hub.kill('SIGKILL')));
    await world.close();
  }
}

/** Restart the store (a private FerretDB) mid-ingest: the hub retries the slice and goes on. */
export async function storeRestart(settings: DrillSettings): Promise<DrillResult> {
  const store = await PrivateFerretdb.start(settings.log);
  const world = await ingestWorld('store_restart', settings.kafkaBrokers, store.uri, settings.citizens);
  const hub = await world.startHub('drill-store');
  try {
    await world.publish();
    await midIngest(world, settings.boundMs);
    const atFault = await world.progress();
    await store.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 5_000)); // the store stays away for 5 s
    await store.start();
    await world.reconnect();
    const atRestart = await world.applied();
    const recover = await secondsUntil(async () => (await world.applied()) > atRestart || atRestart === world.ids.length, settings.boundMs);
    if (recover !== undefined) await secondsUntil(async () => (await world.applied()) === world.ids.length, settings.boundMs);
    return await result(
      world,
      'restart the store (FerretDB SIGKILL, 5 s down) mid-ingest',
      recover,
      `a private FerretDB on port ${store.port}, killed with ${atFault} history records in it; recover counted from the store back up`,
      [hub],
    );
  } finally {
    await hub.kill('SIGKILL');
    await world.close();
    await store.remove();
  }
}

/**
 * SIGKILL one of three brokers mid-ingest (a private three-node cluster: every topic with three
 * replicas, min.insync.replicas 2, producers acks=all with idempotence): the rest of the stream is
 * published after the kill, and the hub applies everything once.
 */
export async function brokerSigkill(settings: DrillSettings): Promise<DrillResult> {
  const kafka = await PrivateKafka.start({ log: settings.log, size: 3 });
  const world = await ingestWorld('broker_sigkill', kafka.brokers, settings.mongodbUri, settings.citizens);
  const hub = await world.startHub('drill-broker');
  try {
    await world.publish(0, 2 / 3);
    await midIngest(world, settings.boundMs);
    const killedAt = Date.now();
    kafka.kill(2);
    const atFault = await world.applied();
    // As a connector would: until the partitions the dead node led have new leaders (the controller
    // notices within its broker session timeout), a send fails; it is sent again, and a record
    // written twice is a duplicate the hub recognises. Acks come from the two brokers left
    // (min.insync.replicas 2).
    const published = await secondsUntil(async () => {
      await world.publish(2 / 3, 1);
      return true;
    }, settings.boundMs);
    if (published === undefined)
      throw new Error(`the rest of the stream could not be published within ${settings.boundMs / 1000} s of the broker's death`);
    const recover = await secondsUntil(async () => (await world.applied()) > atFault || atFault === world.ids.length, settings.boundMs);
    // Nothing applied for a whole bound: the hub is stuck; the result says where it stood.
    if (recover !== undefined) await secondsUntil(async () => (await world.applied()) === world.ids.length, settings.boundMs);
    const note = `node 2 of 3 killed with ${atFault} applied; the rest published ${published.toFixed(1)} s after it (sends retried until the leaders moved); all applied ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`;
    return await result(world, 'SIGKILL one of three brokers mid-ingest', recover, note, [hub]);
  } finally {
    await hub.kill('SIGKILL');
    await world.close();
    await kafka.stop();
  }
}

/** DANCU_SHUTDOWN_SECONDS of the hub told to stop while Kafka is down. */
export const STOP_BOUND_SECONDS = 10;

/**
 * SIGTERM a hub while Kafka (a private broker) does not answer: it exits within
 * DANCU_SHUTDOWN_SECONDS, and a hub started once Kafka is back applies everything once.
 */
export async function sigtermKafkaDown(settings: DrillSettings): Promise<DrillResult> {
  const kafka = await PrivateKafka.start({ log: settings.log });
  const world = await ingestWorld('kafka_down', kafka.brokers, settings.mongodbUri, settings.citizens);
  const bound = STOP_BOUND_SECONDS;
  const first = await world.startHub('drill-kafka-1', { DANCU_SHUTDOWN_SECONDS: String(bound) });
  let second: Awaited<ReturnType<typeof world.startHub>> | undefined;
  try {
    await world.publish();
    await midIngest(world, settings.boundMs);
    kafka.freeze();
    const told = Date.now();
    let exit: HubExit;
    try {
      exit = await first.kill('SIGTERM');
    } finally {
      kafka.thaw();
    }
    const stopSeconds = (exit.at - told) / 1000;
    const atStop = await world.applied();
    const restarted = Date.now();
    second = await world.startHub('drill-kafka-2');
    await secondsUntil(async () => (await world.applied()) === world.ids.length, settings.boundMs);
    const recover = (Date.now() - restarted) / 1000;
    const outcome = await result(
      world,
      'SIGTERM a hub while Kafka is down (private broker frozen)',
      recover,
      `exited ${exit.code ?? exit.signal} ${stopSeconds.toFixed(1)} s after SIGTERM (bound ${bound} s); ${atStop} applied at stop; recover = a new hub draining the rest`,
      [second],
    );
    return { ...outcome, stop: { seconds: stopSeconds, code: exit.code } };
  } finally {
    await first.kill('SIGKILL');
    await second?.kill('SIGKILL');
    await world.close();
    await kafka.stop();
  }
}
