// The witness's heads beside the store's, head by head, for `dancu journal heads`. The judgement
// is verify-journal.ts's; this only lines them up so an operator can see where they part.
import { headNumber } from './journal-chain.ts';
import { type SignedHead, sameHead } from './signed-head.ts';

/**
 * How one head stands: in both and the same; in both but different; published but gone from the
 * store (removed by retention, or deleted); in the store but not (yet) published.
 */
export type HeadStanding = 'same' | 'differs' | 'removed by retention' | 'missing from the store' | 'not published';

export interface HeadComparison {
  head: SignedHead;
  standing: HeadStanding;
}

/**
 * Every head of one chain either side holds, by number. `removedHeads`: heads 1…n a retention
 * record removed from that chain.
 */
export function compareHeads(witnessed: readonly SignedHead[], stored: readonly SignedHead[], removedHeads: number): HeadComparison[] {
  const inStore = new Map(stored.map((head) => [headNumber(head), head]));
  const published = new Map(witnessed.map((head) => [headNumber(head), head]));
  const numbers = [...new Set([...published.keys(), ...inStore.keys()])].sort((a, b) => a - b);
  return numbers.map((number) => {
    const mine = inStore.get(number);
    const theirs = published.get(number);
    if (!theirs) return { head: mine!, standing: 'not published' };
    if (!mine) return { head: theirs, standing: number <= removedHeads ? 'removed by retention' : 'missing from the store' };
    return { head: theirs, standing: sameHead(theirs, mine) ? 'same' : 'differs' };
  });
}

/** Standings that mean the store lost or changed what the hub published. */
export function isDisagreement(standing: HeadStanding): boolean {
  return standing === 'differs' || standing === 'missing from the store';
}
