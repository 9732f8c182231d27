import { describe, expect, it } from 'vitest';
import type { Change } from '../../../proto/gen/dancu/exchange/v1/exchange.ts';
import { applyChange, REMEMBERED_CHANGES } from './replica-citizen.ts';

const change = (n: number, field: string, value: unknown): Change => ({
  cursor: `c${n}`,
  changeId: `ev-${n}:${field}`,
  personalId: '001099012345',
  value: { field, value, source: 'residence', effectiveAt: new Date('2026-11-01T00:00:00Z'), authoritative: true },
});

describe('applying a change to a replica citizen', () => {
  it('R41, R15: sets the field with its provenance, the change id and the agreement it is held under', () => {
    const next = applyChange(null, change(1, 'permanentAddress', { province: 'Hà Nội' }), 'cr-1');
    expect(next).toMatchObject({
      _id: '001099012345',
      permanentAddress: {
        value: { province: 'Hà Nội' },
        source: 'residence',
        authoritative: true,
        changeId: 'ev-1:permanentAddress',
        agreement: 'cr-1',
      },
      heldUnder: 'cr-1',
      appliedChangeIds: ['ev-1:permanentAddress'],
    });
  });

  it('R41: a change already applied is dropped, even after later changes to the same field', () => {
    const first = applyChange(null, change(1, 'permanentAddress', { province: 'Hà Nội' }), 'cr-1')!;
    const second = applyChange(first, change(2, 'permanentAddress', { province: 'Huế' }), 'cr-1')!;
    expect(applyChange(second, change(2, 'permanentAddress', { province: 'Huế' }), 'cr-1')).toBeNull();
    expect(applyChange(second, change(1, 'permanentAddress', { province: 'Hà Nội' }), 'cr-1')).toBeNull();
    expect(second.permanentAddress).toMatchObject({ value: { province: 'Huế' } });
  });

  it('R41: a null value is kept: the source said the field no longer holds', () => {
    expect(applyChange(null, change(3, 'temporaryAddress', undefined), 'cr-1')).toMatchObject({ temporaryAddress: { value: null } });
  });

  it('R41: remembers a bounded number of change ids, and refuses a field name that would clobber bookkeeping', () => {
    let citizen = applyChange(null, change(0, 'bloodType', 'O'), 'cr-1')!;
    for (let n = 1; n <= REMEMBERED_CHANGES + 5; n += 1) citizen = applyChange(citizen, change(n, 'bloodType', 'A'), 'cr-1')!;
    expect(citizen.appliedChangeIds).toHaveLength(REMEMBERED_CHANGES);
    expect(() => applyChange(null, change(9, 'appliedChangeIds', []), 'cr-1')).toThrow(/no usable field/);
    expect(() => applyChange(null, change(9, 'heldUnder', 'cr-evil'), 'cr-1')).toThrow(/no usable field/);
  });
});
