import { describe, expect, it } from 'vitest';
import { replicationFor } from './topics.ts';

describe('topic replication', () => {
  it('three copies with min.insync.replicas 2 on three brokers or more; one broker keeps one copy and accepts a write on it', () => {
    expect(replicationFor(1)).toEqual({ replicationFactor: 1, minInsyncReplicas: 1 });
    expect(replicationFor(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: 1 });
    expect(replicationFor(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(replicationFor(7)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
  });
});
