import { z } from 'zod';
import { isZeroSha, type PushEvent } from '../../tracked/push-event.js';
import { validate } from '../../validation/validate.js';
import { ObjectId, PayloadCommit, changedFiles, urls } from './commits.js';

/** The fields farm reads from GitLab's "Push Hook" (`object_kind: push`). */
export const GitlabPush = z.object({
  object_kind: z.literal('push'),
  ref: z.string().min(1),
  after: ObjectId,
  /** The branch head after the push; null when the branch was deleted. */
  checkout_sha: ObjectId.nullish(),
  total_commits_count: z.int().nonnegative().optional(),
  project: z.object({
    path_with_namespace: z.string().min(1),
    git_http_url: z.string().nullish(),
    git_ssh_url: z.string().nullish(),
    web_url: z.string().nullish(),
  }),
  repository: z
    .object({
      url: z.string().nullish(),
      homepage: z.string().nullish(),
      git_http_url: z.string().nullish(),
      git_ssh_url: z.string().nullish(),
    })
    .optional(),
  commits: z.array(PayloadCommit).default([]),
});
export type GitlabPush = z.infer<typeof GitlabPush>;

/** Validates a GitLab push payload and reduces it to a `PushEvent`. Throws `ConfigError` listing every problem. */
export function parseGitlabPush(body: unknown): PushEvent {
  const push = validate(GitlabPush, body, 'gitlab push payload');
  const sha = push.checkout_sha ?? push.after;
  // GitLab lists at most 20 commits; total_commits_count tells the truth.
  const truncated = push.total_commits_count !== undefined && push.total_commits_count > push.commits.length;
  return {
    forge: 'gitlab',
    repositoryUrls: urls(
      push.project.git_http_url,
      push.project.git_ssh_url,
      push.project.web_url,
      push.repository?.git_http_url,
      push.repository?.git_ssh_url,
      push.repository?.homepage,
    ),
    repositoryName: push.project.path_with_namespace,
    ref: push.ref,
    sha,
    deleted: isZeroSha(push.after) || push.checkout_sha === null,
    changedFiles: changedFiles(push.commits, truncated),
  };
}
