import { describe, expect, it } from 'vitest';
import { FarmConfig } from '../../../src/config/schema.js';
import { targetSettings } from '../../../src/config/target-settings.js';
import { TARGETS } from '../../../src/targets/catalog.js';
import { selectImage, type ImageSourcePreference, type PresentImage } from '../../../src/images/select-image.js';
import { OFFICIAL_PYTHON_VERSIONS } from '../../../src/images/official-images.js';

const settings = (id: string, extra: Record<string, unknown> = {}) =>
  targetSettings(FarmConfig.parse({ targets: { [id]: extra } }), TARGETS.get(id)!);

const bootstrapPresent = (id: string, python = '3.11'): PresentImage => ({
  tags: [`farm/builder-${id}:bootstrap-py${python}`],
  labels: { 'farm.python': python, 'farm.source': 'bootstrap', 'farm.target': id },
});
const officialPresent = (id: string): PresentImage => ({
  tags: [`${TARGETS.get(id)!.officialImage}:latest`],
  labels: {},
});

describe('selectImage', () => {
  const cases: {
    name: string;
    target: string;
    source: ImageSourcePreference;
    present: PresentImage[];
    configImage?: string;
    python?: string;
    image: string;
    from: string;
    isPresent: boolean;
  }[] = [
    {
      name: 'auto uses a present bootstrap image',
      target: 'glibc-armv7',
      source: 'auto',
      present: [bootstrapPresent('glibc-armv7')],
      image: 'farm/builder-glibc-armv7:bootstrap-py3.11',
      from: 'bootstrap',
      isPresent: true,
    },
    {
      name: 'auto falls back to the official image when no bootstrap image is present',
      target: 'glibc-armv7',
      source: 'auto',
      present: [],
      image: 'quay.io/pypa/manylinux_2_31_armv7l',
      from: 'official',
      isPresent: false,
    },
    {
      name: 'auto ignores another target’s bootstrap image',
      target: 'musl-x86_64',
      source: 'auto',
      present: [bootstrapPresent('glibc-x86_64')],
      image: 'quay.io/pypa/musllinux_1_2_x86_64',
      from: 'official',
      isPresent: false,
    },
    {
      name: 'auto ignores a bootstrap image for another Python',
      target: 'glibc-x86_64',
      source: 'auto',
      present: [bootstrapPresent('glibc-x86_64', '3.11')],
      python: '3.12',
      image: 'quay.io/pypa/manylinux_2_28_x86_64',
      from: 'official',
      isPresent: false,
    },
    {
      name: 'official ignores a present bootstrap image',
      target: 'glibc-x86_64',
      source: 'official',
      present: [bootstrapPresent('glibc-x86_64'), officialPresent('glibc-x86_64')],
      image: 'quay.io/pypa/manylinux_2_28_x86_64',
      from: 'official',
      isPresent: true,
    },
    {
      name: 'bootstrap names the bootstrap image even when it is missing',
      target: 'musl-x86_64',
      source: 'bootstrap',
      present: [],
      image: 'farm/builder-musl-x86_64:bootstrap-py3.11',
      from: 'bootstrap',
      isPresent: false,
    },
    {
      name: 'an explicit image in config wins over every source',
      target: 'glibc-aarch64',
      source: 'bootstrap',
      present: [bootstrapPresent('glibc-aarch64')],
      configImage: 'registry.example/own:1',
      image: 'registry.example/own:1',
      from: 'configured',
      isPresent: false,
    },
    {
      name: 'a configured image without tag is present as :latest',
      target: 'glibc-aarch64',
      source: 'auto',
      present: [{ tags: ['registry.example/own:latest'], labels: {} }],
      configImage: 'registry.example/own',
      image: 'registry.example/own',
      from: 'configured',
      isPresent: true,
    },
  ];
  it.each(cases)('$name', (c) => {
    const s = settings(c.target, c.configImage === undefined ? {} : { image: c.configImage });
    const selection = selectImage(s, c.source, c.present, c.python);
    expect(selection.image).toBe(c.image);
    expect(selection.source).toBe(c.from);
    expect(selection.present).toBe(c.isPresent);
  });

  it('reports the Python versions of the selected image', () => {
    const s = settings('glibc-x86_64');
    expect(selectImage(s, 'auto', [bootstrapPresent('glibc-x86_64')]).pythonVersions).toEqual(['3.11']);
    expect(selectImage(s, 'official', []).pythonVersions).toEqual(OFFICIAL_PYTHON_VERSIONS);
    expect(selectImage(settings('glibc-x86_64', { image: 'x:1', python: ['3.12'] }), 'auto', []).pythonVersions).toEqual([
      '3.12',
    ]);
  });

  it('defaults to the first configured Python', () => {
    const s = settings('glibc-x86_64', { python: ['3.12', '3.11'] });
    expect(selectImage(s, 'bootstrap', []).image).toBe('farm/builder-glibc-x86_64:bootstrap-py3.12');
  });
});
