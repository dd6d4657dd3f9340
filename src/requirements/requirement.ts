/**
 * The data a requirements file turns into. Plain readonly records, so the
 * pipeline can put them in job payloads and logs as they are.
 */
import type { MarkerNode } from './marker-ast.js';

/** Where something was written: the file as it was named, and its 1-based line. */
export interface Origin {
  readonly file: string;
  /** The first physical line of the logical line (continuations are joined). */
  readonly line: number;
}

/** One PEP 508 requirement (or constraint) from a requirements file. */
export interface Requirement {
  /** PEP 503 normalised project name, e.g. `mopidy-dummy`. */
  readonly name: string;
  /** The project name as written, e.g. `Mopidy-Dummy`. */
  readonly displayName: string;
  /** Normalised extras, sorted and without duplicates. */
  readonly extras: readonly string[];
  /**
   * PEP 440 specifier set, clauses joined by `,` without spaces in the order
   * written (`>=2.8.1,==2.8.*`); `''` when any version will do.
   */
  readonly specifier: string;
  /** Direct reference of `name @ url`, else null. */
  readonly url: string | null;
  /** Environment marker after `;`, else null. */
  readonly marker: MarkerNode | null;
  /** `--hash` values as `algorithm:hexdigest`, in the order written. */
  readonly hashes: readonly string[];
  readonly origin: Origin;
}

/** A pip option line that farm accepted and kept, e.g. `--pre` or `--only-binary :all:`. */
export interface RecordedOption {
  /** The option's long name, e.g. `--index-url` even when written as `-i`. */
  readonly option: string;
  /** The option's argument; null for flags such as `--pre`. */
  readonly value: string | null;
  readonly origin: Origin;
}
