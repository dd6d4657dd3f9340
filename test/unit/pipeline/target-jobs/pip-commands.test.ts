import { describe, expect, it } from 'vitest';
import { resolveArgv } from '../../../../src/pipeline/target-jobs/pip-commands.js';

describe('resolveArgv', () => {
  it('asks pip for a report of a dry run that ignores what is installed', () => {
    expect(resolveArgv('3.11', 'http://127.0.0.1:8080/simple/', [], false)).toEqual([
      '/opt/python/cp311-cp311/bin/python', '-m', 'pip', 'install', '--dry-run', '--ignore-installed',
      '--progress-bar', 'off', '--report', '/out/report.json', '--index-url', 'http://127.0.0.1:8080/simple/',
      '-r', '/in/requirements.txt',
    ]);
  });

  it('keeps every URL one argv element, adds constraints when there are some', () => {
    const argv = resolveArgv('3.12', 'https://i/simple/', ['https://x/a b;$(rm)/'], true);
    expect(argv).toContain('https://x/a b;$(rm)/');
    expect(argv.slice(-4)).toEqual(['-c', '/in/constraints.txt', '-r', '/in/requirements.txt']);
  });
});
