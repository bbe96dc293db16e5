// Counted nouns in messages: `1 service`, `3 services`.

/** `n` and `word`, with an `s` unless n is 1 (rig's nouns all take one). */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
