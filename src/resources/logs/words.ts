/*
 * How log search sees text, the same on both stores: the server cuts a line into words and the
 * store indexes exactly those words (see migration 012).
 *
 * - A word is a run of letters and digits (Unicode), lower-cased; anything else separates words.
 *   `Connection refused: host=db-1` has the words connection, refused, host, db, 1.
 * - Words longer than MAX_WORD characters are cut to that length, in lines and searches alike.
 * - A search matches a line holding every word of the search, in any order (so `ERROR` finds
 *   lines with the word error, not `ERRORS`). A `*` right after a word makes it a prefix:
 *   `conn*` finds connection and connect. There is no phrase or fuzzy matching.
 */

export const MAX_WORD = 100;

const WORD = /[\p{L}\p{N}]+/gu;

/** The distinct words of `text`, in order of first appearance. */
export function wordsOf(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.toLowerCase().matchAll(WORD)) seen.add(m[0].slice(0, MAX_WORD));
  return [...seen];
}

export interface SearchTerm {
  word: string;
  prefix: boolean;
}

/** The terms of a search text; empty when it holds no letter or digit. */
export function searchTerms(text: string): SearchTerm[] {
  const out: SearchTerm[] = [];
  const seen = new Set<string>();
  for (const m of text.toLowerCase().matchAll(/([\p{L}\p{N}]+)(\*?)/gu)) {
    const term = { word: m[1]!.slice(0, MAX_WORD), prefix: m[2] === '*' };
    const key = `${term.word}${term.prefix ? '*' : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(term);
  }
  return out;
}

/*
 * Words hold only letters and digits, so they need no escaping in either query language; the
 * quoting below is for the stores' syntax only.
 */

/**
 * The FTS5 table also holds, with each line, a token naming its Deployment, so a search counts
 * and reads only that Deployment's matches. U+00B7 (middle dot) is no letter or digit, so no word
 * of a line can be that token; the `ascii` tokenizer keeps it inside a token.
 */
const deploymentToken = (deploymentId: string) => `\u00B7${deploymentId.replace(/[^A-Za-z0-9]/g, '')}`;

/** The words as the FTS5 table stores them: separated by spaces, split again by its `ascii` tokenizer. */
export const ftsDocument = (deploymentId: string, words: string[]) => [deploymentToken(deploymentId), ...words].join(' ');

/** An FTS5 query matching every term in one Deployment's lines. */
export const ftsQuery = (deploymentId: string, terms: SearchTerm[]) =>
  [`"${deploymentToken(deploymentId)}"`, ...terms.map((t) => `"${t.word}"${t.prefix ? ' *' : ''}`)].join(' AND ');

/** A tsvector literal of the words, taken as they are (no parser, no dictionary). */
export const tsvectorLiteral = (words: string[]) => words.map((w) => `'${w}'`).join(' ');

/** A tsquery literal matching every term. */
export const tsqueryLiteral = (terms: SearchTerm[]) => terms.map((t) => `'${t.word}'${t.prefix ? ':*' : ''}`).join(' & ');
