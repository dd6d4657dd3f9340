import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { branchMatches, branchOfRef, isLiteralBranch } from '../../../src/tracked/branch-match.js';
import { candidateSecretEnvs, matchPush } from '../../../src/tracked/match-push.js';
import type { PushEvent } from '../../../src/tracked/push-event.js';
import { normalizeRepoUrl, sameRepository } from '../../../src/tracked/repo-url.js';

describe('branchMatches', () => {
  const cases: [string, string, boolean][] = [
    ['main', 'main', true],
    ['main', 'main2', false],
    ['main', 'feature/main', false],
    ['release/*', 'release/1.2', true],
    ['release/*', 'release/1.2/hotfix', false],
    ['release/**', 'release/1.2/hotfix', true],
    ['release/*', 'release', false],
    ['{main,stable}', 'stable', true],
    ['{main,stable}', 'dev', false],
    ['*', 'anything', true],
    ['*', 'a/b', false],
    ['**', 'a/b', true],
    ['v[0-9]*', 'v2-lts', true],
    ['.hidden', '.hidden', true],
  ];
  it.each(cases)('%s matches %s: %s', (pattern, branch, expected) => {
    expect(branchMatches(pattern, branch)).toBe(expected);
  });

  it('tells literal branch names from globs', () => {
    expect(isLiteralBranch('main')).toBe(true);
    expect(isLiteralBranch('release/2.x')).toBe(true);
    expect(isLiteralBranch('release/*')).toBe(false);
    expect(isLiteralBranch('{a,b}')).toBe(false);
  });

  it('reads branches from refs only', () => {
    expect(branchOfRef('refs/heads/release/1')).toBe('release/1');
    expect(branchOfRef('refs/tags/v1')).toBeUndefined();
    expect(branchOfRef('refs/heads/')).toBeUndefined();
  });
});

describe('normalizeRepoUrl', () => {
  const cases: [string, string][] = [
    ['https://github.com/acme/web-app.git', 'github.com/acme/web-app'],
    ['https://GitHub.com/Acme/Web-App/', 'github.com/acme/web-app'],
    ['git@github.com:acme/web-app.git', 'github.com/acme/web-app'],
    ['ssh://git@github.com:22/acme/web-app.git', 'github.com/acme/web-app'],
    ['git://github.com/acme/web-app.git', 'github.com/acme/web-app'],
    ['https://user:token@gitlab.example.com/g/sub/p.git', 'gitlab.example.com/g/sub/p'],
    ['/srv/git/App.git', 'file:/srv/git/App'],
    ['file:///srv/git/App.git', 'file:/srv/git/App'],
  ];
  it.each(cases)('%s → %s', (url, expected) => {
    expect(normalizeRepoUrl(url)).toBe(expected);
  });

  it('matches a configured URL against any of the payload URLs', () => {
    expect(sameRepository('git@github.com:acme/web-app.git', ['', 'https://github.com/acme/web-app'])).toBe(true);
    expect(sameRepository('https://github.com/acme/web-app', ['https://github.com/acme/web-app-2'])).toBe(false);
    expect(sameRepository('https://github.com/acme/app', ['https://gitlab.com/acme/app'])).toBe(false);
  });
});

const config = parseConfig(
  `
sets:
  - name: web
    source: { kind: git, url: "https://github.com/acme/web-app.git", branch: main, files: [requirements.txt] }
    targets: [glibc-x86_64]
  - name: web-release
    source: { kind: git, url: "git@github.com:acme/web-app.git", branch: "release/*", files: [requirements.txt, requirements/extra.txt] }
    targets: [musl-x86_64]
  - name: pipeline
    source: { kind: git, url: "https://gitlab.example.com/analytics/data-pipeline", branch: "**", files: [requirements/prod.txt], forge: gitlab, secretEnv: PIPELINE_TOKEN }
    targets: [glibc-armv7]
  - name: local
    source: { kind: file, path: requirements.txt }
    targets: [glibc-x86_64]
`,
  'test config',
);

function push(overrides: Partial<PushEvent> = {}): PushEvent {
  return {
    forge: 'github',
    repositoryUrls: ['https://github.com/acme/web-app.git', 'git@github.com:acme/web-app.git'],
    repositoryName: 'acme/web-app',
    ref: 'refs/heads/main',
    sha: 'a'.repeat(40),
    deleted: false,
    changedFiles: new Set(['requirements.txt']),
    ...overrides,
  };
}

describe('matchPush', () => {
  const cases: [string, Partial<PushEvent>, string[] | string][] = [
    ['main builds the main set', {}, ['web']],
    ['release branch builds the release set', { ref: 'refs/heads/release/3.0' }, ['web-release']],
    ['a release set file change', { ref: 'refs/heads/release/3.0', changedFiles: new Set(['requirements/extra.txt']) }, ['web-release']],
    ['untracked branch', { ref: 'refs/heads/feature/x' }, "branch 'feature/x' of 'acme/web-app' is not tracked"],
    ['tag push', { ref: 'refs/tags/v1.0' }, 'refs/tags/v1.0 is not a branch'],
    ['deleted branch', { deleted: true }, "branch 'main' was deleted"],
    ['untracked repository', { repositoryUrls: ['https://github.com/acme/other'], repositoryName: 'acme/other' }, "repository 'acme/other' is not tracked"],
    ['no tracked file changed', { changedFiles: new Set(['README.md']) }, "no tracked requirement file changed on 'main'"],
    ['unknown changes build', { changedFiles: undefined }, ['web']],
    [
      'a set restricted to gitlab ignores github',
      { repositoryUrls: ['https://gitlab.example.com/analytics/data-pipeline.git'], repositoryName: 'analytics/data-pipeline' },
      "repository 'analytics/data-pipeline' is not tracked",
    ],
    [
      'the gitlab set from gitlab, any branch',
      {
        forge: 'gitlab',
        ref: 'refs/heads/topic/deep/branch',
        repositoryUrls: ['git@gitlab.example.com:analytics/data-pipeline.git'],
        repositoryName: 'analytics/data-pipeline',
        changedFiles: new Set(['requirements/prod.txt']),
      },
      ['pipeline'],
    ],
  ];
  it.each(cases)('%s', (_name, overrides, expected) => {
    const decision = matchPush(config.sets, push(overrides));
    if (typeof expected === 'string') {
      expect(decision).toEqual({ action: 'ignore', reason: expected });
    } else {
      expect(decision.action).toBe('build');
      expect(decision.action === 'build' && decision.sets.map((s) => s.name)).toEqual(expected);
    }
  });

  it('lists every secret variable that may sign a forge’s deliveries', () => {
    expect(candidateSecretEnvs(config.sets, 'github', config.api)).toEqual(['FARM_GITHUB_SECRET']);
    expect(candidateSecretEnvs(config.sets, 'gitlab', config.api)).toEqual(['FARM_GITLAB_TOKEN', 'PIPELINE_TOKEN']);
  });
});
