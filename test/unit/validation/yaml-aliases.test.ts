import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../../src/errors.js';
import { checkRecipes } from '../../../src/recipes/load-recipes.js';
import { validateYaml } from '../../../src/validation/validate.js';

const Schema = z.object({ root: z.string().optional(), list: z.unknown().optional() });

function configError(text: string): ConfigError {
  try {
    validateYaml(Schema, text, 'farm.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const BILLION_LAUGHS = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  'list: [*g,*g,*g,*g,*g,*g,*g,*g,*g]',
  '',
].join('\n');

// Issue 14, point 14: YAML aliases are input errors with a file and a line, never a crash.
describe('YAML aliases in config and recipe files', () => {
  it('an undefined alias is a ConfigError naming the file and line', () => {
    const error = configError('# config\nroot: *a\n');
    expect(error.message).toMatch(/farm\.config\.yaml/);
    expect(error.issues[0]!.message).toMatch(/^line 2: .*alias/i);
  });

  it('billion laughs is refused quickly, as a ConfigError', () => {
    const started = performance.now();
    const error = configError(BILLION_LAUGHS);
    expect(error.issues[0]!.message).toMatch(/^line \d+: .*alias/i);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('a plain anchor and alias still work', () => {
    expect(validateYaml(Schema, 'x: &r /srv/farm\nroot: *r\n', 'f.yaml')).toEqual({ root: '/srv/farm' });
  });

  it('one recipe with a bad alias does not stop farm recipes check from reporting the others', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'farm-recipes-alias-'));
    try {
      fs.writeFileSync(path.join(dir, 'aaa.yaml'), 'name: aaa\npackages: *nothing\n');
      fs.writeFileSync(path.join(dir, 'bbb.yaml'), BILLION_LAUGHS);
      fs.writeFileSync(path.join(dir, 'ccc.yaml'), 'name: ccc\nbogus: 1\n');
      fs.writeFileSync(path.join(dir, 'ddd.yaml'), 'name: ddd\n');
      const result = await checkRecipes(dir);
      expect(result.files).toBe(4);
      expect(result.valid).toBe(1);
      const files = new Set(result.problems.map((p) => path.basename(p.file)));
      expect([...files].sort()).toEqual(['aaa.yaml', 'bbb.yaml', 'ccc.yaml']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
