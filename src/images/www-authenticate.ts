/**
 * The WWW-Authenticate challenge of a registry's 401 (RFC 7235 §4.1, as the
 * distribution spec uses it): `Bearer realm="…",service="…",scope="…"` or
 * `Basic realm="…"`. Parameter values are quoted strings with backslash
 * escapes, or tokens.
 */

export interface Challenge {
  /** Lower case: "bearer", "basic". */
  scheme: string;
  /** Parameter names in lower case; values unescaped. */
  params: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** Parses one header value into its challenges; junk ends the parse with what was read so far. */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header.trim();
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) break;
    rest = rest.slice(scheme.length).trimStart();
    const params = new Map<string, string>();
    // name=value pairs, comma separated, until the next scheme (a token not followed by "=").
    for (;;) {
      const name = TOKEN.exec(rest)?.[0];
      if (name === undefined) break;
      const afterName = rest.slice(name.length).trimStart();
      if (!afterName.startsWith('=')) break;
      let value: string;
      let after = afterName.slice(1).trimStart();
      if (after.startsWith('"')) {
        const match = /^"((?:[^"\\]|\\.)*)"/.exec(after);
        if (match === null) return [...challenges, { scheme: scheme.toLowerCase(), params }];
        value = match[1]!.replace(/\\(.)/g, '$1');
        after = after.slice(match[0].length);
      } else {
        value = TOKEN.exec(after)?.[0] ?? '';
        after = after.slice(value.length);
      }
      params.set(name.toLowerCase(), value);
      rest = after.trimStart();
      if (!rest.startsWith(',')) break;
      rest = rest.slice(1).trimStart();
    }
    challenges.push({ scheme: scheme.toLowerCase(), params });
    rest = rest.replace(/^,\s*/, '');
  }
  return challenges;
}
