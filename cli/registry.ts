import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { Journal } from '../hub/journal/journal.ts';
import { REQUEST_STATUSES, type RequestStatus } from '../hub/registry/agreement.ts';
import { AUTHORITY_LEVELS } from '../hub/registry/competent-authority.ts';
import { FLUSH_MS } from '../hub/registry/quota-lease.ts';
import { Registry } from '../hub/registry/registry.ts';
import { kafkaInvalidations } from '../hub/registry/invalidation.ts';
import { SOURCES, sourceTopic, topicLayout } from '../kafka/topics.ts';
import { connectKafka, ensureTopics, RecordPublisher } from '../kafka/transport.ts';
import { RegistryError } from '../hub/registry/registry-error.ts';
import { localDay } from '../hub/registry/working-days.ts';
import { databaseName, parsePositiveInt } from './settings.ts';
import { printTable } from './table.ts';
import { registerWrittenRequestCommand } from './written-request.ts';

/**
 * Opens the registry on DANCU_DB with the real journal, runs one use case, closes both. A change
 * that takes access away is announced on the invalidation topic, so running hubs apply it at once.
 */
export async function withRegistry<T>(use: (registry: Registry) => Promise<T>): Promise<T> {
  const endpoints = resolveEndpoints();
  const client = new MongoClient(endpoints.mongodbUri, { serverSelectionTimeoutMS: 10_000, appName: 'dancu-registry' });
  await client.connect();
  const db = client.db(databaseName());
  const journal = await Journal.open(db);
  // Connects only when there is something to announce.
  const kafka = connectKafka({ brokers: endpoints.kafkaBrokers, clientId: 'dancu-registry' });
  const publisher = new RecordPublisher(kafka);
  const announce = async (topic: string, records: Parameters<RecordPublisher['publish']>[1]) => {
    await ensureTopics(kafka, [topicLayout(topic)]);
    await publisher.publish(topic, records);
  };
  const invalidations = kafkaInvalidations({ publish: announce }, (line) => console.error(line));
  try {
    return await use(await Registry.open(db, journal, { invalidations }));
  } catch (error) {
    if (error instanceof RegistryError) throw new Error(`${error.code}: ${error.message}`);
    throw error;
  } finally {
    await publisher.close();
    await journal.close();
    await client.close();
  }
}

/** Who the journal names for operator actions without an officer: --by, else the OS user. */
const operator = (by?: string) => by ?? process.env.USER ?? 'operator';
const day = (date: Date) => `${localDay(date)} ${new Date(date.getTime() + 7 * 3_600_000).toISOString().slice(11, 16)}`;

export function registerRegistryCommand(program: Command): void {
  const registry = program.command('registry').description('Connection requests and agreements, officers, security assessments and usage (R11, R17, R29–R33).');

  const officer = registry.command('officer').description('Officers who decide connection requests (R17).');
  officer
    .command('add')
    .description('Register an officer with their level and the area they answer for.')
    .argument('<id>', 'officer id')
    .requiredOption('--name <name>', 'full name and title')
    .requiredOption('--level <level>', AUTHORITY_LEVELS.join(' | '))
    .option('--province <code>', 'two-digit province code (not for agency-head)')
    .option('--district <code>', 'three-digit district code')
    .option('--commune <code>', 'five-digit commune code')
    .option('--by <who>', 'who registers the officer (journaled; default: $USER)')
    .action(async (id: string, o: { name: string; level: string; province?: string; district?: string; commune?: string; by?: string }) => {
      const locality = o.province === undefined ? undefined : { province: o.province, ...(o.district ? { district: o.district } : {}), ...(o.commune ? { commune: o.commune } : {}) };
      const added = await withRegistry((r) => r.addOfficer({ _id: id, name: o.name, level: o.level, ...(locality ? { locality } : {}) }, operator(o.by)));
      console.log(`officer ${added._id} (${added.level}${added.locality ? ` ${JSON.stringify(added.locality)}` : ''}) registered`);
    });
  officer
    .command('list')
    .description('List the registered officers.')
    .action(async () => {
      const officers = await withRegistry((r) => r.listOfficers());
      printTable([['id', 'name', 'level', 'locality'], ...officers.map((o) => [o._id, o.name, o.level, o.locality ? Object.values(o.locality).join('/') : 'nationwide'])]);
    });

  registry
    .command('source')
    .description('Source systems: sectoral registers admitted to produce to Kafka (R40, R42).')
    .command('add')
    .description(
      'Register a source system that feeds one source topic (dancu.source.<source>.v1). Assess its version next ' +
        '(`dancu registry assess <system> --version …`, level 3 or more, as for consumers); then ' +
        '`dancu pki issue <system> --source` gives it the certificate Kafka\'s TLS listener admits it with.',
    )
    .argument('<system>', "the source system's id: 1-64 letters, digits, '.', '_' or '-'")
    .requiredOption('--source <source>', SOURCES.join(' | '))
    .requiredOption('--organisation <orgId>', 'the organisation that runs it')
    .requiredOption('--version <version>', 'the version that connects (the one assessed)')
    .requiredOption('--officer <id>', 'the registered officer admitting it (journaled)')
    .action(async (id: string, o: { source: string; organisation: string; version: string; officer: string }) => {
      const added = await withRegistry((r) => r.registerSourceSystem({ systemId: id, organisationId: o.organisation, source: o.source, version: o.version }, o.officer));
      console.log(`source system ${added.systemId} (${added.organisationId}, version ${added.version}) registered for ${sourceTopic(added.source)}`);
      console.log(`next: \`dancu registry assess ${added.systemId} --version ${added.version} …\`, then \`dancu pki issue ${added.systemId} --source\``);
    });

  registry
    .command('request')
    .description('Connection requests (R33).')
    .command('submit')
    .description('Submit a connection request from a JSON file (see deploy/examples/connection-request.json).')
    .requiredOption('--file <json>', 'the request')
    .option('--id <request-id>', 'an id of your own (e.g. the dossier number); resubmitting it is a no-op')
    .action(async (o: { file: string; id?: string }) => {
      const input: unknown = JSON.parse(readFileSync(o.file, 'utf8'));
      const submitted = await withRegistry((r) => r.submitRequest(input, o.id ? { requestId: o.id } : {}));
      console.log(`request ${submitted._id} submitted; decision due by ${day(submitted.deadline)} (Vietnam time, R11)`);
    });

  registry
    .command('requests')
    .description('List connection requests, newest first, with their R11 deadline; OVERDUE marks those still undecided after it.')
    .option('--status <status>', REQUEST_STATUSES.join(' | '))
    .option('--json', 'print JSON')
    .action(async (o: { status?: string; json?: boolean }) => {
      if (o.status !== undefined && !(REQUEST_STATUSES as readonly string[]).includes(o.status)) throw new Error(`--status must be one of ${REQUEST_STATUSES.join(', ')}`);
      const requests = await withRegistry((r) => r.listRequests(o.status ? { status: o.status as RequestStatus } : {}));
      if (o.json) return console.log(JSON.stringify(requests, null, 2));
      printTable([
        ['id', 'status', 'organisation', 'category', 'system', 'submitted', 'deadline', ''],
        ...requests.map((q) => [q._id, q.status, q.request.organisation.id, q.request.organisation.category, `${q.request.system.id} ${q.request.system.version}`, day(q.submittedAt), day(q.deadline), q.overdue ? 'OVERDUE' : '']),
      ]);
    });

  registry
    .command('review')
    .description('Decide a request as the competent officer (R17): approve (optionally lowering the quota), or refuse with a written reason (R11).')
    .argument('<request-id>')
    .requiredOption('--officer <id>', 'the deciding officer')
    .option('--approve', 'approve the request')
    .option('--refuse', 'refuse the request (needs --reason)')
    .option('--reason <text>', 'the written reason')
    .option('--daily-limit <n>', 'approve a lower daily limit than requested')
    .option('--rate-per-second <n>', 'approve a lower rate than requested')
    .action(async (id: string, o: { officer: string; approve?: boolean; refuse?: boolean; reason?: string; dailyLimit?: string; ratePerSecond?: string }) => {
      if (Boolean(o.approve) === Boolean(o.refuse)) throw new Error('give exactly one of --approve or --refuse');
      const reviewed = await withRegistry(async (r) => {
        const current = await r.getRequest(id);
        const quota = {
          ratePerSecond: o.ratePerSecond ? parsePositiveInt(o.ratePerSecond, '--rate-per-second') : current.request.quota.ratePerSecond,
          dailyLimit: o.dailyLimit ? parsePositiveInt(o.dailyLimit, '--daily-limit') : current.request.quota.dailyLimit,
        };
        return r.reviewRequest(id, {
          officerId: o.officer,
          decision: o.approve ? 'approve' : 'refuse',
          ...(o.reason !== undefined ? { reason: o.reason } : {}),
          ...(o.approve ? { narrowing: { quota } } : {}),
        });
      });
      console.log(`request ${reviewed._id} is now ${reviewed.status}`);
    });

  registry
    .command('assess')
    .description('Record a security assessment of a system (R29–R32); valid one year, for that version, level 3 or higher.')
    .argument('<system-id>')
    .requiredOption('--version <version>', 'the system version assessed')
    .requiredOption('--level <n>', 'security level reached')
    .requiredOption('--date <date>', 'when it was assessed (YYYY-MM-DD)')
    .requiredOption('--kind <kind>', 'initial | periodic | ad-hoc | design-change')
    .requiredOption('--findings <text>', 'summary of the findings')
    .requiredOption('--assessor <who>', 'the assessing organisation')
    .action(async (systemId: string, o: { version: string; level: string; date: string; kind: string; findings: string; assessor: string }) => {
      const recorded = await withRegistry((r) =>
        r.recordAssessment({ systemId, systemVersion: o.version, level: Number(o.level), assessedAt: o.date, kind: o.kind, findings: o.findings, assessor: o.assessor }),
      );
      console.log(`${recorded.kind} assessment of ${systemId} ${recorded.systemVersion} recorded: level ${recorded.level}`);
    });

  for (const step of ['suspend', 'reinstate', 'revoke'] as const) {
    registry
      .command(step)
      .description(
        `${step[0]!.toUpperCase()}${step.slice(1)} an agreement as the competent officer${step === 'reinstate' ? '' : ', with a written reason'}.` +
          (step === 'reinstate' ? '' : ' Every running hub applies it at once (the invalidation topic), open streams included.') +
          (step === 'revoke' ? " The system's certificates are revoked with it: a new agreement needs a new certificate." : ''),
      )
      .argument('<agreement-id>')
      .requiredOption('--officer <id>', 'the deciding officer')
      .option('--reason <text>', 'why')
      .action(async (id: string, o: { officer: string; reason?: string }) => {
        const agreement = await withRegistry((r) =>
          step === 'suspend' ? r.suspendAgreement(id, o.officer, o.reason ?? '') : step === 'revoke' ? r.revokeAgreement(id, o.officer, o.reason ?? '') : r.reinstateAgreement(id, o.officer, o.reason),
        );
        console.log(`agreement ${agreement.id} is now ${agreement.status}`);
      });
  }

  registerWrittenRequestCommand(registry);

  registry
    .command('catalogue')
    .description('The published catalogue of exchange services (R16).')
    .action(async () => {
      const catalogue = await withRegistry(async (r) => r.serviceCatalogue());
      console.log(`Service catalogue ${catalogue.version}, published ${catalogue.publishedAt}\n`);
      printTable([['service', 'fields', 'description'], ...catalogue.services.map((s) => [s.name, s.mode ?? '—', s.description])]);
    });

  registry
    .command('usage')
    .description('Units used per day and service under an agreement, allowed and refused (R23): one per citizen answered or change delivered; Vietnam days.')
    .argument('<agreement-id>')
    .option('--from <day>', 'first day, YYYY-MM-DD (default: 30 days ago)')
    .option('--to <day>', 'last day, YYYY-MM-DD (default: today)')
    .action(async (id: string, o: { from?: string; to?: string }) => {
      const to = o.to ?? localDay(new Date());
      const from = o.from ?? localDay(new Date(Date.parse(`${to}T12:00:00Z`) - 29 * 86_400_000));
      const report = await withRegistry((r) => r.usageReport(id, from, to));
      const rows = report.days.flatMap((d) => [
        [d.day, 'all', String(d.allowed), String(d.refused)],
        ...Object.entries(d.services).map(([service, units]) => ['', service, String(units.allowed), String(units.refused)]),
        ...(d.unaccounted > 0 ? [['', 'unreleased leases', String(d.unaccounted), '0']] : []),
      ]);
      printTable([['day', 'service', 'allowed', 'refused'], ...rows, ['total', 'all', String(report.total.allowed), String(report.total.refused)]]);
      console.log(`\nfee class: ${report.feeClass}; units of a lease still held are counted as of its holder's last write (every ${FLUSH_MS / 1000} s)`);
      if (report.days.some((d) => d.unaccounted > 0)) console.log('unreleased leases: blocks a hub instance leased and never released (it stopped without closing); counted as used.');
    });
}
