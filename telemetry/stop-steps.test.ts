import { describe, expect, it } from 'vitest';
import { stepsUnderWay, stopStep } from './stop-steps.ts';

describe('the steps of a stop', () => {
  it('names the steps under way, the outermost first, and forgets each once it settles, even when it fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const outer = stopStep('API', () => stopStep('API: gRPC server', () => gate));
    expect(stepsUnderWay()).toEqual(['API', 'API: gRPC server']);
    release();
    await outer;
    expect(stepsUnderWay()).toEqual([]);

    await expect(stopStep('ingest', () => Promise.reject(new Error('store gone')))).rejects.toThrow('store gone');
    expect(stepsUnderWay()).toEqual([]);
  });

  it('keeps steps running side by side apart', async () => {
    let releaseA!: () => void;
    const a = stopStep('a', () => new Promise<void>((resolve) => (releaseA = resolve)));
    const b = stopStep('b', async () => 'b done');
    expect(await b).toBe('b done');
    expect(stepsUnderWay()).toEqual(['a']);
    releaseA();
    await a;
    expect(stepsUnderWay()).toEqual([]);
  });
});
