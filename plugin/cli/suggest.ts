/** @module "Did you mean": the closest known word to a mistyped one, as kubectl and git suggest. */
import { distance as levenshtein } from 'fastest-levenshtein';

/** Whether `b` is `a` with two neighbouring letters swapped ("dmeo" and "demo"). */
function oneSwapApart(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((ch, i) => (ch === b[i] ? [] : [i]));
  return diff.length === 2 && diff[1] === (diff[0] as number) + 1 && a[diff[0] as number] === b[diff[1] as number] && a[diff[1] as number] === b[diff[0] as number];
}

/** Edit distance counting a swap of neighbouring letters as one edit (Damerau's), enough for typos. */
export function editDistance(a: string, b: string): number {
  return oneSwapApart(a, b) ? 1 : levenshtein(a, b);
}

/**
 * The known words nearest to `typed`: those at the smallest edit distance, if it is at most 1
 * for a word of up to four letters and 2 for longer ones (kubectl's bound), else the known words
 * that begin with `typed`. Leading dashes do not count. Empty when nothing is close enough.
 */
export function closestWords(typed: string, known: readonly string[]): string[] {
  const bare = (w: string) => w.replace(/^-+/, '').toLowerCase();
  const word = bare(typed);
  const limit = word.length <= 4 ? 1 : 2;
  const scored = known.map((k) => ({ k, d: editDistance(word, bare(k)) }));
  const best = Math.min(...scored.map(({ d }) => d));
  if (best <= limit) return scored.filter(({ d }) => d === best).map(({ k }) => k);
  return word.length >= 2 ? known.filter((k) => bare(k).startsWith(word)) : [];
}

/** `; did you mean "x"?` (or `"x" or "y"`), or '' when nothing known is close. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const words = closestWords(typed, known).slice(0, 2);
  if (words.length === 0) return '';
  return `; did you mean ${words.map((w) => `"${w}"`).join(' or ')}?`;
}
