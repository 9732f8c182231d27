// A topic just created, or a broker just started, answers "not the leader" / "coordinator
// loading" for a while: ask again (retriable errors only) until it answers.

const READY_ATTEMPTS = 120;
const READY_PAUSE_MS = 250;

export async function untilAnswering<T>(probe: () => Promise<T>, what: string): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await probe();
    } catch (error) {
      // kafkajs's error classes are not named exports under Node's ESM loader; read the flag.
      const retriable = error instanceof Error && (error as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= READY_ATTEMPTS) {
        throw new Error(`${what} did not become usable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, READY_PAUSE_MS));
    }
  }
}
