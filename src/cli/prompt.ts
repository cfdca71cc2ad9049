import { CliError } from './errors.ts';

/** What was typed after the Enter that ended the previous answer (answers typed ahead). */
let typedAhead = '';

/**
 * Reads a secret from the terminal without echoing it (issue 7 item 17): raw mode, so
 * the terminal does not print what is typed; Backspace edits, Ctrl-C and Ctrl-D cancel.
 * The prompt goes to standard error so standard output stays clean for --json.
 */
export async function promptSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new CliError('no terminal to ask for the password: pass --password-stdin (and pipe it in)', 'usage');
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let secret = '';
      const onData = (chunk: string): boolean => {
        const chars = [...chunk];
        for (const [i, ch] of chars.entries()) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            typedAhead = chars.slice(i + 1).join('').replace(/^\n/, '');
            resolve(secret);
            return true;
          }
          if (ch === '\u0003' || ch === '\u0004') {
            stdin.off('data', onData);
            reject(new CliError('cancelled', 'usage'));
            return true;
          }
          if (ch === '\u007f' || ch === '\b') secret = [...secret].slice(0, -1).join('');
          else if (ch >= ' ') secret += ch;
        }
        return false;
      };
      const ahead = typedAhead;
      typedAhead = '';
      if (!onData(ahead)) stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
