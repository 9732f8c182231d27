// The written answers of the written-request procedure, as PDF: the Form 01 notice of a
// citizen's information (Thông báo theo mẫu số 01, R19, R39) and the written refusal with its
// reason (R11, R19). Rendered with pdfkit and DejaVu Serif (npm `dejavu-fonts-ttf`), which covers
// every Vietnamese letter and tone mark, embedded so the notice reads the same everywhere.
// The seeds cite Form 01 without reproducing it: its rows are the citizen fields disclosed, under
// the labels the population register uses ("Họ, chữ đệm và tên", "Ngày, tháng, năm sinh" …).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { FIELD_LABELS_VI, formatFieldValue } from '../citizen/field-labels.ts';
import type { DisclosedField } from '../exchange/citizen-view.ts';
import { localDay } from '../registry/working-days.ts';

const fonts = createRequire(import.meta.url);
const REGULAR = fonts.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif.ttf');
const BOLD = fonts.resolve('dejavu-fonts-ttf/ttf/DejaVuSerif-Bold.ttf');

/** One citizen's part of the notice: the disclosed fields, or not found (without saying why). */
export interface NoticeCitizen {
  personalId: string;
  fields: DisclosedField[] | 'not-found';
}

export interface Form01Notice {
  /** The request (or self-service session) it answers. */
  reference: string;
  requester: string;
  issuedAt: Date;
  issuedBy: string;
  citizens: NoticeCitizen[];
}

export interface RefusalLetter {
  reference: string;
  requester: string;
  issuedAt: Date;
  issuedBy: string;
  reason: string;
}

const AGENCY = 'CƠ QUAN QUẢN LÝ CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ';

/** The PDF bytes of a Form 01 notice. */
export function renderForm01(notice: Form01Notice): Promise<Buffer> {
  return render(`Thông báo mẫu số 01 — ${notice.reference}`, notice.issuedAt, (doc) => {
    heading(doc, 'Mẫu số 01', notice.issuedAt, notice.reference);
    doc.font('bold').fontSize(14).text('THÔNG BÁO', { align: 'center' });
    doc.fontSize(12).text('Thông tin của công dân trong Cơ sở dữ liệu quốc gia về dân cư', { align: 'center' }).moveDown();
    doc.font('regular').fontSize(11).text(`Kính gửi: ${notice.requester}`).moveDown(0.5);
    doc.text(`${AGENCY} thông báo thông tin của công dân trong Cơ sở dữ liệu quốc gia về dân cư như sau:`).moveDown();
    notice.citizens.forEach((citizen, n) => {
      doc.font('bold').text(`${n + 1}. Số định danh cá nhân: ${citizen.personalId}`);
      if (citizen.fields === 'not-found') {
        doc.font('regular').text('Không có công dân nào khớp với số định danh cá nhân, họ tên và ngày sinh đã nêu.', { indent: 18 });
      } else if (citizen.fields.length === 0) {
        doc.font('regular').text('Cơ sở dữ liệu chưa có thông tin nào trong các mục được cung cấp.', { indent: 18 });
      } else {
        for (const field of citizen.fields)
          doc.font('regular').text(`${FIELD_LABELS_VI[field.field]}: ${formatFieldValue(field.field, field.value)}`, { indent: 18 });
      }
      doc.moveDown(0.5);
    });
    signature(doc, notice.issuedBy);
  });
}

/** The PDF bytes of the written refusal with its reason (R11, R19). */
export function renderRefusalLetter(letter: RefusalLetter): Promise<Buffer> {
  return render(`Văn bản từ chối — ${letter.reference}`, letter.issuedAt, (doc) => {
    heading(doc, 'Văn bản trả lời', letter.issuedAt, letter.reference);
    doc.font('bold').fontSize(14).text('VĂN BẢN TRẢ LỜI', { align: 'center' });
    doc.fontSize(12).text('Về việc từ chối cung cấp thông tin trong Cơ sở dữ liệu quốc gia về dân cư', { align: 'center' }).moveDown();
    doc.font('regular').fontSize(11).text(`Kính gửi: ${letter.requester}`).moveDown(0.5);
    doc.text(`${AGENCY} từ chối văn bản đề nghị số ${letter.reference} với lý do sau:`).moveDown(0.5);
    doc.text(letter.reason, { indent: 18 }).moveDown();
    signature(doc, letter.issuedBy);
  });
}

/** The SHA-256 the request records of what it delivered. */
export function digestOf(pdf: Buffer): string {
  return createHash('sha256').update(pdf).digest('hex');
}

function heading(doc: PDFKit.PDFDocument, form: string, issuedAt: Date, reference: string): void {
  doc.font('regular').fontSize(10).text(form, { align: 'right' });
  doc.font('bold').fontSize(11).text('CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM', { align: 'center' });
  doc.text('Độc lập - Tự do - Hạnh phúc', { align: 'center' }).moveDown(0.5);
  const [year, month, day] = localDay(issuedAt).split('-');
  doc.font('regular').fontSize(10).text(`Số: ${reference}`);
  doc.text(`Ngày ${day ?? ''} tháng ${month ?? ''} năm ${year ?? ''}`, { align: 'right' }).moveDown();
}

function signature(doc: PDFKit.PDFDocument, officer: string): void {
  doc.moveDown().font('bold').text('CÁN BỘ XỬ LÝ', { align: 'right' });
  doc.font('regular').text(officer, { align: 'right' });
}

/** A4, both fonts embedded, fixed dates in the metadata so the same notice renders the same bytes. */
function render(title: string, issuedAt: Date, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 56,
      info: { Title: title, Producer: 'dancu', Creator: 'dancu', CreationDate: issuedAt, ModDate: issuedAt },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('regular', REGULAR);
    doc.registerFont('bold', BOLD);
    draw(doc);
    doc.end();
  });
}
