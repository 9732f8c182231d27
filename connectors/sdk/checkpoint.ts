// Where a source connector got to: the position of the last native record whose event Kafka
// acknowledged (or that was rejected). Saved only after the acknowledgement, atomically, so a
// restart skips exactly what is already in Kafka.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface CheckpointState {
  position: number;
  updatedAt: string;
}

export class FileCheckpoint {
  constructor(readonly path: string) {}

  async load(): Promise<number> {
    try {
      const state = JSON.parse(await readFile(this.path, 'utf8')) as CheckpointState;
      if (!Number.isInteger(state.position) || state.position < 0) {
        throw new Error(`checkpoint ${this.path} holds no valid position; fix or delete it to start over`);
      }
      return state.position;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
  }

  async save(position: number): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.tmp`;
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(JSON.stringify({ position, updatedAt: new Date().toISOString() } satisfies CheckpointState));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, this.path);
  }
}
