/** The scanner's view of shell words and pending here-documents (see shellScript.ts). */
import { type Occurrence, unsupported } from './shellText.ts';

/** A shell word as the scanner saw it. */
export interface Word {
  readonly start: number;
  end: number;
  /** The word after quote removal; expansions stand as `_`. */
  decoded: string;
  /** False when the word holds an expansion, so its run-time text is not `decoded`. */
  isStatic: boolean;
  /** Placeholders written in the word's own quoted or unquoted text (not inside an expansion). */
  readonly direct: Occurrence[];
  /** Placeholders inside the word's expansions, other than arithmetic (whose values are checked numbers). */
  readonly indirect: string[];
  /** Set once the word was rendered as another shell's script. */
  nested?: boolean;
}

/** A here-document waiting for its body. */
export interface HereDoc {
  readonly delim: string;
  readonly quoted: boolean;
  readonly strip: boolean;
  /** The pipeline the here-document's command is in, from that command on: a shell there reads the body. */
  readonly pipeline: Word[][];
  readonly from: number;
  readonly delimWord: Word;
}

/** The error for a placeholder in the script of a non-POSIX shell (fish, csh, pwsh). */
export function foreign(w: Word): Error {
  return unsupported(
    `a trial parameter is in the script of a shell with another syntax (${JSON.stringify(w.decoded.slice(0, 80))}); only POSIX shells (sh, bash, dash, zsh, ksh, …) get values safely: run the script with one of them, or pass the value as an argument`,
  );
}
