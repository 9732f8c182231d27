import { describe, expect, it } from 'vitest';
import { journalFilter } from './query-journal.ts';

describe('journal queries', () => {
  it("R8: who read a citizen's data is asked of the store as exchange entries only, so ingest entries naming the citizen never use up the limit", () => {
    expect(journalFilter({ citizen: '001090123456', act: 'exchange' })).toEqual({ citizens: '001090123456', act: 'exchange' });
    expect(journalFilter({ citizen: '001090123456' })).toEqual({ citizens: '001090123456' });
  });

  it('R35: an entry reference asks for exactly that document: `<chain>:<n>` on an instance chain, the bare number on the shared one', () => {
    expect(journalFilter({ entry: { chain: 'hub-a', sequence: 12 } })).toEqual({ _id: 'hub-a:12' });
    expect(journalFilter({ entry: { chain: 'hub', sequence: 12 } })).toEqual({ _id: 12 });
  });
});
