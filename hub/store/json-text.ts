// Parts of stored documents kept as one JSON text (stored-citizen.ts, stored-history.ts): parsed
// here, so that text that is not JSON is reported as a damaged document, never read as a value.

/** `text` parsed; throws naming `what` (e.g. "citizen 0010…: its `state`") if it is not JSON. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON (${(error as Error).message}); the document is damaged`);
  }
}
