// Free text shown on the operator dashboard may quote a record's values: a reject detail names
// the offending personal id or card number, a JSON parse error quotes the start of the payload.
// The dashboard shows the shape of the message, never the values in it.

/** Digit runs this long are identifiers (a personal id has 12, an old CMND 9); shorter ones are counts, offsets, codes. */
const IDENTIFIER_DIGITS = 9;

export function redactValues(text: string): string {
  return (
    withoutDoubleQuoted(text)
      // A single-quoted token ('x', as JSON errors quote them), not an apostrophe inside a word.
      .replace(/(^|[^\p{L}\p{N}])'[^']*'(?![\p{L}\p{N}])/gu, "$1'…'")
      .replace(new RegExp(`\\d{${IDENTIFIER_DIGITS},}`, 'g'), '•••')
  );
}

/**
 * First double quote to the last: a quoted payload may itself hold quotes. An odd number of
 * quotes means one is unterminated (a truncated payload): then it runs to the end.
 */
function withoutDoubleQuoted(text: string): string {
  const first = text.indexOf('"');
  if (first === -1) return text;
  const quotes = text.split('"').length - 1;
  const rest = quotes % 2 === 0 ? text.slice(text.lastIndexOf('"') + 1) : '';
  return `${text.slice(0, first)}"…"${rest}`;
}
