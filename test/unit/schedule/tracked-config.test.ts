import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { ConfigError } from '../../../src/errors.js';
import { schedulerId } from '../../../src/schedule/schedules.js';
import { triggerIdOf } from '../../../src/tracked/trigger-worker.js';

function problems(yaml: string): string[] {
  try {
    parseConfig(yaml, 'farm.config.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message.replace(/ \(line \d+\)$/, '')}`);
    throw error;
  }
  return [];
}

describe('tracked sets in farm.config.yaml', () => {
  it('fills defaults for a git source and a schedule', () => {
    const config = parseConfig(
      `
sets:
  - name: web
    source: { kind: git, url: "https://github.com/acme/web.git" }
    targets: [glibc-x86_64]
    schedule: { cron: "0 3 * * *" }
`,
      'x',
    );
    expect(config.sets[0]).toEqual({
      name: 'web',
      source: { kind: 'git', url: 'https://github.com/acme/web.git', branch: 'main', files: ['requirements.txt'] },
      targets: ['glibc-x86_64'],
      schedule: { cron: '0 3 * * *', tz: 'UTC' },
    });
    expect(config.api).toMatchObject({ port: 8080, adminTokenEnv: 'FARM_ADMIN_TOKEN', secretEnv: { github: 'FARM_GITHUB_SECRET' } });
  });

  it('reports every problem with its path at once', () => {
    expect(
      problems(`
sets:
  - name: web
    source: { kind: git, url: "--upload-pack=evil", files: ["../etc/passwd"], secretEnv: "not a var" }
    targets: [glibc-sparc]
    schedule: { cron: "0 3 * * *", tz: "Mars/Olympus" }
  - name: web
    source: { kind: file, path: requirements.txt }
    targets: []
`),
    ).toEqual([
      'sets.0.source.url: a repository URL must not start with "-"',
      'sets.0.source.files.0: expected a relative path inside the repository',
      'sets.0.source.secretEnv: expected an environment variable name like FARM_GITHUB_SECRET',
      expect.stringMatching(/^sets\.0\.targets\.0: unknown target 'glibc-sparc'/),
      'sets.0.schedule.tz: unknown time zone; expected an IANA name like "Europe/Berlin"',
      'sets.1.targets: Too small: expected array to have >=1 items',
      "sets.1.name: duplicate set name 'web'",
    ]);
  });
});

describe('schedule ids', () => {
  it('names one scheduler per set', () => {
    expect(schedulerId('web')).toBe('set:web');
  });

  it('gives scheduled runs a stable trigger id per job, so a retried job keeps it', () => {
    const data = { kind: 'schedule' as const, set: 'web' };
    const a = triggerIdOf(data, 'repeat:set:web:1700000000000');
    expect(a).toMatch(/^sched-[0-9a-f]{24}$/);
    expect(triggerIdOf(data, 'repeat:set:web:1700000000000')).toBe(a);
    expect(triggerIdOf(data, 'repeat:set:web:1700000060000')).not.toBe(a);
    expect(triggerIdOf({ ...data, triggerId: 'manual-1' }, 'x')).toBe('manual-1');
  });
});
