import { type Command, InvalidArgumentError } from 'commander';
import type { Io } from '../context.ts';

/**
 * `plantgate completion bash|zsh`: a completion script generated from the command tree
 * itself, so every command and flag another module registers is completed too.
 */
export function registerCompletionCommand(program: Command, io: Io): void {
  program
    .command('completion')
    .description('print a shell completion script: eval "$(plantgate completion bash)" (or zsh)')
    .argument('<shell>', 'bash or zsh', (v: string) => {
      if (v !== 'bash' && v !== 'zsh') throw new InvalidArgumentError('must be bash or zsh');
      return v;
    })
    .action((shell: 'bash' | 'zsh') => {
      io.out(completionScript(program, shell));
    });
}

export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const cases: string[] = [];
  const walk = (command: Command, path: string[]) => {
    const words = [
      ...command.commands.map((c) => c.name()),
      ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))),
      '--help',
    ];
    cases.push(`    ${JSON.stringify(path.join(' '))}) words=${shellQuote(words.join(' '))} ;;`);
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  const bash = `_plantgate() {
  local cur path="" w i words=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    if [[ -n "$(_plantgate_words "\${path:+$path }$w")" ]]; then path="\${path:+$path }$w"; fi
  done
  words="$(_plantgate_words "$path")"
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
_plantgate_words() {
  local words=""
  case "$1" in
${cases.join('\n')}
  esac
  printf '%s' "$words"
}
complete -o default -F _plantgate plantgate`;
  return shell === 'bash' ? bash : `#compdef plantgate\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
