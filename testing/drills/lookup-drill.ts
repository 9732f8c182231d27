// Lookups while one of two hubs is killed: the consumer's HubClient fails over to the other
// address. Counts calls answered and failed, and the longest call (the one that failed over).

import { HubClient } from '../../connectors/consumers/hub-client.ts';
import { connectKafka } from '../../kafka/connect.ts';
import { startGroupAtEnd } from '../../kafka/group-offsets.ts';
import { sourceTopic } from '../../kafka/topics.ts';
import { ExchangeClient } from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import { SOURCES } from '../../schemas/sources.ts';
import { keyOf, startExchangeSandbox } from '../exchange-sandbox.ts';
import { HubChild } from '../hub-child.ts';
import type { DrillResult } from './drill-result.ts';
import type { DrillSettings } from './ingest-drills.ts';

export async function lookupFailover(settings: DrillSettings, calls = 300): Promise<DrillResult> {
  const { kafkaBrokers, mongodbUri } = settings;
  const runId = Date.now().toString(36);
  const sandbox = await startExchangeSandbox({ kafkaBrokers, mongodbUri, database: `dancu_drill_lookup_${runId}`, citizens: 20 });
  const group = `drill-lookup-${runId}`;
  await startGroupAtEnd(connectKafka({ brokers: kafkaBrokers, clientId: 'dancu-drill' }), group, SOURCES.map(sourceTopic));
  const hubs: HubChild[] = [];
  try {
    const consumer = await sandbox.register({
      organisation: 'bhxh',
      category: 'CENTRAL_STATE_BODY',
      system: 'bhxh-drill',
      services: ['Lookup'],
      purposes: ['SOCIAL_INSURANCE'],
      grants: [{ field: 'fullName', modes: ['disclose'] }],
    });
    for (const instance of ['drill-api-a', 'drill-api-b']) {
      hubs.push(await HubChild.start({ instance, group, database: sandbox.database, pkiDir: sandbox.pkiDir, kafkaBrokers, mongodbUri }));
    }
    const client = new HubClient(
      hubs.map((hub) => ({ exchange: new ExchangeClient(hub.grpcAddress, consumer.credentials) })),
      { agreementId: consumer.agreementId, purpose: 'SOCIAL_INSURANCE', officerId: 'drill' },
    );
    const citizen = keyOf(sandbox.citizens[0]!);
    let answered = 0;
    let failed = 0;
    let slowest = 0;
    let afterKill = 0;
    for (let index = 0; index < calls; index += 1) {
      if (index === Math.floor(calls / 3)) await hubs[0]!.kill('SIGKILL');
      const started = performance.now();
      try {
        await client.lookup(`drill-${index}`, { citizen, fields: ['fullName'] });
        answered += 1;
      } catch {
        failed += 1;
      }
      const seconds = (performance.now() - started) / 1000;
      if (index >= Math.floor(calls / 3)) afterKill = Math.max(afterKill, seconds);
      slowest = Math.max(slowest, seconds);
    }
    client.close();
    return {
      drill: 'lookups while one of two hubs is SIGKILLed',
      sent: calls,
      applied: answered,
      lost: failed,
      duplicated: 0,
      recoverSeconds: afterKill,
      note: `calls, not events; recover = the slowest call after the kill (it failed over); slowest overall ${slowest.toFixed(2)} s`,
    };
  } finally {
    await Promise.all(hubs.map((hub) => hub.kill('SIGKILL')));
    await sandbox.stop();
  }
}
