import { describe, expect, it } from 'vitest';
import { OBLIGATIONS } from './obligations.ts';
import { buildMatrix, obligationIds, renderMarkdown, type TestRunResults, unproven } from './traceability.ts';

describe('traceability', () => {
  it('reads the ids a title starts with: one, a list, a slash, a range', () => {
    expect(obligationIds('R11: a refusal needs a reason')).toEqual(['R11']);
    expect(obligationIds('R7, R22: Lookup answers exactly the granted fields')).toEqual(['R7', 'R22']);
    expect(obligationIds('R26/R35: one update is one trace')).toEqual(['R26', 'R35']);
    expect(obligationIds('R29–R32: an assessment dated in the future is refused')).toEqual(['R29', 'R30', 'R31', 'R32']);
    expect(obligationIds('R22, R29–R31: a revoked certificate')).toEqual(['R22', 'R29', 'R30', 'R31']);
    expect(obligationIds('R17, R11 over gRPC: the wrong authority cannot approve')).toEqual(['R17', 'R11']);
  });

  it('an id mentioned later in the title, or none, names nothing', () => {
    expect(obligationIds('groups dead letters by reason (R26)')).toEqual([]);
    expect(obligationIds('Rates: no id here')).toEqual([]);
    expect(obligationIds('R2D2 is a robot')).toEqual([]);
  });

  it('counts only passing tests; an obligation with none is unproven, and an id that is no obligation is reported', () => {
    const results: TestRunResults = {
      testResults: [
        {
          name: '/repo/test/a.test.ts',
          assertionResults: [
            { title: 'R11: decided within three working days', status: 'passed' },
            { title: 'R12: consent is needed', status: 'failed' },
            { title: 'R14: skipped one', status: 'skipped' },
            { title: 'R38: does not exist', status: 'passed' },
          ],
        },
      ],
    };
    const matrix = buildMatrix(results, '/repo');
    expect(matrix.rows.find((row) => row.id === 'R11')?.tests).toEqual([
      { file: 'test/a.test.ts', title: 'R11: decided within three working days' },
    ]);
    expect(unproven(matrix)).toContain('R12');
    expect(unproven(matrix)).toContain('R14');
    expect(unproven(matrix)).not.toContain('R11');
    expect(matrix.unknown.map((entry) => entry.id)).toEqual(['R38']);
    expect(matrix.passed).toBe(2);
    expect(matrix.failed).toBe(1);
    const markdown = renderMarkdown(matrix, { at: new Date('2026-11-30T00:00:00Z'), command: 'npm run traceability' });
    expect(markdown).toContain('| R11 | ');
    expect(markdown).toContain('- `test/a.test.ts` › R11: decided within three working days');
    expect(markdown).toMatch(/\*\*No passing test:\*\* R1, R2, .*R12/);
  });

  it('lists R1–R42 without R38, R24 included', () => {
    const ids = OBLIGATIONS.map((obligation) => obligation.id);
    expect(ids).toHaveLength(41);
    expect(ids).not.toContain('R38');
    expect(ids).toContain('R24');
    expect(ids).toEqual(Array.from({ length: 42 }, (_, i) => `R${i + 1}`).filter((id) => id !== 'R38'));
  });
});
