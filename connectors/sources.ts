// The four source systems: how each one's native records become canonical events.

import type { SourceEvent } from '../schemas/source-event.ts';
import type { SourceName } from '../schemas/sources.ts';
import { CIVIL_STATUS_COLUMNS } from './civil-status/native-record.ts';
import { toEvent as civilStatusToEvent } from './civil-status/to-event.ts';
import { HEALTH_COLUMNS } from './health/native-record.ts';
import { toEvent as healthToEvent } from './health/to-event.ts';
import { ID_CARD_COLUMNS } from './id-card/native-record.ts';
import { toEvent as idCardToEvent } from './id-card/to-event.ts';
import { RESIDENCE_COLUMNS } from './residence/native-record.ts';
import { toEvent as residenceToEvent } from './residence/to-event.ts';

export interface SourceDefinition {
  source: SourceName;
  /** Maps one native record; throws MappingError when it cannot. */
  toEvent: (native: Record<string, string>) => SourceEvent;
  /** The native columns, in the order of a CSV export. */
  columns: readonly string[];
}

export const SOURCE_DEFINITIONS: Readonly<Record<SourceName, SourceDefinition>> = {
  'civil-status': { source: 'civil-status', toEvent: civilStatusToEvent, columns: CIVIL_STATUS_COLUMNS },
  residence: { source: 'residence', toEvent: residenceToEvent, columns: RESIDENCE_COLUMNS },
  'id-card': { source: 'id-card', toEvent: idCardToEvent, columns: ID_CARD_COLUMNS },
  health: { source: 'health', toEvent: healthToEvent, columns: HEALTH_COLUMNS },
};
