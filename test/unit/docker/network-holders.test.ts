import { describe, expect, it } from 'vitest';
import { HOLDER_STEP, holderSpec } from '../../../src/docker/network-holders.js';

describe('holderSpec', () => {
  it.each([
    ['native', undefined],
    ['emulated', 'linux/arm/v7'],
  ])('%s: no network, no capabilities, labelled as the worker\'s', (_name, platform) => {
    const spec = holderSpec('farm/builder-glibc-x86_64:bootstrap-py3.11', platform, 'w-1');
    expect(spec.platform).toBe(platform);
    expect(spec.HostConfig).toMatchObject({ NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] });
    expect(spec.User).toBe('1000:1000');
    expect(spec.Labels).toEqual({ 'farm.managed': 'true', 'farm.worker': 'w-1', 'farm.step': HOLDER_STEP });
    // No job label: per-job accounting (events, benches) never counts a holder.
    expect(spec.Labels).not.toHaveProperty('farm.job');
    expect([...(spec.Entrypoint as string[]), ...(spec.Cmd ?? [])]).toEqual(['sleep', '2147483647']);
  });
});
