// Records a source connector could not publish, one JSON line each, with the reason, so the
// sectoral team can fix them at the source and import the file again.
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RejectedRecord {
  position: number;
  reason: string;
  detail: string;
  record: Record<string, string> | null;
}

export class RejectLog {
  private ready: Promise<unknown> | undefined;

  constructor(readonly path: string) {}

  async add(rejected: RejectedRecord): Promise<void> {
    this.ready ??= mkdir(dirname(this.path), { recursive: true });
    await this.ready;
    await appendFile(this.path, `${JSON.stringify({ ...rejected, rejectedAt: new Date().toISOString() })}\n`);
  }
}
