import { LineCounter, parseDocument, isNode } from 'yaml';
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
  const data: unknown = doc.toJS() ?? {};
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
