/**
 * The cross toolchain on a real engine (issue 13): found by image, copied
 * into its volume once and checked there; an engine without the image has
 * no toolchain, and builds say how to get it (they stay emulated, without
 * ccache: the image's compilers only, as before the toolchain existed).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decideCompiler } from '../../../src/docker/compiler-mode.js';
import { toolchainVolumeName } from '../../../src/docker/toolchain-mount.js';
import { Toolchains } from '../../../src/docker/toolchains.js';
import { toolchainImageName } from '../../../src/images/toolchain-image.js';
import { getTarget } from '../../../src/targets/parse-targets.js';
import { docker, removeContainersOf, removeDir, testWorkerId, worldWritableTempDir } from './support/docker-test-kit.js';

const workerId = testWorkerId('toolchains');
const dirs: string[] = [];

afterAll(async () => {
  await removeContainersOf(workerId);
  for (const dir of dirs) await removeDir(dir);
});

async function toolchains(image: string): Promise<Toolchains> {
  const dir = await worldWritableTempDir('toolchains');
  dirs.push(dir);
  return new Toolchains(image, workerId, (host) => `${dir}/${host}.log`);
}

describe('Toolchains on a real engine', () => {
  it('an engine without the toolchain image has none: ARM builds stay emulated and the log says how to get it', async () => {
    const absent = await toolchains('farm/cross-toolchain:absent-in-this-test');
    expect(await absent.get(docker, 'local')).toBeUndefined();
    const decision = decideCompiler({
      target: getTarget('glibc-armv7'),
      hostNative: ['linux/amd64'],
      hostSetting: undefined,
      recipeSetting: undefined,
      imageMatchesToolchain: true,
      toolchainId: undefined,
    });
    expect(decision).toMatchObject({ mode: 'emulated', toolchain: undefined, matchesPlan: true });
    expect(decision.reason).toBe('the cross toolchain image is missing (farm images bootstrap builds it)');
  });

  it('the bootstrap toolchain image fills its volume once per image id, checked by its own compilers', async () => {
    const image = toolchainImageName('bookworm');
    const present = await docker
      .getImage(image)
      .inspect()
      .then((i) => i.Id, () => undefined);
    if (present === undefined) throw new Error(`${image} is missing: run farm images bootstrap --targets glibc-armv7`);
    const found = await (await toolchains(image)).get(docker, 'local');
    expect(found).toEqual({ image, id: present, volume: toolchainVolumeName(present) });
    // A second worker process finds the same volume (Docker fills only empty volumes).
    expect(await (await toolchains(image)).get(docker, 'local')).toEqual(found);
    const volume = await docker.getVolume(found!.volume).inspect();
    expect(volume.Labels).toMatchObject({ 'farm.toolchain': present });
  });
});
