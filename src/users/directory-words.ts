// Where a directory search may start in a member's name and address: the rules alone, without SQL, shared by
// the index's upkeep, the migration that builds it and the search itself.
//
// A member is found when the query, normalized like the text, starts their whole name or address, or starts
// there at a word. A word starts at a letter or digit that follows anything else, so an address is cut at
// . _ - + @ (its local part's pieces, then each label of its domain) and a name at spaces, hyphens and
// apostrophes: "diaz", "example", "example.com", "dave.diaz" and "dave.diaz@ex" all find dave.diaz@example.com,
// "diaz" and "dave d" find "Dave Diaz", and "iaz" finds neither (the start of a word, not a substring).
// Each indexed "word" is the rest of the text from that start, so a query of several words or with punctuation
// ("dave d", "w_") is still one range of the index. Scripts written without spaces (Chinese, Japanese, Thai) are
// one word per run of letters: found by the run's start only, as before.

/** Letters, digits and combining marks (a mark continues the word of the letter it is on). */
const wordStart = /(?<![\p{L}\p{N}\p{M}])[\p{L}\p{N}]/gu;

/** What indexing and queries both compare: lower-cased in every script, composed (NFC), each run of white space
 *  one space, trimmed. */
export function normalizeForDirectory(text: string): string {
  return text.toLowerCase().normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** The text from its start and from the start of each of its words, normalized. */
export function wordsOf(text: string | null): string[] {
  if (text === null) return [];
  const t = normalizeForDirectory(text);
  if (t.length === 0) return [];
  const starts = new Set([0]);
  for (const m of t.matchAll(wordStart)) starts.add(m.index);
  return [...starts].map((i) => t.slice(i));
}

/** Everything a member is found by: the words of their address and of their display name, each once. */
export function wordsOfMember(m: { email: string; displayName: string | null }): string[] {
  return [...new Set([...wordsOf(m.email), ...wordsOf(m.displayName)])];
}
