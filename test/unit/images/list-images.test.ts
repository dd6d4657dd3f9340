import { describe, expect, it } from 'vitest';
import { FarmConfig } from '../../../src/config/schema.js';
import { allTargetSettings } from '../../../src/config/target-settings.js';
import { imageRows } from '../../../src/images/list-images.js';
import { toPresentImage } from '../../../src/images/present-images.js';

describe('imageRows (farm images list)', () => {
  const config = FarmConfig.parse({ python: ['3.11', '3.12'], targets: { 'glibc-aarch64': { image: 'own/aarch64:1' } } });
  const present = [
    toPresentImage({ RepoTags: ['farm/builder-glibc-x86_64:bootstrap-py3.11'], Labels: { 'farm.python': '3.11' } }),
    toPresentImage({ RepoTags: ['<none>:<none>'], Labels: null }),
  ];

  it('shows per target the image, source, Pythons and presence', () => {
    const rows = imageRows(allTargetSettings(config), 'auto', present);
    const x86 = rows.filter((r) => r.target === 'glibc-x86_64');
    expect(x86).toEqual([
      {
        target: 'glibc-x86_64',
        image: 'farm/builder-glibc-x86_64:bootstrap-py3.11',
        source: 'bootstrap',
        pythonVersions: ['3.11'],
        usedFor: ['3.11'],
        present: true,
      },
      expect.objectContaining({ image: 'quay.io/pypa/manylinux_2_28_x86_64', source: 'official', usedFor: ['3.12'], present: false }),
    ]);
    expect(rows.filter((r) => r.target === 'glibc-aarch64')).toEqual([
      expect.objectContaining({ image: 'own/aarch64:1', source: 'configured', usedFor: ['3.11', '3.12'] }),
    ]);
    expect(rows.filter((r) => r.target === 'musl-x86_64')).toEqual([
      expect.objectContaining({ image: 'quay.io/pypa/musllinux_1_2_x86_64', source: 'official', usedFor: ['3.11', '3.12'] }),
    ]);
  });

  it('with images.source official, lists only official or configured images', () => {
    const rows = imageRows(allTargetSettings(config), 'official', present);
    expect(rows.map((r) => r.source)).not.toContain('bootstrap');
    expect(rows).toHaveLength(6);
  });
});
