/**
 * OpenVPN's config-file line syntax: whitespace-separated tokens, "double" or 'single'
 * quotes, backslash escapes outside single quotes, and a comment where a token would
 * start with `#` or `;`. Returns null for an unterminated quote.
 */
export function openVpnTokens(line: string): string[] | null {
  const tokens: string[] = [];
  let index = 0;
  while (index < line.length) {
    const char = line[index] as string;
    if (char === ' ' || char === '\t') {
      index++;
      continue;
    }
    if (char === '#' || char === ';') break;
    let token = '';
    if (char === '"' || char === "'") {
      const quote = char;
      index++;
      let closed = false;
      while (index < line.length) {
        const c = line[index] as string;
        if (c === quote) {
          closed = true;
          index++;
          break;
        }
        if (c === '\\' && quote === '"' && index + 1 < line.length) {
          token += line[index + 1];
          index += 2;
          continue;
        }
        token += c;
        index++;
      }
      if (!closed) return null;
    } else {
      while (index < line.length) {
        const c = line[index] as string;
        if (c === ' ' || c === '\t') break;
        if (c === '\\' && index + 1 < line.length) {
          token += line[index + 1];
          index += 2;
          continue;
        }
        token += c;
        index++;
      }
    }
    tokens.push(token);
  }
  return tokens;
}
