// The named steps of a process's stop. A stop cut by its bound (cli/shutdown.ts) says which steps
// it was still waiting on ("waiting on: API, API: decisions"), so an operator, or a
// test that saw a hub exit 75, knows where the stop hung instead of guessing.

const underWay: string[] = [];

/** Runs one named step of a stop, noted as under way until it settles. */
export async function stopStep<T>(name: string, step: () => Promise<T>): Promise<T> {
  underWay.push(name);
  try {
    return await step();
  } finally {
    underWay.splice(underWay.lastIndexOf(name), 1);
  }
}

/** The steps of this process's stop still under way, the outermost first. */
export function stepsUnderWay(): string[] {
  return [...underWay];
}
