/** @module "Did you mean": the closest known word to a mistyped one, as kubectl and git suggest. */
import { distance } from 'fastest-levenshtein';

/**
 * The known words nearest to `typed`: those at the smallest edit distance, if it is at most 2
 * (kubectl's bound; 1 for words of one or two letters), else the words `typed` begins.
 * Empty when nothing is close enough.
 */
export function closestWords(typed: string, known: readonly string[]): string[] {
  const limit = typed.replace(/^-+/, '').length <= 2 ? 1 : 2;
  const scored = known.map((word) => ({ word, d: distance(typed.toLowerCase(), word.toLowerCase()) }));
  const best = Math.min(...scored.map(({ d }) => d));
  if (best <= limit) {
    // Among equally near words, the ones of the typed length first: "--pari" is "--pair" with
    // two letters swapped (one Damerau edit), not "--var".
    const near = scored.filter(({ d }) => d === best).map(({ word }) => ({ word, len: Math.abs(word.length - typed.length) }));
    const bestLen = Math.min(...near.map(({ len }) => len));
    return near.filter(({ len }) => len === bestLen).map(({ word }) => word);
  }
  return typed.replace(/^-+/, '').length >= 2 ? known.filter((word) => word.startsWith(typed)) : [];
}

/** `; did you mean "x"?` (or `"x" or "y"`), or '' when nothing known is close. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const words = closestWords(typed, known).slice(0, 2);
  if (words.length === 0) return '';
  return `; did you mean ${words.map((w) => `"${w}"`).join(' or ')}?`;
}
