// OpenSSH host patterns (`*`, `?`, `!negation`), shared by the ssh_config reader and known_hosts lookup.

/**
 * Whether `text` matches one glob pattern (`*` any run, `?` one char), case-insensitively as OpenSSH does for hosts
 * (`ignoreCase` false: exactly, as it does for user names).
 */
export function matchGlob(pattern: string, text: string, ignoreCase = true): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  // Iterative wildcard match with backtracking to the last `*`: linear in practice, no regex escaping needed.
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * OpenSSH's pattern-list rule: a list matches when some positive pattern matches and no negated
 * (`!pattern`) one does. A list of only negations never matches.
 */
export function matchPatternList(patterns: readonly string[], text: string, ignoreCase = true): boolean {
  let positive = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!matchGlob(pattern, text, ignoreCase)) continue;
    if (negated) return false;
    positive = true;
  }
  return positive;
}
