import { afterEach, describe, expect, it, vi } from 'vitest';
import { stopWithin } from './bounded-stop.ts';

describe('a bounded consumer stop', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('R26: a stop that settles is waited for, and says it stopped', async () => {
    const written = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let done = false;
    const stopped = await stopWithin('the test consumer', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      done = true;
    });
    expect(stopped).toBe(true);
    expect(done).toBe(true);
    expect(written).not.toHaveBeenCalled();
  });

  it('R26: a stop that never settles is given up after the bound, naming the consumer, so the rest of the stop goes on', async () => {
    const written = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stopped = await stopWithin('the test consumer', () => new Promise<void>(() => {}), 50);
    expect(stopped).toBe(false);
    expect(String(written.mock.calls[0]?.[0])).toMatch(/^the test consumer: Kafka did not confirm the stop within 0\.05 s/);
  });

  it('R26: a stop that fails does not fail the rest of the stop, and its error is said', async () => {
    const written = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stopped = await stopWithin('the test consumer', () => Promise.reject(new Error('Closed connection')));
    expect(stopped).toBe(true);
    expect(String(written.mock.calls[0]?.[0])).toContain('the test consumer: the stop failed (Closed connection)');
  });
});
