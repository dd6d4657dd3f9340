import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGiteaPush } from '../../../src/api/payloads/gitea.js';
import { parseGithubPush } from '../../../src/api/payloads/github.js';
import { parseGitlabPush } from '../../../src/api/payloads/gitlab.js';
import { ConfigError } from '../../../src/errors.js';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

const ZERO = '0'.repeat(40);

describe('GitHub push payload', () => {
  it('reduces the documented shape to a push event', () => {
    const event = parseGithubPush(fixture('github-push.json'));
    expect(event).toEqual({
      forge: 'github',
      repositoryUrls: [
        'https://github.com/acme/web-app.git',
        'git@github.com:acme/web-app.git',
        'git://github.com/acme/web-app.git',
        'https://github.com/acme/web-app',
      ],
      repositoryName: 'acme/web-app',
      ref: 'refs/heads/main',
      sha: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      deleted: false,
      changedFiles: new Set(['requirements.txt']),
    });
  });

  it('marks a deleted branch', () => {
    const event = parseGithubPush({ ...fixture('github-push.json'), deleted: true, after: ZERO, commits: [] });
    expect(event.deleted).toBe(true);
  });

  it('does not claim to know the changed files when GitHub may have truncated the list', () => {
    const commit = (fixture('github-push.json')['commits'] as object[])[0]!;
    const event = parseGithubPush({ ...fixture('github-push.json'), commits: Array.from({ length: 20 }, () => commit) });
    expect(event.changedFiles).toBeUndefined();
  });

  it('does not claim to know the changed files for a push without commits', () => {
    expect(parseGithubPush({ ...fixture('github-push.json'), commits: [] }).changedFiles).toBeUndefined();
  });

  it('reports every missing or wrong field at once', () => {
    const bad = { ...fixture('github-push.json'), after: 'not-a-sha', repository: { name: 'x' } };
    delete (bad as Record<string, unknown>)['ref'];
    try {
      parseGithubPush(bad);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual(['after', 'ref', 'repository.full_name']);
    }
  });
});

describe('GitLab push payload', () => {
  it('reduces the documented shape to a push event', () => {
    const event = parseGitlabPush(fixture('gitlab-push.json'));
    expect(event.forge).toBe('gitlab');
    expect(event.repositoryName).toBe('analytics/data-pipeline');
    expect(event.ref).toBe('refs/heads/release/2.1');
    expect(event.sha).toBe('da1560886d4f094c3e6c9ef40349f7d38b5d27d7');
    expect(event.deleted).toBe(false);
    expect(event.repositoryUrls).toContain('https://gitlab.example.com/analytics/data-pipeline.git');
    expect(event.repositoryUrls).toContain('git@gitlab.example.com:analytics/data-pipeline.git');
    // Removed files are not "changed": a deleted requirements file builds nothing.
    expect(event.changedFiles).toEqual(new Set(['docs/index.md', 'requirements/prod.txt']));
  });

  it('uses total_commits_count to see a truncated commit list', () => {
    const event = parseGitlabPush({ ...fixture('gitlab-push.json'), total_commits_count: 40 });
    expect(event.changedFiles).toBeUndefined();
  });

  it('marks a deleted branch (checkout_sha null, after zeros)', () => {
    const event = parseGitlabPush({ ...fixture('gitlab-push.json'), after: ZERO, checkout_sha: null, commits: [], total_commits_count: 0 });
    expect(event.deleted).toBe(true);
  });

  it('rejects other object kinds', () => {
    expect(() => parseGitlabPush({ ...fixture('gitlab-push.json'), object_kind: 'tag_push' })).toThrow(ConfigError);
  });
});

describe('Gitea / Forgejo push payload', () => {
  it('reduces the documented shape to a push event', () => {
    const event = parseGiteaPush(fixture('gitea-push.json'));
    expect(event).toEqual({
      forge: 'gitea',
      repositoryUrls: [
        'https://code.example.org/infra/worker.git',
        'ssh://git@code.example.org:2222/infra/worker.git',
        'https://code.example.org/infra/worker',
      ],
      repositoryName: 'infra/worker',
      ref: 'refs/heads/develop',
      sha: 'bffeb74224043ba2feb48d137756c8a9331c449a',
      deleted: false,
      changedFiles: new Set(['requirements.txt']),
    });
  });

  it('treats commits without file lists (older Gitea) as unknown changes', () => {
    const commits = [{ id: 'bffeb74224043ba2feb48d137756c8a9331c449a', message: 'x' }];
    expect(parseGiteaPush({ ...fixture('gitea-push.json'), commits }).changedFiles).toBeUndefined();
  });

  it('accepts a null commit list (a branch created at an existing commit)', () => {
    expect(parseGiteaPush({ ...fixture('gitea-push.json'), commits: null, total_commits: 0 }).changedFiles).toBeUndefined();
  });
});
