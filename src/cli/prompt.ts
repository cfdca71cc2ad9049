import { escapeUnsafe } from '../core/render/unsafe-characters.ts';
import { CliError } from './errors.ts';

/** What was typed after the Enter that ended the previous answer (answers typed ahead). */
let typedAhead = '';

/**
 * Reads a secret from the terminal without echoing it (issue 7 item 17): raw mode, so
 * the terminal does not print what is typed; Backspace edits, Ctrl-C and Ctrl-D cancel.
 * The prompt goes to standard error so standard output stays clean for --json.
 */
export async function promptSecret(prompt: string, noTerminal = 'no terminal to ask for the password: pass --password-stdin (and pipe it in)'): Promise<string> {
  return readLine(prompt, false, noTerminal);
}

/** Reads a line that may be seen (a name), echoed as typed; the same typed-ahead handling as promptSecret. */
export async function promptLine(prompt: string, noTerminal: string): Promise<string> {
  return readLine(prompt, true, noTerminal);
}

async function readLine(prompt: string, echo: boolean, noTerminal: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new CliError(noTerminal, 'usage');
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
          if (ch === '\u007f' || ch === '\b') {
            if (echo && secret.length > 0) process.stderr.write('\b \b');
            secret = [...secret].slice(0, -1).join('');
          } else if (ch >= ' ') {
            secret += ch;
            if (echo) process.stderr.write(escapeUnsafe(ch));
          }
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
