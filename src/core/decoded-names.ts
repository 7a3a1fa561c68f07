/**
 * Arrays of a reply that hold text decoded from bytes that were not all ASCII.
 *
 * Bytes that are not UTF-8 decode to U+FFFD, so two different field names can come out as the same
 * text, and folding the pairs into an object would drop one field without a word. Only text that
 * was not ASCII can do that, so the parser marks the arrays that hold some, and whoever folds
 * names into an object checks for a repeat only there: replies of ASCII names pay nothing.
 */
const marked = new WeakSet<readonly unknown[]>();

/** What a reply that repeats a name fails with (as a DataError for its command; the stream goes on). */
export const SAME_TEXT_NAMES =
  'two field names decode to the same text (bytes that are not valid UTF-8 become U+FFFD, or the reply repeats a name), and an object cannot hold both; read such names as bytes under withBuffers() (HKEYS, HSCAN, or call() where the reply is an array, as for XRANGE)';

export function markDecodedText(a: readonly unknown[]): void {
  marked.add(a);
}

/** `a` (or an array inside it) holds text the parser decoded from bytes that were not all ASCII. */
export function holdsDecodedText(a: readonly unknown[]): boolean {
  return marked.has(a);
}
