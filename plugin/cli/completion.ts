/**
 * @module `greenlight completion bash|zsh|fish`: a completion script made from the command table,
 * so a new command and its flags complete without touching this file. The script is static (no
 * `greenlight` process per Tab): commands, each command's flags, and the values of flags that take
 * a closed set (`-o`, `--inventory`, `--only`, ...).
 */
import { COMMANDS, type Command } from './commands.js';
import { parseCommandFlags } from './command-flags.js';
import { INVENTORY_NAMES } from './inventory-flag.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export const COMPLETION_USAGE = `Usage: greenlight completion bash|zsh|fish

Prints a shell completion script for greenlight's commands, flags and flag values.

  bash:  source <(greenlight completion bash)          # in ~/.bashrc
  zsh:   source <(greenlight completion zsh)           # in ~/.zshrc (uses bashcompinit)
  fish:  greenlight completion fish > ~/.config/fish/completions/greenlight.fish`;

const COMPLETION_OPTIONS = { help: { type: 'boolean', short: 'h' } } as const;

interface Described {
  readonly name: string;
  readonly summary: string;
  readonly command: Command;
}

/** A flag's values for completion: declared ones, and `--inventory`'s names (paths complete as files). */
function valuesOf(c: Command, flag: string): readonly string[] | undefined {
  if (flag === 'inventory') return INVENTORY_NAMES;
  return c.values?.[flag];
}

const words = (list: readonly string[]) => list.join(' ');
const shellFunctionName = '_greenlight';

function bashScript(commands: readonly Described[]): string {
  const valueCases: string[] = [];
  const takesValue: string[] = [];
  const flagCases: string[] = [];
  for (const { name, command } of commands) {
    const flags: string[] = [];
    for (const [flag, o] of Object.entries(command.options)) {
      const spellings = [`--${flag}`, ...(o.short !== undefined ? [`-${o.short}`] : [])];
      flags.push(`--${flag}`);
      if (o.type !== 'string') continue;
      const values = valuesOf(command, flag);
      const patterns = spellings.map((s) => `${name}:${s}`).join('|');
      if (values !== undefined) {
        const files = flag === 'inventory' ? ' $(compgen -f -- "$cur")' : '';
        valueCases.push(`    ${patterns}) COMPREPLY=( $(compgen -W "${words(values)}" -- "$cur")${files} ); return 0 ;;`);
      } else takesValue.push(patterns);
    }
    flagCases.push(`    ${name}) COMPREPLY=( $(compgen -W "${words(flags)}" -- "$cur") ) ;;`);
  }
  return `# bash completion for greenlight; load it with: source <(greenlight completion bash)
${shellFunctionName}() {
  local cur prev cmd
  cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -le 1 ]; then
    COMPREPLY=( $(compgen -W "${words([...commands.map((c) => c.name), '--help', '--version'])}" -- "$cur") )
    return 0
  fi
  cmd="\${COMP_WORDS[1]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$cmd" in
    help) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=( $(compgen -W "${words(commands.map((c) => c.name))}" -- "$cur") ); return 0 ;;
    completion) [ "$COMP_CWORD" -eq 2 ] && COMPREPLY=( $(compgen -W "${words(SHELLS)}" -- "$cur") ); return 0 ;;
  esac
  case "$cmd:$prev" in
${valueCases.join('\n')}
${takesValue.length > 0 ? `    ${takesValue.join('|')}) return 0 ;;` : ''}
  esac
  case "$cmd" in
${flagCases.join('\n')}
  esac
  return 0
}
complete -o default -F ${shellFunctionName} greenlight
`;
}

function zshScript(commands: readonly Described[]): string {
  return `#compdef greenlight
# zsh completion for greenlight; load it with: source <(greenlight completion zsh)
# It is the bash completion, through zsh's bashcompinit.
if ! (( $+functions[compdef] )); then autoload -U +X compinit && compinit; fi
autoload -U +X bashcompinit && bashcompinit
${bashScript(commands)}`;
}

function fishScript(commands: readonly Described[]): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const lines = ['# fish completion for greenlight: greenlight completion fish > ~/.config/fish/completions/greenlight.fish', 'complete -c greenlight -f'];
  lines.push(`complete -c greenlight -n __fish_use_subcommand -l help -s h -d ${q('show the help')}`);
  lines.push(`complete -c greenlight -n __fish_use_subcommand -l version -d ${q("print greenlight's version")}`);
  for (const { name, summary } of commands) lines.push(`complete -c greenlight -n __fish_use_subcommand -a ${name} -d ${q(summary)}`);
  lines.push(`complete -c greenlight -n '__fish_seen_subcommand_from help' -a ${q(words(commands.map((c) => c.name)))}`);
  lines.push(`complete -c greenlight -n '__fish_seen_subcommand_from completion' -a ${q(words(SHELLS))}`);
  for (const { name, command } of commands) {
    for (const [flag, o] of Object.entries(command.options)) {
      const short = o.short !== undefined ? ` -s ${o.short}` : '';
      const values = valuesOf(command, flag);
      const arg = o.type !== 'string' ? '' : values === undefined ? ' -r -F' : flag === 'inventory' ? ` -r -F -a ${q(words(values))}` : ` -x -a ${q(words(values))}`;
      lines.push(`complete -c greenlight -n '__fish_seen_subcommand_from ${name}' -l ${flag}${short}${arg}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, from every command in the table. */
export async function completionScript(shell: Shell): Promise<string> {
  const commands = await Promise.all(COMMANDS.map(async (e) => ({ name: e.name, summary: e.summary, command: await e.load() })));
  if (shell === 'bash') return bashScript(commands);
  if (shell === 'zsh') return zshScript(commands);
  return fishScript(commands);
}

export const completionCommand: Command = {
  usage: COMPLETION_USAGE,
  options: COMPLETION_OPTIONS,
  async run(argv, _env, io) {
    const parsed = parseCommandFlags('completion', COMPLETION_USAGE, { args: [...argv], allowPositionals: true, options: COMPLETION_OPTIONS }, io);
    if ('exit' in parsed) return parsed.exit;
    const [shell, ...extra] = parsed.positionals;
    if (shell === undefined || extra.length > 0 || !(SHELLS as readonly string[]).includes(shell)) {
      io.err(`greenlight completion: name one shell: bash, zsh or fish${shell !== undefined && extra.length === 0 ? `, got "${shell}"` : ''}\nRun "greenlight completion --help" for how to load it.\n`);
      return 2;
    }
    io.out(await completionScript(shell as Shell));
    return 0;
  },
};
