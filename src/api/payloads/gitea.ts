import { z } from 'zod';
import { isZeroSha, type PushEvent } from '../../tracked/push-event.js';
import { validate } from '../../validation/validate.js';
import { ObjectId, PayloadCommit, changedFiles, urls } from './commits.js';

/** The fields farm reads from a Gitea or Forgejo `push` event (same format on both). */
export const GiteaPush = z.object({
  ref: z.string().min(1),
  after: ObjectId,
  total_commits: z.int().nonnegative().optional(),
  repository: z.object({
    full_name: z.string().min(1),
    clone_url: z.string().nullish(),
    ssh_url: z.string().nullish(),
    html_url: z.string().nullish(),
  }),
  commits: z.array(PayloadCommit).nullish(),
});
export type GiteaPush = z.infer<typeof GiteaPush>;

/** Validates a Gitea/Forgejo push payload and reduces it to a `PushEvent`. Throws `ConfigError` listing every problem. */
export function parseGiteaPush(body: unknown): PushEvent {
  const push = validate(GiteaPush, body, 'gitea push payload');
  const commits = push.commits ?? [];
  const truncated = push.total_commits !== undefined && push.total_commits > commits.length;
  return {
    forge: 'gitea',
    repositoryUrls: urls(push.repository.clone_url, push.repository.ssh_url, push.repository.html_url),
    repositoryName: push.repository.full_name,
    ref: push.ref,
    sha: push.after,
    deleted: isZeroSha(push.after),
    changedFiles: changedFiles(commits, truncated),
  };
}
