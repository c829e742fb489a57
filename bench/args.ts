/** The benchmarks' command line: flags, options with a value, repeatable options. */
export interface BenchArgs {
  flag(name: string): boolean;
  /** The value after the first `name`. */
  value(name: string): string | undefined;
  /** The value after every `name` (a repeatable option). */
  values(name: string): string[];
  /** --node-flags "FLAGS", repeatable: one list of Node.js/V8 flags per value, split at spaces. */
  nodeFlagVariants(): string[][];
}

export function benchArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const values = (name: string): string[] => argv.flatMap((arg, i) => (arg === name && argv[i + 1] !== undefined ? [argv[i + 1] as string] : []));
  return {
    flag: (name) => argv.includes(name),
    value: (name) => values(name)[0],
    values,
    nodeFlagVariants: () => values('--node-flags').map((flags) => flags.split(/\s+/).filter((f) => f !== '')),
  };
}
