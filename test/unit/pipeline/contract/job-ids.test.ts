import { describe, expect, it } from 'vitest';
import { buildJobId, mirrorJobId, resolveJobId, type BuildIdentity } from '../../../../src/pipeline/contract/job-ids.js';

const base: BuildIdentity = {
  name: 'farmfix-cext',
  version: '1.0',
  target: 'glibc-armv7',
  python: '3.11',
  image: 'farm/builder-glibc-armv7:bootstrap-py3.11@sha256:abc',
  recipeHash: 'sha256:0000',
};

describe('build job ids', () => {
  it('are stable and readable', () => {
    expect(buildJobId(base)).toBe(buildJobId({ ...base }));
    expect(buildJobId(base)).toMatch(/^build-farmfix-cext-1\.0-glibc-armv7-py3\.11-[0-9a-f]{20}$/);
  });

  it.each(Object.keys(base) as (keyof BuildIdentity)[])('change when %s changes', (field) => {
    expect(buildJobId({ ...base, [field]: `${base[field]}x` })).not.toBe(buildJobId(base));
  });

  it('are valid BullMQ custom ids (no ":", never an integer) even for odd versions', () => {
    for (const id of [buildJobId({ ...base, version: '1!2.0+local.7' }), mirrorJobId('glibc', 'a:b-1.0-py3-none-any.whl', undefined), resolveJobId('20250101-000000-abcdef', 'musl-x86_64', '3.12')]) {
      expect(id).not.toContain(':');
      expect(String(Number.parseInt(id, 10))).not.toBe(id);
    }
  });

  it('mirror ids depend on repository, file and hash', () => {
    const id = mirrorJobId('glibc', 'p-1.0-py3-none-any.whl', 'a'.repeat(64));
    expect(mirrorJobId('musl', 'p-1.0-py3-none-any.whl', 'a'.repeat(64))).not.toBe(id);
    expect(mirrorJobId('glibc', 'p-1.0-py3-none-any.whl', 'b'.repeat(64))).not.toBe(id);
    expect(mirrorJobId('glibc', 'p-1.0-py3-none-any.whl', 'a'.repeat(64))).toBe(id);
  });
});
