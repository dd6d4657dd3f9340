import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/config/load-config.js';
import { ConfigError, InputFileError, MissingFileError } from '../../../../src/errors.js';
import { prepareRequest } from '../../../../src/pipeline/client/request-input.js';
import type { RequirementsSource } from '../../../../src/requirements/index.js';

const config = parseConfig('python: ["3.11"]\ntargets:\n  musl-x86_64: { python: ["3.11", "3.12"] }\n', 'test');
const memory = (files: Record<string, string>): RequirementsSource => ({
  read(file) {
    const text = files[file];
    if (text === undefined) throw new MissingFileError(file);
    return text;
  },
});

describe('prepareRequest', () => {
  it('evaluates markers per target: the armv7 requirements leave out the marker-excluded package', async () => {
    const { resolves, stored } = await prepareRequest(
      config,
      {
        requirements: [{ path: '/w/requirements.txt', text: 'farmfix-a\nfarmfix-x86only ; platform_machine != "armv7l"\n' }],
        targets: ['glibc-x86_64', 'glibc-armv7'],
        origin: 'webhook',
      },
      { id: 'r1' },
    );
    const text = (t: string) => resolves.find((r) => r.target === t)!.requirementsText;
    expect(text('glibc-x86_64')).toBe('farmfix-a\nfarmfix-x86only\n');
    expect(text('glibc-armv7')).toBe('farmfix-a\n');
    expect(stored).toMatchObject({ id: 'r1', roots: ['/w/requirements.txt'], origin: 'webhook', indexUrl: 'https://pypi.org/simple/' });
  });

  it('uses each target’s Python versions unless the request names them', async () => {
    const input = { requirements: [{ path: 'r.txt', text: 'six\n' }], targets: ['glibc-x86_64', 'musl-x86_64'] };
    const byConfig = await prepareRequest(config, input, { id: 'r' });
    expect(byConfig.stored.python).toEqual({ 'glibc-x86_64': ['3.11'], 'musl-x86_64': ['3.11', '3.12'] });
    const explicit = await prepareRequest(config, { ...input, python: ['3.12'] }, { id: 'r' });
    expect(explicit.resolves.map((r) => `${r.target}/${r.python}`)).toEqual(['glibc-x86_64/3.12', 'musl-x86_64/3.12']);
  });

  it('flattens includes and keeps constraints apart; the index URL override wins', async () => {
    const { resolves, stored } = await prepareRequest(
      config,
      { requirements: ['/p/requirements.txt'], targets: ['glibc-x86_64'], indexUrl: 'http://127.0.0.1:9/simple/' },
      { id: 'r', source: memory({ '/p/requirements.txt': '-r base.txt\n-c pins.txt\nrequests\n', '/p/base.txt': 'six\n', '/p/pins.txt': 'urllib3<2\n' }) },
    );
    expect(resolves[0]).toMatchObject({ requirementsText: 'six\nrequests\n', constraintsText: 'urllib3<2\n' });
    expect(stored.requirements.map((f) => f.path).sort()).toEqual(['/p/base.txt', '/p/pins.txt', '/p/requirements.txt']);
    expect(stored.indexUrl).toBe('http://127.0.0.1:9/simple/');
  });

  it('never reads the disk for text input: an include that was not sent is missing', async () => {
    await expect(
      prepareRequest(config, { requirements: [{ path: 'req.txt', text: '-r /etc/passwd\n' }], targets: ['glibc-x86_64'], origin: 'webhook' }, { id: 'r' }),
    ).rejects.toThrow(/req\.txt:1: .*\/etc\/passwd/);
  });

  it('reports requirement file errors with file and line before anything is queued', async () => {
    await expect(
      prepareRequest(config, { requirements: [{ path: 'req.txt', text: 'ok\nbad name here ===\n' }], targets: ['glibc-x86_64'] }, { id: 'r' }),
    ).rejects.toThrow(InputFileError);
  });

  it.each([
    [{ requirements: [], targets: ['glibc-x86_64'] }, 'requirements'],
    [{ requirements: ['r.txt'], targets: ['glibc-sparc'] }, 'targets.0'],
    [{ requirements: ['r.txt'], targets: ['glibc-x86_64'], python: ['2.7x'] }, 'python.0'],
    [{ requirements: ['r.txt'], targets: ['glibc-x86_64'], indexUrl: 'not a url' }, 'indexUrl'],
    [{ requirements: ['r.txt'], targets: ['glibc-x86_64'], origin: 'email' }, 'origin'],
    [{ requirements: ['r.txt'], targets: ['glibc-x86_64'], extra: 1 }, ''],
  ])('rejects invalid input %j at %s', async (input, path) => {
    const error = await prepareRequest(config, input as never, { id: 'r' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path)).toContain(path);
  });
});
