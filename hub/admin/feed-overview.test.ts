import { describe, expect, it } from 'vitest';
import { sourceTopic } from '../../kafka/topics.ts';
import { FeedHistory } from './feed-history.ts';
import { type ConnectorView, feedOverview } from './feed-overview.ts';

const counts = (received: number, lag: number | null) => ({ received, applied: received, duplicates: 0, rejected: 0, changes: 0, lag });

function connector(name: string, state: ConnectorView['state'], reason: string): ConnectorView {
  return {
    connector: name,
    topic: sourceTopic('residence'),
    state,
    reason,
    heartbeatAgeSeconds: 1,
    counts: { published: 5, rejected: 1 },
    lag: 0,
    lastError: null,
  };
}

describe('the dashboard overview of the source feeds', () => {
  it('a chart point is the records handled per second between two samples, never negative across a hub restart, and the ring keeps only the window', () => {
    const history = new FeedHistory({ read: async () => ({}), intervalMs: 5_000, windowMs: 15_000 });
    history.add({ at: 0, feeds: { residence: counts(0, 0) } });
    history.add({ at: 5_000, feeds: { residence: counts(50, 3) } });
    history.add({ at: 10_000, feeds: { residence: counts(10, null) } }); // restarted: counts from zero
    expect(history.series('residence')).toEqual([
      { at: 5_000, perSecond: 10, lag: 3 },
      { at: 10_000, perSecond: 2, lag: null },
    ]);
    history.add({ at: 15_000, feeds: { residence: counts(20, 0) } });
    history.add({ at: 20_000, feeds: { residence: counts(30, 0) } });
    expect(history.samples().map((sample) => sample.at)).toEqual([5_000, 10_000, 15_000, 20_000]);
  });

  it('R26: a feed is as bad as its worst connector still running, with every connector named in the reason; with no heartbeat its state is unknown, never healthy', () => {
    const history = new FeedHistory({ read: async () => ({}) });
    const overview = feedOverview({
      counts: new Map([['residence', { received: 7, applied: 6, duplicates: 0, rejected: 1, changes: 6 }]]),
      history,
      connectors: [
        connector('a', 'healthy', 'fine'),
        connector('b', 'down', 'no heartbeat for 90 s'),
        { ...connector('c', 'healthy', 'fine'), topic: 'dancu.changes.v1' },
      ],
      now: 0,
    });
    const residence = overview.feeds.find((feed) => feed.source === 'residence')!;
    expect(residence).toMatchObject({
      state: 'down',
      reason: 'a: fine; b: no heartbeat for 90 s',
      published: 10,
      rejectedAtSource: 2,
      received: 7,
      rejected: 1,
      lag: null,
    });
    expect(overview.feeds.find((feed) => feed.source === 'health')).toMatchObject({
      state: 'unknown',
      reason: 'no connector has sent a heartbeat for this topic',
      published: null,
    });
    expect(overview.otherConnectors.map((other) => other.connector)).toEqual(['c']);
    // A connector that stopped cleanly does not drag down a feed another connector keeps alive.
    const finished = { ...connector('import', 'down', 'stopped cleanly'), reportedState: 'stopping' };
    const fed = feedOverview({ counts: new Map(), history, connectors: [connector('live', 'healthy', 'running'), finished], now: 0 });
    expect(fed.feeds.find((feed) => feed.source === 'residence')).toMatchObject({ state: 'healthy', reason: 'running' });
    const stopped = feedOverview({ counts: new Map(), history, connectors: [finished], now: 0 });
    expect(stopped.feeds.find((feed) => feed.source === 'residence')).toMatchObject({ state: 'down', reason: 'stopped cleanly' });
    const withoutHealth = feedOverview({ counts: new Map(), history, connectors: undefined, now: 0 });
    expect(withoutHealth.feeds[0]).toMatchObject({ state: 'unknown', reason: 'this hub does not report connector health' });
  });
});
