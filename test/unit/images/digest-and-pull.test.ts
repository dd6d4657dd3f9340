import { describe, expect, it } from 'vitest';
import { NotFoundError, TransientError } from '../../../src/errors.js';
import { digestFor } from '../../../src/images/image-digest.js';
import { pullError } from '../../../src/images/pull-image.js';
import { PullProgress, formatBytes } from '../../../src/images/pull-progress.js';
import { LineSplitter } from '../../../src/images/line-splitter.js';
import { formatProgress } from '../../../src/images/progress.js';

describe('digestFor', () => {
  const digest = 'sha256:' + 'a'.repeat(64);
  const cases: [string, string[], string | undefined][] = [
    ['quay.io/pypa/manylinux_2_28_x86_64', [`quay.io/pypa/manylinux_2_28_x86_64@${digest}`], `quay.io/pypa/manylinux_2_28_x86_64@${digest}`],
    ['quay.io/pypa/manylinux_2_28_x86_64:2025.05.01', [`quay.io/pypa/manylinux_2_28_x86_64@${digest}`], `quay.io/pypa/manylinux_2_28_x86_64@${digest}`],
    ['mirror/copy:1', [`other/a@${digest}`, `mirror/copy@sha256:${'b'.repeat(64)}`], `mirror/copy@sha256:${'b'.repeat(64)}`],
    ['alias:1', [`other/a@${digest}`], `other/a@${digest}`],
    ['farm/builder-glibc-x86_64:bootstrap-py3.11', [], undefined],
    ['ambiguous:1', [`a@${digest}`, `b@${digest}`], undefined],
  ];
  it.each(cases)('%s', (image, repoDigests, expected) => {
    expect(digestFor(image, repoDigests)).toBe(expected);
  });
});

describe('pullError', () => {
  it('an unknown image is permanent, an unreachable registry transient with the offline fix', () => {
    expect(pullError('x', 'manifest unknown')).toBeInstanceOf(NotFoundError);
    expect(pullError('x', 'whatever', 404)).toBeInstanceOf(NotFoundError);
    const transient = pullError('quay.io/pypa/x', 'dial tcp: lookup quay.io: no such host', 500);
    expect(transient).toBeInstanceOf(TransientError);
    expect(transient.hint).toMatch(/farm images bootstrap/);
  });
});

describe('PullProgress', () => {
  it('shows state changes and quarter steps, not every event', () => {
    const p = new PullProgress();
    const events = [
      { status: 'Pulling from pypa/manylinux_2_28_x86_64', id: 'latest' },
      { status: 'Pulling fs layer', id: 'l1' },
      { status: 'Downloading', id: 'l1', progressDetail: { current: 1, total: 1000 } },
      { status: 'Downloading', id: 'l1', progressDetail: { current: 100, total: 1000 } },
      { status: 'Downloading', id: 'l1', progressDetail: { current: 300, total: 1000 } },
      { status: 'Downloading', id: 'l1', progressDetail: { current: 310, total: 1000 } },
      { status: 'Download complete', id: 'l1' },
      { status: 'Download complete', id: 'l1' },
      { status: 'Digest: sha256:abc' },
      { error: 'toomanyrequests' },
    ];
    expect(events.map((e) => p.feed(e)).filter((l) => l !== undefined)).toEqual([
      'latest: Pulling from pypa/manylinux_2_28_x86_64',
      'l1: Pulling fs layer',
      'l1: Downloading 0% of 1.0 kB',
      'l1: Downloading 30% of 1.0 kB',
      'l1: Download complete',
      'Digest: sha256:abc',
      'error: toomanyrequests',
    ]);
  });
  it('formats sizes', () => {
    expect(formatBytes(30 * 1024 * 1024)).toBe('30.0 MB');
    expect(formatBytes(2048)).toBe('2.0 kB');
  });
});

describe('LineSplitter', () => {
  it('emits whole lines across chunks; \\r ends a line too', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('a\nb');
    s.push('c\r\nprogress 1\rprogress 2\r');
    s.push('\n\nlast');
    s.end();
    expect(lines).toEqual(['a', 'bc', 'progress 1', 'progress 2', 'last']);
  });
});

describe('formatProgress', () => {
  it('renders one plain line per event', () => {
    expect(
      formatProgress({ kind: 'done', target: 'glibc-armv7', image: 'i', status: 'skipped', message: 'skipped: present', durationMs: 1200 }),
    ).toBe('[glibc-armv7] i: skipped: present (1.2 s)');
    expect(formatProgress({ kind: 'line', target: 't', image: 'i', phase: 'debootstrap', line: 'I: Retrieving' })).toBe(
      '[t] debootstrap: I: Retrieving',
    );
  });
});
