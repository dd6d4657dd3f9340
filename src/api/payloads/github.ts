import { z } from 'zod';
import { isZeroSha, type PushEvent } from '../../tracked/push-event.js';
import { validate } from '../../validation/validate.js';
import { ObjectId, PayloadCommit, changedFiles, urls } from './commits.js';

/** GitHub lists at most this many commits in a push payload. */
const GITHUB_COMMIT_LIMIT = 20;

/** The fields farm reads from GitHub's `push` event (other fields are ignored). */
export const GithubPush = z.object({
  ref: z.string().min(1),
  after: ObjectId,
  deleted: z.boolean().optional(),
  repository: z.object({
    full_name: z.string().min(1),
    clone_url: z.string().nullish(),
    ssh_url: z.string().nullish(),
    git_url: z.string().nullish(),
    html_url: z.string().nullish(),
  }),
  commits: z.array(PayloadCommit).default([]),
});
export type GithubPush = z.infer<typeof GithubPush>;

/** Validates a GitHub push payload and reduces it to a `PushEvent`. Throws `ConfigError` listing every problem. */
export function parseGithubPush(body: unknown): PushEvent {
  const push = validate(GithubPush, body, 'github push payload');
  return {
    forge: 'github',
    repositoryUrls: urls(push.repository.clone_url, push.repository.ssh_url, push.repository.git_url, push.repository.html_url),
    repositoryName: push.repository.full_name,
    ref: push.ref,
    sha: push.after,
    deleted: push.deleted === true || isZeroSha(push.after),
    changedFiles: changedFiles(push.commits, push.commits.length >= GITHUB_COMMIT_LIMIT),
  };
}
