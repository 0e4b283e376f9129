// `--peer "CMD {}"` of bench:ingest and bench:shots: another tool run on the same clips, `{}` standing for the
// clip's path. None ships with this repository (it is the user's own install). The words are split at spaces,
// with no quoting: a path with a space needs a wrapper script.
import path from "node:path";

export interface PeerCommand {
  /** the command's file name, for the printed rows */
  name: string;
  command: string;
  /** the arguments for one clip */
  args(file: string): string[];
}

export function peerCommand(spec: string | undefined): PeerCommand | undefined {
  if (spec === undefined) return undefined;
  const [command, ...words] = spec.split(" ").filter((w) => w.length > 0);
  if (!command) throw new Error('--peer needs a command, e.g. --peer "scenedetect -i {} detect-adaptive"');
  return { name: path.basename(command), command, args: (file) => words.map((w) => w.replaceAll("{}", file)) };
}
