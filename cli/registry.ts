import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type Db, MongoClient } from 'mongodb';
import { resolveEndpoints } from '../deploy/local/stack.ts';
import { EidVerifier } from '../hub/eid/eid-assertion.ts';
import { Journal } from '../hub/journal/journal.ts';
import { REQUEST_STATUSES, type RequestStatus } from '../hub/registry/agreement.ts';
import { catalogueWarning } from '../hub/registry/catalogue-review.ts';
import { AUTHORITY_LEVELS } from '../hub/registry/competent-authority.ts';
import { kafkaInvalidations } from '../hub/registry/invalidation.ts';
import type { OfficerAct } from '../hub/registry/officer-competence.ts';
import { FLUSH_MS } from '../hub/registry/quota-lease.ts';
import { Registry } from '../hub/registry/registry.ts';
import { localDay } from '../hub/registry/working-days.ts';
import { connectKafka } from '../kafka/connect.ts';
import { RecordPublisher } from '../kafka/record-publisher.ts';
import { ensureTopics } from '../kafka/topic-creation.ts';
import { sourceTopic, topicLayout } from '../kafka/topics.ts';
import { SOURCES } from '../schemas/sources.ts';
import { authenticatedOfficer, OFFICER_OPTION_HELP, type OfficerFlags, officerOption, officerOrCaKeyHolder } from './officer.ts';
import { databaseName, eidSettings, parsePositiveInt } from './settings.ts';
import { printTable } from './table.ts';
import { registerWrittenRequestCommand } from './written-request.ts';

/**
 * Opens the registry on DANCU_DB with the real journal, runs one use case (which may use the
 * database and journal too, as the support desk does), closes both. A change
 * that takes access away is announced on the invalidation topic, so running hubs apply it at once.
 */
export async function withRegistry<T>(use: (registry: Registry, opened: { db: Db; journal: Journal }) => Promise<T>): Promise<T> {
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
    return await use(await Registry.open(db, journal, { invalidations, eid: new EidVerifier(eidSettings()) }), { db, journal });
  } finally {
    await publisher.close();
    await journal.close();
    await client.close();
  }
}

/** Runs a use case as the officer the loaded certificate proves (cli/officer.ts). */
export function asOfficer<T>(
  flags: OfficerFlags,
  use: (registry: Registry, officerId: string, opened: { db: Db; journal: Journal }) => Promise<T>,
  act?: OfficerAct,
): Promise<T> {
  return withRegistry(async (registry, opened) => use(registry, await authenticatedOfficer(registry, flags, act), opened));
}
const day = (date: Date) => `${localDay(date)} ${new Date(date.getTime() + 7 * 3_600_000).toISOString().slice(11, 16)}`;

export function registerRegistryCommand(program: Command): void {
  const registry = program
    .command('registry')
    .description('Connection requests and agreements, officers, security assessments and usage (R11, R17, R29–R33).');

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
    .option(
      '--officer <id>',
      `the agency head registering them; ${OFFICER_OPTION_HELP}. Without it, into an empty registry only, the holder of the CA's key registers the first officer, an agency head`,
    )
    .action(
      async (id: string, o: { name: string; level: string; province?: string; district?: string; commune?: string } & OfficerFlags) => {
        const locality =
          o.province === undefined
            ? undefined
            : { province: o.province, ...(o.district ? { district: o.district } : {}), ...(o.commune ? { commune: o.commune } : {}) };
        const added = await withRegistry(async (r) =>
          r.addOfficer(
            { _id: id, name: o.name, level: o.level, ...(locality ? { locality } : {}) },
            await officerOrCaKeyHolder(r, o, 'add-officer'),
          ),
        );
        console.log(`officer ${added._id} (${added.level}${added.locality ? ` ${JSON.stringify(added.locality)}` : ''}) registered`);
      },
    );
  officerOption(officer.command('list').description('List the registered officers (to an officer).')).action(async (o: OfficerFlags) => {
    const officers = await asOfficer(o, (r) => r.listOfficers(), 'list-officers');
    printTable([
      ['id', 'name', 'level', 'locality'],
      ...officers.map((o) => [o._id, o.name, o.level, o.locality ? Object.values(o.locality).join('/') : 'nationwide']),
    ]);
  });

  officerOption(
    registry
      .command('source')
      .description('Source systems: sectoral registers admitted to produce to Kafka (R40, R42).')
      .command('add')
      .description(
        'Register a source system that feeds one source topic (dancu.source.<source>.v1). Assess its version next ' +
          '(`dancu registry assess <system> --version …`, level 3 or more, as for consumers); then ' +
          "`dancu pki issue <system> --source` gives it the certificate Kafka's TLS listener admits it with.",
      )
      .argument('<system>', "the source system's id: 1-64 letters, digits, '.', '_' or '-'")
      .requiredOption('--source <source>', SOURCES.join(' | '))
      .requiredOption('--organisation <orgId>', 'the organisation that runs it')
      .requiredOption('--version <version>', 'the version that connects (the one assessed)'),
  ).action(async (id: string, o: { source: string; organisation: string; version: string } & OfficerFlags) => {
    const added = await asOfficer(
      o,
      (r, officer) =>
        r.registerSourceSystem({ systemId: id, organisationId: o.organisation, source: o.source, version: o.version }, officer),
      'register-source-system',
    );
    console.log(
      `source system ${added.systemId} (${added.organisationId}, version ${added.version}) registered for ${sourceTopic(added.source)}`,
    );
    console.log(
      `next: \`dancu registry assess ${added.systemId} --version ${added.version} …\`, then \`dancu pki issue ${added.systemId} --source\``,
    );
  });

  officerOption(
    registry
      .command('request')
      .description('Connection requests (R33).')
      .command('submit')
      .description(
        'File a connection request from a JSON file (see deploy/examples/connection-request.json), as an officer whose area covers the requester (R17).',
      )
      .requiredOption('--file <json>', 'the request')
      .option('--id <request-id>', 'an id of your own (e.g. the dossier number); resubmitting it is a no-op'),
  ).action(async (o: { file: string; id?: string } & OfficerFlags) => {
    const input: unknown = JSON.parse(readFileSync(o.file, 'utf8'));
    const submitted = await asOfficer(o, (r, officer) => r.submitRequest(input, officer, o.id ? { requestId: o.id } : {}));
    console.log(`request ${submitted._id} submitted; decision due by ${day(submitted.deadline)} (Vietnam time, R11)`);
  });

  officerOption(
    registry
      .command('requests')
      .description(
        "List the connection requests of requesters in the officer's area, newest first, with their R11 deadline; OVERDUE marks those still undecided after it.",
      )
      .option('--status <status>', REQUEST_STATUSES.join(' | '))
      .option('--json', 'print JSON'),
  ).action(async (o: { status?: string; json?: boolean } & OfficerFlags) => {
    if (o.status !== undefined && !(REQUEST_STATUSES as readonly string[]).includes(o.status))
      throw new Error(`--status must be one of ${REQUEST_STATUSES.join(', ')}`);
    const requests = await asOfficer(o, (r, officer) => r.listRequests(officer, o.status ? { status: o.status as RequestStatus } : {}));
    if (o.json) return console.log(JSON.stringify(requests, null, 2));
    printTable([
      ['id', 'status', 'organisation', 'category', 'system', 'submitted', 'deadline', ''],
      ...requests.map((q) => [
        q._id,
        q.status,
        q.request.organisation.id,
        q.request.organisation.category,
        `${q.request.system.id} ${q.request.system.version}`,
        day(q.submittedAt),
        day(q.deadline),
        q.overdue ? 'OVERDUE' : '',
      ]),
    ]);
  });

  registry
    .command('review')
    .description(
      'Decide a request as the competent officer (R17): approve (optionally lowering the quota), or refuse with a written reason (R11).',
    )
    .argument('<request-id>')
    .option('--officer <id>', `the deciding officer: ${OFFICER_OPTION_HELP}`)
    .option('--approve', 'approve the request')
    .option('--refuse', 'refuse the request (needs --reason)')
    .option('--reason <text>', 'the written reason')
    .option('--daily-limit <n>', 'approve a lower daily limit than requested')
    .option('--rate-per-second <n>', 'approve a lower rate than requested')
    .action(
      async (
        id: string,
        o: { officer?: string; approve?: boolean; refuse?: boolean; reason?: string; dailyLimit?: string; ratePerSecond?: string },
      ) => {
        if (Boolean(o.approve) === Boolean(o.refuse)) throw new Error('give exactly one of --approve or --refuse');
        const reviewed = await asOfficer(o, async (r, officer) => {
          const current = await r.getRequest(id);
          const quota = {
            ratePerSecond: o.ratePerSecond ? parsePositiveInt(o.ratePerSecond, '--rate-per-second') : current.request.quota.ratePerSecond,
            dailyLimit: o.dailyLimit ? parsePositiveInt(o.dailyLimit, '--daily-limit') : current.request.quota.dailyLimit,
          };
          return r.reviewRequest(id, {
            officerId: officer,
            decision: o.approve ? 'approve' : 'refuse',
            ...(o.reason !== undefined ? { reason: o.reason } : {}),
            ...(o.approve ? { narrowing: { quota } } : {}),
          });
        });
        console.log(`request ${reviewed._id} is now ${reviewed.status}`);
      },
    );

  officerOption(
    registry
      .command('assess')
      .description(
        'Record a security assessment of a system (R29–R32), as the agency head (R34); valid one year, for that version, level 3 or higher.',
      )
      .argument('<system-id>')
      .requiredOption('--version <version>', 'the system version assessed')
      .requiredOption('--level <n>', 'security level reached')
      .requiredOption('--date <date>', 'when it was assessed (YYYY-MM-DD)')
      .requiredOption('--kind <kind>', 'initial | periodic | ad-hoc | design-change')
      .requiredOption('--findings <text>', 'summary of the findings')
      .requiredOption('--assessor <who>', 'the assessing organisation'),
  ).action(
    async (
      systemId: string,
      o: { version: string; level: string; date: string; kind: string; findings: string; assessor: string } & OfficerFlags,
    ) => {
      const recorded = await asOfficer(o, (r, officer) =>
        r.recordAssessment(
          {
            systemId,
            systemVersion: o.version,
            level: Number(o.level),
            assessedAt: o.date,
            kind: o.kind,
            findings: o.findings,
            assessor: o.assessor,
          },
          officer,
        ),
      );
      console.log(`${recorded.kind} assessment of ${systemId} ${recorded.systemVersion} recorded: level ${recorded.level}`);
    },
  );

  officerOption(
    registry
      .command('approve-testing')
      .description(
        "Let a submitted request's system run tests before the decision (R34), as its competent authority (R17): it may call Lookup, BatchLookup and Verify under " +
          'the sandbox agreement <request-id>.sandbox, on synthetic citizens only, for 30 days or until the request is decided; every call is journaled as a test run.',
      )
      .argument('<request-id>'),
  ).action(async (id: string, o: OfficerFlags) => {
    const sandbox = await asOfficer(o, (r, officer) => r.approveForTesting(id, officer));
    console.log(
      `sandbox agreement ${sandbox.id}: ${sandbox.services.join(', ')} on synthetic citizens, until ${sandbox.validity.until.toISOString()}`,
    );
  });

  officerOption(
    registry
      .command('confirm-eid')
      .description(
        'Confirm, as the agency head, that a system is connected through the e-identification platform (R31): it then needs no security ' +
          'assessment. A connection request only states it; nothing is exempt until confirmed here.',
      )
      .argument('<system-id>')
      .requiredOption('--reference <text>', "the agency's record of the connection (a document number)"),
  ).action(async (systemId: string, o: { reference: string } & OfficerFlags) => {
    const confirmed = await asOfficer(o, (r, officer) => r.confirmEidPlatform(systemId, officer, o.reference));
    console.log(
      `${systemId}: e-identification platform connection confirmed by ${confirmed.by} (${confirmed.reference}); no security assessment is asked of it (R31)`,
    );
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
      .option('--officer <id>', `the deciding officer: ${OFFICER_OPTION_HELP}`)
      .option('--reason <text>', 'why')
      .action(async (id: string, o: { reason?: string } & OfficerFlags) => {
        const agreement = await asOfficer(o, (r, officer) =>
          step === 'suspend'
            ? r.suspendAgreement(id, officer, o.reason ?? '')
            : step === 'revoke'
              ? r.revokeAgreement(id, officer, o.reason ?? '')
              : r.reinstateAgreement(id, officer, o.reason),
        );
        console.log(`agreement ${agreement.id} is now ${agreement.status}`);
      });
  }

  registerWrittenRequestCommand(registry);

  registry
    .command('catalogue')
    .description('The published catalogue of exchange services (R16).')
    .action(async () => {
      const [catalogue, status] = await withRegistry(async (r) => [r.serviceCatalogue(), await r.catalogueStatus()] as const);
      console.log(
        `Service catalogue ${catalogue.version}, published ${catalogue.publishedAt}, last reviewed ${localDay(status.lastReviewedAt)}, next review due ${localDay(status.reviewDueAt)} (Vietnam days)\n`,
      );
      printTable([['service', 'fields', 'description'], ...catalogue.services.map((s) => [s.name, s.mode ?? '—', s.description])]);
      const warning = catalogueWarning(status);
      if (warning !== null) console.error(`\n${warning}`);
    });

  officerOption(
    registry
      .command('catalogue-review')
      .description('Record the yearly review of the service catalogue in force (R24), as the agency head; journaled.')
      .requiredOption('--note <text>', 'what was reviewed and decided'),
  ).action(async (o: { note: string } & OfficerFlags) => {
    const [status, officer] = await asOfficer(
      o,
      async (r, officer) => [await r.reviewCatalogue(o.note, officer), officer] as const,
      'review-catalogue',
    );
    console.log(`service catalogue ${status.version} reviewed by ${officer}; next review due ${localDay(status.reviewDueAt)}`);
  });

  officerOption(
    registry
      .command('usage')
      .description(
        'Units used per day and service under an agreement, allowed and refused (R23): one per citizen answered or change delivered; Vietnam days.',
      )
      .argument('<agreement-id>')
      .option('--from <day>', 'first day, YYYY-MM-DD (default: 30 days ago)')
      .option('--to <day>', 'last day, YYYY-MM-DD (default: today)'),
  ).action(async (id: string, o: { from?: string; to?: string } & OfficerFlags) => {
    const to = o.to ?? localDay(new Date());
    const from = o.from ?? localDay(new Date(Date.parse(`${to}T12:00:00Z`) - 29 * 86_400_000));
    const report = await asOfficer(o, (r, officer) => r.usageReport(id, from, to, officer));
    const rows = report.days.flatMap((d) => [
      [d.day, 'all', String(d.allowed), String(d.refused)],
      ...Object.entries(d.services).map(([service, units]) => ['', service, String(units.allowed), String(units.refused)]),
      ...(d.unaccounted > 0 ? [['', 'unreleased leases', String(d.unaccounted), '0']] : []),
    ]);
    printTable([
      ['day', 'service', 'allowed', 'refused'],
      ...rows,
      ['total', 'all', String(report.total.allowed), String(report.total.refused)],
    ]);
    console.log(
      `\nfee class: ${report.feeClass}; units of a lease still held are counted as of its holder's last write (every ${FLUSH_MS / 1000} s)`,
    );
    if (report.days.some((d) => d.unaccounted > 0))
      console.log('unreleased leases: blocks a hub instance leased and never released (it stopped without closing); counted as used.');
  });
}
