import { LineCounter, parseDocument, isNode, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ValidationIssue } from '../errors.js';

/** Turns zod issues into farm's dotted-path issues, keeping every one. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Validates already-parsed data (JSON body, job data read back from Redis)
 * against a schema. Throws a `ConfigError` naming `source` and listing every
 * problem; returns the parsed (defaulted) value otherwise.
 */
export function validate<S extends z.ZodType>(schema: S, data: unknown, source: string): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ConfigError(source, toValidationIssues(result.error));
  return result.data;
}

/**
 * Parses YAML text and validates it. YAML syntax errors and schema errors both
 * become a `ConfigError`; schema issues get the line of the offending node
 * appended (`(line 12)`) so the user can jump straight to it.
 */
export function validateYaml<S extends z.ZodType>(schema: S, text: string, source: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: '',
        message: `line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const data = toJsChecked(doc, lineCounter, source);
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error).map((issue, i) => {
    const path = result.error.issues[i]!.path;
    // Point at the deepest node that exists: a missing key has no node of its own.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as (string | number)[], true);
      if (isNode(node) && node.range) {
        return { ...issue, message: `${issue.message} (line ${lineCounter.linePos(node.range[0]).line})` };
      }
    }
    return issue;
  });
  throw new ConfigError(source, issues);
}

/** How many alias expansions a document may cause: real configs use a handful; billion-laughs needs millions. */
const MAX_ALIAS_COUNT = 100;

/**
 * `doc.toJS()`, with the yaml library's alias failures (an alias to no
 * anchor, an alias bomb) turned into a `ConfigError` naming the alias's line
 * instead of escaping as a `ReferenceError` ("a bug in farm").
 */
function toJsChecked(doc: Document.Parsed, lineCounter: LineCounter, source: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    const unresolved = /alias/i.test(error.message) && !/excessive/i.test(error.message);
    let offset: number | undefined;
    visit(doc, {
      Alias(_key, node) {
        if (unresolved && node.resolve(doc) !== undefined) return undefined;
        offset = node.range?.[0];
        return visit.BREAK;
      },
    });
    const line = offset === undefined ? '' : `line ${lineCounter.linePos(offset).line}: `;
    const message = unresolved
      ? `${error.message.split('\n')[0]} (an alias *name needs an anchor &name before it)`
      : `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); write the values out instead of nesting aliases`;
    throw new ConfigError(source, [{ path: '', message: `${line}${message}` }], { cause: error });
  }
}
