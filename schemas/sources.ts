// The source registers that feed dancu. Their names are part of the ingest contract: each has its
// topic (kafka/topics.ts `sourceTopic`), its event schemas (schemas/events/<source>/) and is the
// `source` of its events.
export const SOURCES = ['civil-status', 'residence', 'id-card', 'health'] as const;
export type SourceName = (typeof SOURCES)[number];

export function isSourceName(value: string): value is SourceName {
  return (SOURCES as readonly string[]).includes(value);
}
