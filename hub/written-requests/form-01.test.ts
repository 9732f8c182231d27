import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf, renderForm01, renderRefusalLetter } from './form-01.ts';

const dir = mkdtempSync(join(tmpdir(), 'dancu-form01-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The share of dark pixels on the first page, rendered by poppler's pdftoppm (Debian poppler-utils). */
function inkOnFirstPage(pdf: Buffer, name: string): number {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-r', '60', '-gray', '-singlefile', '-f', '1', '-l', '1', file, join(dir, name)]);
  const pgm = readFileSync(join(dir, `${name}.pgm`));
  // P5 <width> <height> <max>\n then one byte per pixel.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 40).toString('latin1'));
  expect(header).not.toBeNull();
  const pixels = pgm.subarray(header![0].length);
  let dark = 0;
  for (const pixel of pixels) if (pixel < 128) dark += 1;
  return dark / pixels.length;
}

function textOf(pdf: Buffer, name: string): string {
  const file = join(dir, `${name}-text.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).normalize('NFC');
}

const issuedAt = new Date('2026-03-12T10:00:00+07:00');

describe('the Form 01 notice and the written refusal', () => {
  it('R19, R39: a Form 01 notice renders as a PDF whose page is not blank and whose text keeps every Vietnamese diacritic', async () => {
    const pdf = await renderForm01({
      reference: 'VB-2026-0001',
      requester: 'Bà Trần Thị Bích Ngọc',
      issuedAt,
      issuedBy: 'Thiếu tá Nguyễn Đức Thắng',
      citizens: [
        {
          personalId: '001190123456',
          fields: [
            {
              field: 'fullName',
              value: 'Trần Thị Bích Ngọc',
              source: 'civil-status',
              effectiveAt: new Date('1990-04-30'),
              authoritative: true,
            },
            { field: 'dateOfBirth', value: '1990-04-30', source: 'civil-status', effectiveAt: new Date('1990-04-30'), authoritative: true },
            {
              field: 'permanentAddress',
              value: { province: 'Hà Nội', ward: 'Phường Láng', detail: 'Số 12, ngõ 34' },
              source: 'residence',
              effectiveAt: new Date('2020-01-01'),
              authoritative: true,
            },
          ],
        },
        { personalId: '001090654321', fields: 'not-found' },
      ],
    });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const ink = inkOnFirstPage(pdf, 'notice');
    expect(ink).toBeGreaterThan(0.005);
    expect(ink).toBeLessThan(0.5);
    const text = textOf(pdf, 'notice');
    for (const expected of [
      'Mẫu số 01',
      'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Họ, chữ đệm và tên: Trần Thị Bích Ngọc',
      'Ngày, tháng, năm sinh: 30/04/1990',
      'Nơi thường trú: Số 12, ngõ 34, Phường Láng, Hà Nội',
      'Ngày 12 tháng 03 năm 2026',
      'Không có công dân nào khớp',
    ]) {
      expect(text).toContain(expected);
    }
    // The same notice renders the same bytes, so its recorded digest identifies it.
    expect(digestOf(await renderForm01({ reference: 'x', requester: 'y', issuedAt, issuedBy: 'z', citizens: [] }))).toBe(
      digestOf(await renderForm01({ reference: 'x', requester: 'y', issuedAt, issuedBy: 'z', citizens: [] })),
    );
  });

  it('R19, R11: a refusal is a written letter carrying the reason', async () => {
    const pdf = await renderRefusalLetter({
      reference: 'VB-2026-0002',
      requester: 'Công ty Luật Hồng Đức',
      issuedAt,
      issuedBy: 'Đại úy Lê Văn Hùng',
      reason: 'Văn bản đề nghị không nêu mục đích sử dụng thông tin.',
    });
    expect(inkOnFirstPage(pdf, 'refusal')).toBeGreaterThan(0.005);
    expect(textOf(pdf, 'refusal')).toContain('Văn bản đề nghị không nêu mục đích sử dụng thông tin.');
  });
});
